from django.db import models


class OrganisationKind(models.TextChoices):
    CCAS = "ccas", "CCAS (centre communal d'action sociale)"
    CIAS = "cias", "CIAS (centre intercommunal d'action sociale)"
    CLIC = "clic", "CLIC (centre local d'information et de coordination)"
    CLIO = "clio", "Centre d'information et d'orientation handicap (type CLIO)"
    MAIRIE = "mairie", "Mairie"
    DAC = "dac", "MAIA / DAC (dispositif d'appui à la coordination)"
    SAAD = "saad", "SAAD (service d'aide à domicile)"
    SSIAD = "ssiad", "SSIAD (service de soins infirmiers à domicile)"
    PHARMACY = "pharmacy", "Pharmacie"
    ASSOCIATION = "association", "Association"
    CITIZEN_TEAM = "citizen_team", "Équipe citoyenne"
    SOCIAL_LANDLORD = "social_landlord", "Bailleur social"
    DEPARTEMENT = "departement", "Conseil départemental"
    CAF = "caf", "CAF (caisse d'allocations familiales)"
    CARSAT = "carsat", "Carsat"
    OTHER = "other", "Autre"


class Role(models.TextChoices):
    """A member's role inside one organisation (architecture.md, "Who uses it")."""

    RECEPTION_AGENT = "reception_agent", "Agent d'accueil"
    COORDINATOR = "coordinator", "Coordinateur·rice / travailleur·se social·e"
    REGISTER_MANAGER = "register_manager", "Gestionnaire du registre"
    VOLUNTEER = "volunteer", "Bénévole"
    PARTNER = "partner", "Professionnel·le partenaire"
    DIRECTOR = "director", "Direction / élu·e"
    DPO = "dpo", "Délégué·e à la protection des données"
    ADMIN = "admin", "Administrateur·rice"


class EPCIKind(models.TextChoices):
    CC = "CC", "Communauté de communes"
    CA = "CA", "Communauté d'agglomération"
    CU = "CU", "Communauté urbaine"
    METRO = "METRO", "Métropole"
    MET69 = "MET69", "Métropole de Lyon"


# How a sentence names someone by their role, after « en tant que » or « comme » (core.grammar): a
# person, not a department (« membre de la direction ou élu·e », not « direction / élu·e »).
ROLE_AS = {
    Role.RECEPTION_AGENT: "agent d'accueil",
    Role.COORDINATOR: "coordinateur·rice ou travailleur·se social·e",
    Role.REGISTER_MANAGER: "gestionnaire du registre",
    Role.VOLUNTEER: "bénévole",
    Role.PARTNER: "professionnel·le partenaire",
    Role.DIRECTOR: "membre de la direction ou élu·e",
    Role.DPO: "délégué·e à la protection des données",
    Role.ADMIN: "administrateur·rice",
}


def role_as(role) -> str:
    """The role as a sentence names its holder: « agent d'accueil », « membre de la direction… »."""
    return ROLE_AS[Role(role)]
