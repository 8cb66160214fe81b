"""Assessments of a person's situation, versioned and signed (CLIC level 2: « évaluation
personnalisée de la situation et des besoins de la personne »).

One `Assessment` per subject of evaluation (the ten essential needs, the AGGIR grid, a fragility
screening, the carer's situation); each signature fixes a `AssessmentVersion` that is never changed
again: a later change opens a new version, the previous ones are kept and can be compared.
Answers are stored as the form gave them (`answers`), with what was computed from them
(`results`: AGGIR levels and GIR, fragility score and level), so that a version reads the same
years later even if the rules change (the fragility grid's version is stored with it).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from maillage.core.models import Organisation
from maillage.people.models import Person, Relation


class AssessmentKind(models.TextChoices):
    NEEDS = "needs", "Les dix besoins essentiels"
    AGGIR = "aggir", "Grille AGGIR (autonomie)"
    FRAGILITY = "fragility", "Repérage de la fragilité"
    CARER = "carer", "Situation de l'aidant·e"


class Assessment(models.Model):
    """One subject of evaluation for one person, carried by the organisation that assesses."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessments")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="structure"
    )
    kind = models.CharField("type d'évaluation", max_length=12, choices=AssessmentKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="créée par"
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    # Optimistic locking of the draft edits (core.versioning): bumped by every save of a version,
    # draft or new, and by a signature. Not the numbered AssessmentVersion: a counter of writes.
    version = models.PositiveIntegerField("version", default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "évaluation"

    def __str__(self):
        return f"{self.get_kind_display()} — {self.person}"

    @property
    def latest_version(self):
        return self.versions.order_by("-number").first()

    @property
    def latest_signed_version(self):
        return self.versions.filter(signed_at__isnull=False).order_by("-number").first()


class AssessmentVersion(models.Model):
    """One state of an assessment. A draft may change; a signed version is read-only."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("version")
    assessed_on = models.DateField("date de l'évaluation", default=timezone.localdate)
    answers = models.JSONField("réponses", default=dict)
    results = models.JSONField("résultats calculés", default=dict, blank=True)
    summary = models.TextField("synthèse", blank=True)
    # Denormalised results, for lists and comparisons over time.
    gir = models.PositiveSmallIntegerField("GIR", null=True, blank=True)
    fragility_level = models.PositiveSmallIntegerField("niveau de fragilité", null=True, blank=True)
    fragility_score = models.PositiveSmallIntegerField("score de fragilité", null=True, blank=True)
    grid_version = models.CharField("version de la grille", max_length=50, blank=True)
    carer_relation = models.ForeignKey(
        Relation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="aidant·e"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="auteur·rice"
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)
    signed_at = models.DateTimeField("signée le", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="signée par",
    )

    class Meta:
        ordering = ["assessment", "-number"]
        verbose_name = "version d'évaluation"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="assessment_version_unique_number"),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="assessment_version_signed_with_signer",
            ),
        ]

    def __str__(self):
        return f"{self.assessment} — version {self.number}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def clean(self):
        if self.fragility_level is not None and not 1 <= self.fragility_level <= 4:
            raise ValidationError({"fragility_level": "Le niveau de fragilité va de 1 à 4."})
        if self.gir is not None and not 1 <= self.gir <= 6:
            raise ValidationError({"gir": "Le GIR va de 1 à 6."})
