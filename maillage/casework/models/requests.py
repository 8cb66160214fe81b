"""Requests (« demandes ») and contacts with a person.

Every request an organisation receives is logged, even an anonymous one: the CLIO counts the
persons « non répertoriées dans le système » (seed 002, chiffres clés), the CLIC counts its level-1
answers (seed 000: niveau 1 accueil, écoute, information; niveau 2 évaluation et plan d'aide;
niveau 3 suivi et coordination).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from maillage.core.models import Organisation
from maillage.directory.models import Service, TaxonomyTerm
from maillage.people.models import Person

# A request takes at most a working day of one agent: a larger figure is a typing error.
MAX_TIME_SPENT_MINUTES = 600
# Clocks of the agent's computer and of the server may differ a little.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


class RequesterKind(models.TextChoices):
    PERSON = "person", "La personne elle-même"
    RELATIVE = "relative", "Un proche (famille, aidant, voisin)"
    PROFESSIONAL = "professional", "Un·e professionnel·le"
    ANONYMOUS = "anonymous", "Anonyme"


class RequestChannel(models.TextChoices):
    PHONE = "phone", "Téléphone"
    WALK_IN = "walk_in", "Accueil physique"
    EMAIL = "email", "Courriel"
    LETTER = "letter", "Courrier"
    HOME_VISIT = "home_visit", "Visite à domicile"
    ONLINE_FORM = "online_form", "Formulaire en ligne"


class ResponseLevel(models.IntegerChoices):
    """The CLIC's three levels of service (seed 000)."""

    INFORMATION = 1, "Niveau 1 — information, orientation"
    ASSESSMENT = 2, "Niveau 2 — évaluation et plan d'aide"
    COORDINATION = 3, "Niveau 3 — suivi et coordination"


class RequestOutcome(models.TextChoices):
    ANSWERED = "answered", "Réponse apportée"
    ORIENTED = "oriented", "Orientée vers un partenaire"
    ASSESSMENT_PLANNED = "assessment_planned", "Évaluation programmée"
    FOLLOW_UP_OPENED = "follow_up_opened", "Suivi ouvert"
    CALL_BACK = "call_back", "À rappeler"
    NO_FURTHER_ACTION = "no_further_action", "Sans suite"


# Outcomes that leave something to do: each becomes a follow-up someone owns, with a due date, open
# until closed with its note. « Réponse apportée » and « Sans suite » end the request there.
NEXT_STEP_OUTCOMES = frozenset(
    {
        RequestOutcome.CALL_BACK,
        RequestOutcome.ORIENTED,
        RequestOutcome.ASSESSMENT_PLANNED,
        RequestOutcome.FOLLOW_UP_OPENED,
    }
)
# Due date when none is given: a call-back the next day, any other next step within a week.
DEFAULT_DUE_DAYS = {RequestOutcome.CALL_BACK: 1}
DEFAULT_DUE_DAYS_OTHER = 7


def default_due_date(outcome: str, received_on: datetime.date) -> datetime.date:
    return received_on + datetime.timedelta(days=DEFAULT_DUE_DAYS.get(outcome, DEFAULT_DUE_DAYS_OTHER))


class ContactKind(models.TextChoices):
    VISIT = "visit", "Visite"
    PHONE_IN = "phone_in", "Appel reçu"
    PHONE_OUT = "phone_out", "Appel passé"
    EMAIL = "email", "Courriel"
    LETTER = "letter", "Courrier"
    MEETING = "meeting", "Rendez-vous, entretien"


def validate_not_future(value: datetime.datetime) -> None:
    if value and value > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError("La date ne peut pas être dans le futur.", code="future")


_TIME_SPENT_VALIDATORS = [
    MinValueValidator(0, message="Le temps passé ne peut pas être négatif."),
    MaxValueValidator(
        MAX_TIME_SPENT_MINUTES,
        message=f"Le temps passé ne peut pas dépasser {MAX_TIME_SPENT_MINUTES} minutes (10 heures).",
    ),
]


class RequestQuerySet(models.QuerySet):
    def anonymous(self):
        """Requests counted without a person record."""
        return self.filter(person__isnull=True)

    def follow_ups(self):
        """Requests that left a next step to someone (open or closed)."""
        return self.filter(follow_up_owner__isnull=False)

    def open_follow_ups(self):
        return self.follow_ups().filter(closed_at__isnull=True)

    def overdue(self, today: datetime.date | None = None):
        return self.open_follow_ups().filter(follow_up_due__lt=today or timezone.localdate())


