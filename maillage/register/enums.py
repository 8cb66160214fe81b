"""Choices of the register of vulnerable persons and its call campaigns.

Sources: CASF art. L121-6-1 and R121-2 to R121-12 (the communal register, « plan d'alerte et
d'urgence »); guide VISA (« Veille contre l'Isolement Social des Âgés », 2020), fiches « Recourir
au registre communal », « Organiser une campagne d'appels », « Orienter les personnes ».
"""

from django.db import models


class EntryStatus(models.TextChoices):
    PENDING_CONSENT = "pending_consent", "En attente du consentement"
    ACTIVE = "active", "Inscrite"
    SUSPENDED = "suspended", "Suspendue"
    REMOVED = "removed", "Radiée"


class EntrySource(models.TextChoices):
    """Who asked for the registration (CASF R121-2: the person, their legal representative, or a
    third party in writing; guide VISA: partners and the lists transmitted by the département, the
    Carsat and the CAF)."""

    SELF = "self", "La personne elle-même"
    LEGAL_REPRESENTATIVE = "legal_representative", "Son représentant légal"
    THIRD_PARTY = "third_party", "Un proche ou un tiers, par écrit"
    PARTNER = "partner", "Un professionnel partenaire"
    DEPARTEMENT_LIST = "departement_list", "Liste transmise par le département"
    CAF_LIST = "caf_list", "Liste transmise par la CAF"
    PENSION_FUND_LIST = "pension_fund_list", "Liste transmise par une caisse de retraite"

    @classmethod
    def needs_consent(cls, source) -> bool:
        """A registration asked by someone else stays pending until the person agrees (guide VISA:
        « il sera cependant nécessaire de recueillir le consentement de la personne »). A legal
        representative acts for the person (CASF R121-2)."""
        return source not in (cls.SELF, cls.LEGAL_REPRESENTATIVE)


class LegalCategory(models.TextChoices):
    """The three qualities under which a person may be on the register (CASF L121-6-1, R121-2)."""

    AGED_65 = "aged_65", "Personne âgée de 65 ans et plus"
    AGED_60_UNFIT = "aged_60_unfit", "Personne de plus de 60 ans reconnue inapte au travail"
    DISABLED_ADULT = "disabled_adult", "Personne adulte handicapée"


class IsolationFactor(models.TextChoices):
    LIVES_ALONE = "lives_alone", "Vit seule"
    NO_FAMILY_NEARBY = "no_family_nearby", "Pas de famille à proximité"
    FEW_VISITS = "few_visits", "Peu ou pas de visites"
    REDUCED_MOBILITY = "reduced_mobility", "Se déplace difficilement"
    RECENT_BEREAVEMENT = "recent_bereavement", "Deuil récent"
    CARER_ABSENT = "carer_absent", "Aidant absent ou épuisé"
    NO_INTERNET = "no_internet", "Sans accès à internet"
    UPPER_FLOOR_NO_LIFT = "upper_floor_no_lift", "Étage sans ascenseur"
    HOUSING_HOT = "housing_hot", "Logement difficile à rafraîchir ou à chauffer"


class Priority(models.IntegerChoices):
    HIGH = 1, "Prioritaire"
    NORMAL = 2, "Normale"


class CrisisKind(models.TextChoices):
    HEATWAVE = "heatwave", "Canicule"
    COLD = "cold", "Grand froid"
    FLOOD = "flood", "Inondation"
    EPIDEMIC = "epidemic", "Épidémie"
    OTHER = "other", "Autre événement"


class CrisisLevel(models.IntegerChoices):
    """The four levels of the national heatwave plan (« plan national canicule », since 2004; the
    extreme-cold plan uses the same scale), each tied to a colour of Météo-France's vigilance map:
    1 « veille saisonnière » (green, from 1 June to 15 September), 2 « avertissement chaleur »
    (yellow), 3 « alerte canicule » (orange, declared by the prefect: it is the level that activates
    the register's calls), 4 « mobilisation maximale » (red, declared nationally). Used for every
    kind of event, hence the words without « chaleur » / « canicule »."""

    WATCH = 1, "Niveau 1 : veille saisonnière (vigilance verte)"
    WARNING = 2, "Niveau 2 : avertissement (vigilance jaune)"
    ALERT = 3, "Niveau 3 : alerte (vigilance orange)"
    MAXIMUM = 4, "Niveau 4 : mobilisation maximale (vigilance rouge)"


class CallPurpose(models.TextChoices):
    """Guide VISA: a first evaluation call, then watch calls (« vigilance ») for a worrying situation
    or friendly calls (« convivialité »); and the yearly confirmation of the registration."""

    EVALUATION = "evaluation", "Appel d'évaluation"
    WATCH = "watch", "Appel de vigilance"
    FRIENDLY = "friendly", "Appel de convivialité"
    CONFIRMATION = "confirmation", "Confirmation de l'inscription"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "En préparation"
    OPEN = "open", "En cours"
    CLOSED = "closed", "Terminée"


class CallStatus(models.TextChoices):
    TO_DO = "to_do", "À faire"
    ASSIGNED = "assigned", "Attribué"
    RETRY = "retry", "À rappeler"
    DONE = "done", "Terminé"
    CANCELLED = "cancelled", "Annulé"


class Outcome(models.TextChoices):
    """What a call found (issue 13, point 4)."""

    REACHED_FINE = "reached_fine", "Jointe, tout va bien"
    NEEDS_FOUND = "needs_found", "Jointe, des besoins repérés"
    NOT_REACHED = "not_reached", "Pas de réponse"
    UNREACHABLE = "unreachable", "Injoignable après le dernier essai"
    REFUSED = "refused", "Refuse l'appel"
    IN_HOSPITAL = "in_hospital", "Hospitalisée"
    DECEASED = "deceased", "Décédée"
    MOVED = "moved", "A déménagé"


# Outcomes that end a call (NOT_REACHED leaves it to retry, until the last try makes it UNREACHABLE).
FINAL_OUTCOMES = frozenset(set(Outcome) - {Outcome.NOT_REACHED})
REACHED_OUTCOMES = frozenset({Outcome.REACHED_FINE, Outcome.NEEDS_FOUND})


class EscalationReason(models.TextChoices):
    UNREACHABLE = "unreachable", "Injoignable après tous les essais"
    VERY_FRAGILE = "very_fragile", "Grande fragilité (niveau 4)"
    DANGER = "danger", "Danger signalé par l'appelant"


class EscalationHandling(models.TextChoices):
    HOME_VISIT = "home_visit", "Visite à domicile"
    EMERGENCY_SERVICES = "emergency_services", "Services d'urgence prévenus"
    REACHED_OTHERWISE = "reached_otherwise", "Personne jointe autrement (proche, voisin, professionnel)"
    OTHER = "other", "Autre suite"
