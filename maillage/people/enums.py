from django.db import models


class Sex(models.TextChoices):
    FEMALE = "F", "Femme"
    MALE = "M", "Homme"
    UNKNOWN = "U", "Non renseigné"


class HousingSituation(models.TextChoices):
    OWNER = "owner", "Propriétaire"
    TENANT = "tenant", "Locataire (parc privé)"
    SOCIAL_TENANT = "social_tenant", "Locataire (logement social)"
    HOSTED = "hosted", "Hébergé·e chez un tiers"
    INSTITUTION = "institution", "En établissement (EHPAD, foyer…)"
    EMERGENCY = "emergency", "Hébergement d'urgence"
    NO_HOME = "no_home", "Sans domicile stable"
    OTHER = "other", "Autre"
    UNKNOWN = "unknown", "Non renseigné"


class LegalProtection(models.TextChoices):
    """Measures of the Code civil (art. 425 and following)."""

    NONE = "none", "Aucune"
    SAUVEGARDE = "sauvegarde", "Sauvegarde de justice"
    CURATELLE = "curatelle", "Curatelle simple"
    CURATELLE_RENFORCEE = "curatelle_renforcee", "Curatelle renforcée"
    TUTELLE = "tutelle", "Tutelle"
    HABILITATION_FAMILIALE = "habilitation_familiale", "Habilitation familiale"
    MANDAT_PROTECTION_FUTURE = "mandat_protection_future", "Mandat de protection future"
    UNKNOWN = "unknown", "Non renseigné"


class SocialSecurityScheme(models.TextChoices):
    GENERAL = "general", "Régime général (CPAM)"
    AGRICULTURAL = "agricultural", "Régime agricole (MSA)"
    CIVIL_SERVANTS = "civil_servants", "Fonction publique"
    SPECIAL = "special", "Régime spécial (SNCF, RATP, marins…)"
    OTHER = "other", "Autre"
    UNKNOWN = "unknown", "Non renseigné"


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    LANDLINE = "landline", "Fixe"
    OTHER = "other", "Autre"


class RelationKind(models.TextChoices):
    INFORMAL_CARER = "informal_carer", "Aidant·e"
    FAMILY = "family", "Famille"
    NEIGHBOUR = "neighbour", "Voisin·e"
    LEGAL_REPRESENTATIVE = "legal_representative", "Représentant·e légal·e"
    PROFESSIONAL = "professional", "Professionnel·le"
    TRUSTED_PERSON = "trusted_person", "Personne de confiance"
    OTHER = "other", "Autre"


class ConsentScope(models.TextChoices):
    """What a person agreed to (RGPD art. 6 and 7; guide VISA, registre: consent required)."""

    PROCESSING = "processing", "Traitement de ses données par la structure"
    SHARING = "sharing", "Partage avec un partenaire nommé"
    REGISTER = "register", "Inscription au registre des personnes vulnérables"
    INFORMATION = "information", "Recevoir des informations (lettre, prévention)"
    # Only the set of one referral, to the partner named (referrals.sharing): never the care team's
    # whole-file sharing that SHARING opens (core.access.grants).
    REFERRAL = "referral", "Orientation vers un partenaire nommé (informations de l'orientation seulement)"


class ConsentChannel(models.TextChoices):
    ORAL = "oral", "Oral (recueilli par un agent)"
    SIGNED_PAPER = "signed_paper", "Papier signé"
    ONLINE = "online", "En ligne"


class ConsentGiver(models.TextChoices):
    PERSON = "person", "La personne elle-même"
    LEGAL_REPRESENTATIVE = "legal_representative", "Son représentant légal"
    RELATIVE = "relative", "Un proche (avec l'accord de la personne)"