class Request(models.Model):
    """A request received by an organisation (« accueil, écoute, demande »)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="casework_requests", verbose_name="structure"
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,  # the request stays counted when the record goes
        null=True,
        blank=True,
        related_name="requests",
        verbose_name="personne concernée",
    )
    requester_kind = models.CharField(
        "demandeur", max_length=15, choices=RequesterKind.choices, default=RequesterKind.PERSON
    )
    requester_name = models.CharField("nom du demandeur", max_length=200, blank=True)
    requester_organisation = models.CharField("structure du demandeur", max_length=200, blank=True)
    channel = models.CharField("canal", max_length=15, choices=RequestChannel.choices, default=RequestChannel.PHONE)
    subjects = models.ManyToManyField(
        TaxonomyTerm, blank=True, related_name="casework_requests", verbose_name="objets de la demande"
    )
    level = models.PositiveSmallIntegerField(
        "niveau de réponse", choices=ResponseLevel.choices, default=ResponseLevel.INFORMATION
    )
    documents_given = models.TextField("documents remis", blank=True)
    services_given = models.ManyToManyField(
        Service, blank=True, related_name="casework_requests", verbose_name="services de l'annuaire remis"
    )
    time_spent_minutes = models.PositiveSmallIntegerField(
        "temps passé (minutes)", default=0, validators=_TIME_SPENT_VALIDATORS
    )
    outcome = models.CharField("suite donnée", max_length=20, choices=RequestOutcome.choices)
    notes = models.TextField("remarques", blank=True)
    received_at = models.DateTimeField("reçue le", default=timezone.now, validators=[validate_not_future])
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="traitée par"
    )
    # The next step (outcomes in NEXT_STEP_OUTCOMES): who owns it, for when, and its closing.
    follow_up_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="casework_follow_ups",
        verbose_name="suite confiée à",
    )
    follow_up_due = models.DateField("à faire pour le", null=True, blank=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="close par",
    )
    closing_note = models.TextField("issue de la demande", blank=True)
    # « Orientée vers un partenaire »: the directory's service, and when. The trace the referrals
    # module will pick up (decisions.md, « the reception's orientation »).
    oriented_to = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="casework_orientations",
        verbose_name="service partenaire",
    )
    oriented_on = models.DateField("orientée le", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = "demande"
        indexes = [
            models.Index(fields=["organisation", "-received_at"], name="request_org_received_idx"),
            models.Index(fields=["person", "-received_at"], name="request_person_received_idx"),
            models.Index(fields=["follow_up_owner", "follow_up_due"], name="request_follow_up_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(requester_kind="anonymous", person__isnull=False),
                name="request_anonymous_without_person",
            ),
            models.CheckConstraint(
                condition=models.Q(time_spent_minutes__lte=MAX_TIME_SPENT_MINUTES),
                name="request_time_spent_bounded",
            ),
        ]

    def __str__(self):
        when = timezone.localtime(self.received_at).strftime("%d/%m/%Y %H:%M")
        return f"Demande du {when} ({self.get_channel_display().lower()})"

    @property
    def is_anonymous(self) -> bool:
        return self.person_id is None

    @property
    def needs_next_step(self) -> bool:
        return self.outcome in NEXT_STEP_OUTCOMES

    @property
    def is_follow_up_open(self) -> bool:
        return self.follow_up_owner_id is not None and self.closed_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_follow_up_open and self.follow_up_due is not None and self.follow_up_due < timezone.localdate()

    def clean(self):
        self.requester_name = self.requester_name.strip()
        self.requester_organisation = self.requester_organisation.strip()
        if self.requester_kind == RequesterKind.ANONYMOUS and self.person_id:
            raise ValidationError({"person": "Une demande anonyme ne peut pas être rattachée à une personne."})
        if self.requester_kind == RequesterKind.ANONYMOUS and self.requester_name:
            raise ValidationError({"requester_name": "Une demande anonyme ne comporte pas de nom de demandeur."})
        if self.requester_kind == RequesterKind.PERSON and not self.person_id:
            raise ValidationError(
                {"person": "Choisissez la personne ou créez sa fiche ; sinon, enregistrez une demande anonyme."}
            )
        if self.requester_kind == RequesterKind.PROFESSIONAL and not self.requester_organisation:
            raise ValidationError(
                {"requester_organisation": "Indiquez la structure du ou de la professionnel·le qui appelle."}
            )
        self._clean_next_step()

    def _clean_next_step(self):
        """An outcome that leaves something to do has an owner and a due date; an orientation names
        the partner's service. Other outcomes carry none of them."""
        errors = {}
        if self.needs_next_step:
            if not self.follow_up_owner_id:
                errors["follow_up_owner"] = "Indiquez qui donne la suite à cette demande."
            if not self.follow_up_due:
                errors["follow_up_due"] = "Indiquez pour quand la suite est à donner."
            elif self.received_at and self.follow_up_due < timezone.localtime(self.received_at).date():
                errors["follow_up_due"] = "La suite ne peut pas être à donner avant la date de la demande."
        else:
            self.follow_up_owner = None
            self.follow_up_due = None
        if self.outcome == RequestOutcome.ORIENTED:
            if not self.oriented_to_id:
                errors["oriented_to"] = "Choisissez dans l'annuaire le service vers lequel la demande est orientée."
            if not self.oriented_on and self.received_at:
                self.oriented_on = timezone.localtime(self.received_at).date()
        else:
            self.oriented_to = None
            self.oriented_on = None
        if self.closed_at and not self.closing_note.strip():
            errors["closing_note"] = "Indiquez l'issue de la demande pour la clore."
        if errors:
            raise ValidationError(errors)


class Contact(models.Model):
    """Any contact with a person: visit, phone call, e-mail, letter, meeting (« entretien »)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts", verbose_name="personne")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="casework_contacts", verbose_name="structure"
    )
    request = models.ForeignKey(
        Request,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name="demande liée",
    )
    kind = models.CharField("type de contact", max_length=15, choices=ContactKind.choices)
    occurred_at = models.DateTimeField("date", default=timezone.now, validators=[validate_not_future])
    duration_minutes = models.PositiveSmallIntegerField(
        "durée (minutes)", default=0, validators=_TIME_SPENT_VALIDATORS
    )
    summary = models.TextField("résumé")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="auteur·rice"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = "contact"
        indexes = [models.Index(fields=["person", "-occurred_at"], name="contact_person_occurred_idx")]

    def __str__(self):
        when = timezone.localtime(self.occurred_at).strftime("%d/%m/%Y %H:%M")
        return f"{self.get_kind_display()} du {when}"

    def clean(self):
        self.summary = (self.summary or "").strip()
        if not self.summary:
            raise ValidationError({"summary": "Résumez le contact en quelques mots."})
        if self.request_id and self.person_id and self.request.person_id not in (None, self.person_id):
            raise ValidationError({"request": "La demande liée concerne une autre personne."})
