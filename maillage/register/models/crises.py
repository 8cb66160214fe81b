"""Crises: an activation of the alert and emergency plan (« déclenchement du plan », CASF L116-3,
L121-6-1) for a heatwave, a cold spell, a flood, an epidemic or another event, and what was
transmitted to the prefect during it (CASF R121-11: the register is communicated to the prefect at
his request when the plan is activated)."""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from maillage.core.models import Commune, Organisation
from maillage.register.enums import CrisisKind, CrisisLevel

# Guide VISA, « Un outil de partage d'informations »: the data shared for the crisis « sont détruites
# dans le délai de trois mois suivant la levée » of the emergency.
CRISIS_DATA_KEPT_FOR = relativedelta(months=3)


class CrisisQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(ended_at__isnull=True)


class Crisis(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="crises")
    kind = models.CharField("événement", max_length=15, choices=CrisisKind.choices)
    title = models.CharField("intitulé", max_length=150, blank=True, help_text="Par exemple « Canicule de juillet ».")
    level = models.PositiveSmallIntegerField("niveau", choices=CrisisLevel.choices, default=CrisisLevel.ALERT)
    communes = models.ManyToManyField(Commune, related_name="+", verbose_name="communes concernées")
    started_at = models.DateTimeField("déclenché le", default=timezone.now)
    planned_end_on = models.DateField("fin prévue le", null=True, blank=True)
    ended_at = models.DateTimeField("levé le", null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="déclenché par"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="levé par",
    )
    # Set by the retention task when the crisis's shared data has been destroyed.
    purged_at = models.DateTimeField("données détruites le", null=True, blank=True, editable=False)

    objects = CrisisQuerySet.as_manager()

    class Meta:
        verbose_name = "crise"
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return self.title or f"{self.get_kind_display()} du {timezone.localtime(self.started_at):%d/%m/%Y}"

    @property
    def is_in_progress(self) -> bool:
        return self.ended_at is None

    @property
    def purge_due_on(self) -> datetime.date | None:
        """The day the crisis's data must be gone: three months after it ended (guide VISA)."""
        if self.ended_at is None:
            return None
        return timezone.localdate(self.ended_at) + CRISIS_DATA_KEPT_FOR

    def clean(self):
        if self.ended_at and self.started_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": "La levée ne peut pas précéder le déclenchement."})
        if self.planned_end_on and self.started_at and self.planned_end_on < timezone.localdate(self.started_at):
            raise ValidationError({"planned_end_on": "La fin prévue ne peut pas précéder le déclenchement."})


class PrefectTransmission(models.Model):
    """One transmission of the register to the prefect: who produced it, when, how many entries and
    which fields (never the file itself, which leaves by download only)."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="transmissions")
    produced_at = models.DateTimeField(default=timezone.now)
    produced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    entry_count = models.PositiveIntegerField(default=0)
    fields = models.JSONField(default=list)
    file_format = models.CharField(max_length=10, default="csv")

    class Meta:
        verbose_name = "transmission au préfet"
        ordering = ["-produced_at"]

    def __str__(self):
        return f"Transmission au préfet n° {self.pk}"
