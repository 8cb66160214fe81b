"""Referrals (« orientations »): a person oriented to a partner's service, from sending to outcome
(issue 14). The lifecycle is a table in `lifecycle.py`; every change goes through
`services.referral_transition`, which writes one `ReferralEvent` per change."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from maillage.core.models import Organisation
from maillage.core.validators import NoControlCharactersValidator
from maillage.directory.models import Service
from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from maillage.people.models import Consent, Person
from maillage.referrals.enums import FirstContactResult, ReferralOutcome, ReferralStatus, ReferralUrgency
from maillage.referrals.sharing import REFERRAL_TYPE_CHOICES

NEED_CODES = frozenset(code for code, _ in ESSENTIAL_NEEDS)

#: Statuses in which the receiving organisation reads the shared fields (its grant holds).
OPEN_FOR_PARTNER = (ReferralStatus.SENT, ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
#: Statuses after which nothing more happens.
FINAL = (ReferralStatus.DECLINED, ReferralStatus.REDIRECTED, ReferralStatus.CLOSED, ReferralStatus.CANCELLED)


class ReferralQuerySet(models.QuerySet):
    def open_for_partner(self):
        return self.filter(status__in=OPEN_FOR_PARTNER)


class Referral(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="referrals", verbose_name="personne")
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_sent", verbose_name="structure qui oriente"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="orientée par"
    )
    to_service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="referrals", verbose_name="service partenaire"
    )
    # The service's organisation when the referral was made: the partner who reads it, even if the
    # directory entry later moves.
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received", verbose_name="structure partenaire"
    )
    referral_type = models.CharField("type d'orientation", max_length=20, choices=REFERRAL_TYPE_CHOICES)
    reason = models.TextField("motif", validators=[NoControlCharactersValidator("Motif")])
    needs = models.JSONField("besoins", default=list, blank=True)
    urgency = models.CharField(
        "urgence", max_length=10, choices=ReferralUrgency.choices, default=ReferralUrgency.NORMAL
    )
    agreed_with_person = models.TextField("ce qui a été convenu avec la personne", blank=True)
    # The person's consent to share this referral's set with the partner (people.Consent, scope
    # « orientation », naming the partner). Required to send; a referral created by a redirection
    # to another organisation waits as a draft until the sender records it.
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="consentement"
    )
    shared_documents = models.ManyToManyField(
        "casework.Document", blank=True, related_name="+", verbose_name="documents partagés"
    )
    status = models.CharField("état", max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    outcome = models.CharField("issue", max_length=16, choices=ReferralOutcome.choices, blank=True)
    redirected_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="redirected_to",
        verbose_name="réorientation de",
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)
    received_at = models.DateTimeField("reçue le", null=True, blank=True)
    answered_at = models.DateTimeField("réponse le", null=True, blank=True)
    started_at = models.DateTimeField("commencée le", null=True, blank=True)
    ended_at = models.DateTimeField("terminée le", null=True, blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    # For a partner without an account (decision « nolink »): the address the link and its code go
    # to, given or confirmed by the sender (prefilled from the directory). Blank for a partner with
    # accounts, whose inbox receives the referral.
    recipient_email = models.EmailField("adresse du partenaire", blank=True)
    # The last day the partner was reminded that the referral waits for an answer (tasks.py).
    reminded_on = models.DateField("relancée le", null=True, blank=True, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "orientation"
        indexes = [
            # The partner's inbox: its counts by state and overdue, and the chosen tab's page in its
            # order (urgency, then the oldest sent), read from the index alone (bench/referrals.py).
            models.Index(
                fields=["to_organisation", "status", "-urgency", "sent_at", "id"], name="referral_inbox_order_idx"
            ),
            models.Index(fields=["person", "-created_at"], name="referral_person_idx"),
        ]

    def __str__(self):
        return f"Orientation n° {self.pk}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    def clean(self):
        errors = {}
        if (
            self.to_service_id
            and self.to_organisation_id
            and self.to_service.organisation_id != self.to_organisation_id
        ):
            errors["to_organisation"] = "La structure partenaire est celle du service choisi."
        if self.to_organisation_id and self.to_organisation_id == self.from_organisation_id:
            errors["to_service"] = (
                "Choisissez le service d'une autre structure : une orientation va vers un partenaire."
            )
        unknown = [code for code in self.needs or [] if code not in NEED_CODES]
        if unknown:
            errors["needs"] = "Un besoin choisi n'existe pas dans la liste des dix besoins essentiels."
        if self.person_id and self.from_organisation_id and self.person.organisation_id != self.from_organisation_id:
            errors["person"] = "Seule la structure responsable de la fiche oriente la personne."
        if errors:
            raise ValidationError(errors)


class ReferralEvent(models.Model):
    """One transition of a referral: who, for which organisation, when, from which state to which,
    and the reason or the outcome's note."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="par"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="pour")
    at = models.DateTimeField("le", default=timezone.now)
    from_status = models.CharField("de", max_length=12, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField("vers", max_length=12, choices=ReferralStatus.choices)
    note = models.TextField("motif ou précisions", blank=True)
    # A partner without an account answering through its link: no user, the address it answered from.
    actor_email = models.EmailField("partenaire sans compte (adresse)", blank=True)
    # A partner's software answering through the partner API (decision 60): the key it used.
    api_key = models.ForeignKey(
        "core.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par la clé d'API",
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "étape d'une orientation"

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class FirstContact(models.Model):
    """The help given to make the first contact with the partner (issue 14, point 4): an appointment
    booked for the person (when, where or how), who goes with them, then whether it took place.
    Either side records it (`first_contact.py`); each change writes a `FirstContactEvent`."""

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, primary_key=True, related_name="first_contact", verbose_name="orientation"
    )
    appointment_booked = models.BooleanField("rendez-vous pris pour la personne", default=False)
    appointment_at = models.DateTimeField("date et heure du rendez-vous", null=True, blank=True)
    appointment_place = models.CharField(
        "lieu ou moyen du rendez-vous",
        max_length=200,
        blank=True,
        validators=[NoControlCharactersValidator("Lieu ou moyen")],
    )
    accompanied_by = models.CharField(
        "accompagnée par",
        max_length=200,
        blank=True,
        validators=[NoControlCharactersValidator("Accompagnée par")],
    )
    result = models.CharField("premier contact", max_length=16, choices=FirstContactResult.choices, blank=True)
    result_reason = models.TextField(
        "pourquoi il n'a pas eu lieu", blank=True, validators=[NoControlCharactersValidator("Motif")]
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "premier contact accompagné"

    def __str__(self):
        return f"Premier contact de l'orientation n° {self.referral_id}"

    def to_confirm(self, now=None) -> bool:
        """A booked appointment whose time has passed with no answer yet: « à confirmer »."""
        now = now or timezone.now()
        return bool(self.appointment_booked and self.appointment_at and self.appointment_at <= now and not self.result)


class FirstContactEvent(models.Model):
    """One change of a referral's first contact: who, for which organisation, when, and what was
    recorded (a sentence, as shown in the history and on the person's timeline)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="first_contact_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="par"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="pour")
    at = models.DateTimeField("le", default=timezone.now)
    summary = models.TextField("ce qui a été noté")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "étape du premier contact"

    def __str__(self):
        return self.summary


class ReferralLink(models.Model):
    """The link e-mailed to a partner without an account (decision « nolink »): only the hash of its
    token and of its one-time code are kept. It expires after REFERRALS_LINK_DAYS and is revoked when
    the referral ends; its code (6 digits, sent on request to the same address) is valid 10 minutes
    and locks after 5 wrong tries."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="links")
    email = models.EmailField("adresse")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    code_failures = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "lien d'orientation"

    def __str__(self):
        return f"Lien de l'orientation n° {self.referral_id}"
