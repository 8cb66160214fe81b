"""The personalised care plan (CLIC level 2 « plan d'aide individualisé ») and the life project
with its action plan (CLIO « projet de vie individuel, ainsi qu'un plan d'action »): one model, two
kinds, the wording adapted to each.

Goals answer needs (the ten essential needs of the VISA guide, directory terms); actions say who
does what, when, at what cost and paid by whom; reviews are dated and reminded to the coordinator.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from maillage.casework.models.care_team import CareTeamMember
from maillage.core.models import Organisation
from maillage.directory.models import Service, TaxonomyTerm
from maillage.people.models import Person


class PlanKind(models.TextChoices):
    CARE_PLAN = "care_plan", "Plan d'aide personnalisé"
    LIFE_PROJECT = "life_project", "Projet de vie et plan d'action"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "En préparation"
    ACTIVE = "active", "En cours"
    CLOSED = "closed", "Terminé"


class AgreementChannel(models.TextChoices):
    ORAL = "oral", "Accord oral, recueilli lors d'un entretien"
    SIGNED_PAPER = "signed_paper", "Plan signé sur papier"
    REPRESENTATIVE = "representative", "Accord de son représentant légal"
    OTHER = "other", "Autre"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Réalisée"
    CANCELLED = "cancelled", "Annulée"


class FundingSource(models.TextChoices):
    NONE = "none", "Gratuit"
    APA = "apa", "APA (allocation personnalisée d'autonomie)"
    PCH = "pch", "PCH (prestation de compensation du handicap)"
    PENSION_FUND = "pension_fund", "Caisse de retraite"
    CCAS_DISCRETIONARY = "ccas_discretionary", "CCAS — aide facultative"
    MUTUAL = "mutual", "Mutuelle"
    HEALTH_INSURANCE = "health_insurance", "Assurance maladie"
    SELF = "self", "La personne elle-même"
    OTHER = "other", "Autre financeur"


class CostPeriod(models.TextChoices):
    ONCE = "once", "en une fois"
    MONTH = "month", "par mois"
    WEEK = "week", "par semaine"
    HOUR = "hour", "de l'heure"


class CarePlan(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_plans")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="structure"
    )
    kind = models.CharField("type de plan", max_length=15, choices=PlanKind.choices, default=PlanKind.CARE_PLAN)
    title = models.CharField("titre", max_length=200)
    wishes = models.TextField(
        "ce que la personne souhaite",
        blank=True,
        help_text="Avec ses mots. Pour un projet de vie : ses projets, ce qui compte pour elle.",
    )
    status = models.CharField("état", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coordinated_plans",
        verbose_name="coordinateur·rice",
    )
    starts_on = models.DateField("début", default=timezone.localdate)
    next_review_on = models.DateField("prochaine révision", null=True, blank=True)
    review_reminder_sent_for = models.DateField(
        "rappel envoyé pour la révision du", null=True, blank=True, editable=False
    )
    agreed_on = models.DateField("accord de la personne le", null=True, blank=True)
    agreement_channel = models.CharField(
        "comment l'accord a été donné", max_length=15, choices=AgreementChannel.choices, blank=True
    )
    agreement_note = models.CharField("précisions sur l'accord", max_length=250, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    # Optimistic locking (core.versioning): the form carries the version it was read at.
    version = models.PositiveIntegerField("version", default=1, editable=False)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = "plan d'aide ou projet de vie"
        verbose_name_plural = "plans d'aide et projets de vie"

    def __str__(self):
        return f"{self.title} — {self.person}"

    @property
    def is_life_project(self) -> bool:
        return self.kind == PlanKind.LIFE_PROJECT

    def clean(self):
        if self.agreed_on and not self.agreement_channel:
            raise ValidationError({"agreement_channel": "Indiquez comment la personne a donné son accord."})
        if self.agreement_channel and not self.agreed_on:
            raise ValidationError({"agreed_on": "Indiquez la date de l'accord de la personne."})
        if self.agreed_on and self.agreed_on > timezone.localdate():
            raise ValidationError({"agreed_on": "La date de l'accord ne peut pas être dans le futur."})
        if self.next_review_on and self.starts_on and self.next_review_on < self.starts_on:
            raise ValidationError({"next_review_on": "La révision ne peut pas précéder le début du plan."})


class CarePlanGoal(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    need = models.ForeignKey(
        TaxonomyTerm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="besoin essentiel",
    )
    description = models.CharField("objectif", max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "pk"]
        verbose_name = "objectif"

    def __str__(self):
        return self.description


class CarePlanAction(models.Model):
    """Who does what, when, for how much and paid by whom. "Who" is one of: a partner organisation,
    a service of the directory, a member of the person's care team, or a name (a relative)."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(
        CarePlanGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions", verbose_name="objectif"
    )
    what = models.CharField("ce qui est fait", max_length=300)
    what_plain = models.CharField(
        "en mots simples, pour la personne",
        max_length=300,
        blank=True,
        help_text="Par exemple : « Une aide à domicile vient faire le ménage le mardi matin. »",
    )
    provider_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="structure"
    )
    provider_service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="service de l'annuaire",
    )
    provider_member = models.ForeignKey(
        CareTeamMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="membre de l'équipe",
    )
    provider_name = models.CharField(
        "autre intervenant·e", max_length=200, blank=True, help_text="Un proche, la personne elle-même…"
    )
    contact_phone = models.CharField("téléphone à appeler", max_length=20, blank=True)
    starts_on = models.DateField("début", null=True, blank=True)
    ends_on = models.DateField("fin", null=True, blank=True)
    frequency = models.CharField(
        "fréquence", max_length=100, blank=True, help_text="Par exemple : 2 heures par semaine."
    )
    cost = models.DecimalField(
        "coût (€)", max_digits=9, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    cost_period = models.CharField("coût", max_length=5, choices=CostPeriod.choices, default=CostPeriod.MONTH)
    funding = models.CharField("financement", max_length=20, choices=FundingSource.choices, default=FundingSource.NONE)
    funding_note = models.CharField("précisions sur le financement", max_length=200, blank=True)
    status = models.CharField("état", max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "starts_on", "pk"]
        verbose_name = "action du plan"
        verbose_name_plural = "actions du plan"

    def __str__(self):
        return self.what

    @property
    def provider_label(self) -> str:
        if self.provider_service_id:
            return f"{self.provider_service.name} ({self.provider_service.organisation.name})"
        if self.provider_member_id:
            return str(self.provider_member)
        if self.provider_organisation_id:
            return self.provider_organisation.name
        return self.provider_name

    @property
    def phone_to_call(self) -> str:
        if self.contact_phone:
            return self.contact_phone
        if self.provider_member_id and self.provider_member.phone:
            return self.provider_member.phone
        if self.provider_service_id:
            phone = self.provider_service.phones.first()
            if phone:
                return phone.number
        if self.provider_organisation_id:
            return self.provider_organisation.phone
        return ""

    def clean(self):
        providers = [self.provider_organisation_id, self.provider_service_id, self.provider_member_id]
        given = sum(1 for p in providers if p) + (1 if self.provider_name.strip() else 0)
        if given == 0:
            raise ValidationError(
                {
                    "provider_organisation": "Indiquez qui réalise l'action : une structure, un service, un membre "
                    "de l'équipe ou un autre intervenant."
                }
            )
        if given > 1:
            raise ValidationError(
                {"provider_organisation": "Indiquez un seul intervenant pour cette action (une action chacun)."}
            )
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "La fin de l'action ne peut pas précéder son début."})
        if self.provider_member_id and self.plan_id and self.provider_member.person_id != self.plan.person_id:
            raise ValidationError({"provider_member": "Ce professionnel n'est pas dans l'équipe de cette personne."})
        if self.goal_id and self.plan_id and self.goal.plan_id != self.plan_id:
            raise ValidationError({"goal": "Cet objectif appartient à un autre plan."})
        if self.cost is not None and self.cost > 0 and self.funding == FundingSource.NONE:
            raise ValidationError({"funding": "Une action payante indique son financement."})


class CarePlanReview(models.Model):
    """A review of the plan held on a date, with what was decided and the next review date."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField("révision faite le", default=timezone.localdate)
    note = models.TextField("ce qui a été constaté et décidé")
    next_review_on = models.DateField("prochaine révision", null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = "révision du plan"
        verbose_name_plural = "révisions du plan"

    def __str__(self):
        return f"Révision du {self.held_on:%d/%m/%Y}"

    def clean(self):
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": "Une révision faite ne peut pas être datée dans le futur."})
        if self.next_review_on and self.held_on and self.next_review_on <= self.held_on:
            raise ValidationError({"next_review_on": "La prochaine révision vient après celle-ci."})
