from django.db import models


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SENT = "sent", "Envoyée"
    RECEIVED = "received", "Reçue"
    ACCEPTED = "accepted", "Acceptée"
    DECLINED = "declined", "Refusée"
    REDIRECTED = "redirected", "Réorientée"
    IN_PROGRESS = "in_progress", "En cours"
    CLOSED = "closed", "Clôturée"
    CANCELLED = "cancelled", "Annulée"


class ReferralUrgency(models.TextChoices):
    NORMAL = "normal", "Habituelle"
    SOON = "soon", "Dans la semaine"
    URGENT = "urgent", "Urgente (sous 48 heures)"


class ReferralOutcome(models.TextChoices):
    NEED_MET = "need_met", "Besoin satisfait"
    PARTLY_MET = "partly_met", "Besoin satisfait en partie"
    NOT_MET = "not_met", "Besoin non satisfait"
    PERSON_DECLINED = "person_declined", "La personne a renoncé"


class FirstContactResult(models.TextChoices):
    """Whether the first contact with the partner took place (point 4 of issue 14)."""

    HAPPENED = "happened", "A eu lieu"
    NOT_HAPPENED = "not_happened", "N'a pas eu lieu"
    UNKNOWN = "unknown", "On ne sait pas"
