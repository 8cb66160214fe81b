"""Call campaigns, calls, their tries, escalations and sponsorships (guide VISA, « Organiser une
campagne d'appels »: an interview guide, calls split among volunteers, a first evaluation call then
watch or friendly calls, sponsorship)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from maillage.core.models import Organisation
from maillage.people.models import Person
from maillage.register.enums import (
    CallPurpose,
    CallStatus,
    CampaignStatus,
    EscalationHandling,
    EscalationReason,
    Outcome,
)
from maillage.register.models.crises import Crisis
from maillage.register.models.entries import RegisterEntry

# The interview guide's sections, in the guide's order (guide VISA, « Établir un guide d'entretien »).
SCRIPT_SECTIONS = (
    ("script_introduction", "Se présenter"),
    ("script_listening", "La posture d'écoute"),
    ("script_questions", "Questions sur la situation de la personne"),
    ("script_offer", "Ce que la commune propose"),
    ("script_advice", "Conseils d'hygiène et de santé pour cet événement"),
    ("script_numbers", "Numéros utiles et d'urgence"),
)


class CallCampaign(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="call_campaigns")
    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, null=True, blank=True, related_name="campaigns", verbose_name="crise"
    )
    title = models.CharField("intitulé", max_length=150)
    purpose = models.CharField(
        "type d'appels", max_length=15, choices=CallPurpose.choices, default=CallPurpose.EVALUATION
    )
    status = models.CharField("état", max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    # What the campaign was built from: {"priority": 1, "communes": ["35238"], "neighbourhoods": [...]}.
    selection = models.JSONField("sélection", default=dict, blank=True)
    callers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="appelants")
    max_attempts = models.PositiveSmallIntegerField("nombre d'essais", default=3)
    # Minutes before each new try: growing intervals (issue 13: three tries by default, a setting).
    retry_delays = models.JSONField("délais avant un nouvel essai (minutes)", default=list, blank=True)
    # The organisation's standing campaign of follow-up calls (« Appels de suivi »): the friendly calls
    # planned after a call (services.orientation) and the sponsors' calls live there, outside any crisis,
    # so that closing a crisis campaign does not cancel them. One open at a time, created on demand.
    standing = models.BooleanField("campagne permanente des appels de suivi", default=False, editable=False)

    script_introduction = models.TextField("se présenter", blank=True)
    script_listening = models.TextField("la posture d'écoute", blank=True)
    script_questions = models.TextField("questions sur la situation de la personne", blank=True)
    script_offer = models.TextField("ce que la commune propose", blank=True)
    script_advice = models.TextField("conseils d'hygiène et de santé", blank=True)
    script_numbers = models.TextField("numéros utiles et d'urgence", blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "campagne d'appels"
        verbose_name_plural = "campagnes d'appels"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(standing=True, status="open"),
                name="register_one_open_standing_campaign",
            )
        ]

    def __str__(self):
        return self.title

    def script_sections(self):
        """The interview guide's filled sections, in order: [(title, text)]."""
        return [(title, getattr(self, name)) for name, title in SCRIPT_SECTIONS if getattr(self, name).strip()]

    def clean(self):
        if self.max_attempts < 1 or self.max_attempts > 10:
            raise ValidationError({"max_attempts": "Le nombre d'essais va de 1 à 10."})
        delays = self.retry_delays or []
        if not all(isinstance(d, int) and d > 0 for d in delays):
            raise ValidationError({"retry_delays": "Chaque délai est un nombre entier de minutes, supérieur à 0."})


class CallQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[CallStatus.TO_DO, CallStatus.ASSIGNED, CallStatus.RETRY])


