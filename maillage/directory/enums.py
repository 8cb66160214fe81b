from django.db import models


class ServiceStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publié"


class OfferKind(models.TextChoices):
    """Kind of offer (glossary: annuaire — formal, ordinary but accessible, volunteer)."""

    SPECIALISED = "specialised", "Service spécialisé"
    ORDINARY_ACCESSIBLE = "ordinary_accessible", "Service ordinaire accessible"
    VOLUNTEER = "volunteer", "Initiative bénévole"


class FeeKind(models.TextChoices):
    FREE = "free", "Gratuit"
    PAID = "paid", "Payant"
    MEANS_TESTED = "means_tested", "Selon les ressources"


class AccessibilityFeature(models.TextChoices):
    STEP_FREE = "step_free", "Accès de plain-pied ou ascenseur"
    HEARING_LOOP = "hearing_loop", "Boucle magnétique"
    SIGN_LANGUAGE = "sign_language", "Accueil en langue des signes (LSF)"
    EASY_READ = "easy_read", "Documents en FALC (facile à lire et à comprendre)"
    HOME_VISITS = "home_visits", "Intervention à domicile"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Lundi"
    TUESDAY = 1, "Mardi"
    WEDNESDAY = 2, "Mercredi"
    THURSDAY = 3, "Jeudi"
    FRIDAY = 4, "Vendredi"
    SATURDAY = 5, "Samedi"
    SUNDAY = 6, "Dimanche"


class Proximity(models.TextChoices):
    """How far from the chosen commune a search reaches (communes have no coordinates yet)."""

    COMMUNE = "commune", "Dans la commune"
    EPCI = "epci", "Dans l'intercommunalité"
    DEPARTEMENT = "departement", "Dans le département"
    EVERYWHERE = "partout", "Partout, les plus proches d'abord"


# Access modalities: how a person reaches the service (HSDS `application_process`, structured).
ACCESS_MODES = {
    "walk_in": "Sans rendez-vous",
    "by_appointment": "Sur rendez-vous",
    "on_referral_only": "Uniquement sur orientation d'un professionnel",
    "by_phone": "Par téléphone",
}