class Call(models.Model):
    """One call to make to one registered person, from the first try to its outcome."""

    campaign = models.ForeignKey(CallCampaign, on_delete=models.CASCADE, related_name="calls")
    entry = models.ForeignKey(RegisterEntry, on_delete=models.CASCADE, related_name="calls")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")  # the entry's, for queries
    purpose = models.CharField("type d'appel", max_length=15, choices=CallPurpose.choices)
    status = models.CharField(
        "état", max_length=10, choices=CallStatus.choices, default=CallStatus.TO_DO, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="appelant",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # Not before: a retry, a watch call tomorrow morning, a friendly call next week.
    due_at = models.DateTimeField("à faire à partir du", default=timezone.now, db_index=True)
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    outcome = models.CharField("issue", max_length=15, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The ten essential needs found (directory.taxonomies.ESSENTIAL_NEEDS codes).
    needs = models.JSONField("besoins repérés", default=list, blank=True)
    fragility_answers = models.JSONField(default=dict, blank=True)
    fragility_level = models.PositiveSmallIntegerField("niveau de fragilité", null=True, blank=True)
    note = models.TextField("remarques de l'appelant", blank=True)
    # The call this one follows (a watch call after an evaluation call).
    follows = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Bumped by every outcome: a form or API client carries the version it read, a stale one is refused.
    version = models.PositiveIntegerField(default=1)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = "appel"
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["campaign", "status", "due_at"]),
            models.Index(fields=["assigned_to", "status", "due_at"]),
            # `next_call` (decision « perf »): a caller's due calls in a campaign, in order, then the
            # shared pool's — only the open calls are in these, read straight in their order.
            models.Index(
                fields=["campaign", "assigned_to", "due_at", "id"],
                condition=models.Q(status__in=["assigned", "retry"]),
                name="register_call_own_due",
            ),
            models.Index(
                fields=["campaign", "due_at", "id"],
                condition=models.Q(status="to_do", assigned_to__isnull=True),
                name="register_call_pool_due",
            ),
        ]

    def __str__(self):
        return f"Appel n° {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (CallStatus.TO_DO, CallStatus.ASSIGNED, CallStatus.RETRY)


class CallAttempt(models.Model):
    """Each try of a call, as recorded: no outcome is ever overwritten."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="tries")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    note = models.TextField(blank=True)
    # An API client's key for this try: the same outcome posted twice is recorded once.
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "essai d'appel"
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="register_call_attempt_idempotent",
            )
        ]

    def __str__(self):
        return f"Essai d'appel n° {self.pk}"


class Escalation(models.Model):
    """A serious situation raised to the register manager; it stays on the dashboard until someone
    handles it and says how."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, null=True, blank=True, related_name="escalations")
    entry = models.ForeignKey(RegisterEntry, on_delete=models.CASCADE, related_name="escalations")
    reason = models.CharField("motif", max_length=15, choices=EscalationReason.choices)
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handling = models.CharField("suite donnée", max_length=20, choices=EscalationHandling.choices, blank=True)
    handling_note = models.TextField("précisions", blank=True)

    class Meta:
        verbose_name = "alerte"
        ordering = ["-raised_at", "-pk"]

    def __str__(self):
        return f"Alerte n° {self.pk}"


class Sponsorship(models.Model):
    """Parrainage: one volunteer keeps long-term friendly calls with one person (guide VISA)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(RegisterEntry, on_delete=models.CASCADE, related_name="sponsorships")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="bénévole"
    )
    started_on = models.DateField("depuis le", default=timezone.localdate)
    ended_on = models.DateField("jusqu'au", null=True, blank=True)
    every_days = models.PositiveSmallIntegerField("un appel tous les (jours)", default=7)
    # Spacing the calls out is prepared with the person (guide VISA): the manager plans a larger
    # interval (pending), the sponsor announces it during their next friendly call, and the interval
    # applies from the call after. The last announcement: when, who recorded it, during which call.
    pending_every_days = models.PositiveSmallIntegerField(
        "espacement prévu : un appel tous les (jours)", null=True, blank=True
    )
    pending_since = models.DateTimeField("espacement prévu le", null=True, blank=True)
    pending_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    spacing_announced_on = models.DateField("espacement annoncé à la personne le", null=True, blank=True)
    spacing_announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="annonce enregistrée par",
    )
    spacing_announced_call = models.ForeignKey(
        "register.Call", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField("précisions", max_length=250, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = "parrainage"
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=models.Q(ended_on__isnull=True), name="register_one_sponsor_at_a_time"
            )
        ]

    def __str__(self):
        return f"Parrainage n° {self.pk}"

    def clean(self):
        if self.every_days < 1 or self.every_days > 90:
            raise ValidationError({"every_days": "La fréquence va d'un appel par jour à un appel tous les 90 jours."})
        if self.pending_every_days is not None and not self.every_days < self.pending_every_days <= 90:
            raise ValidationError(
                {"every_days": "Un espacement prévu va au-delà de la fréquence actuelle, jusqu'à 90 jours."}
            )
