"""Callers of the call campaigns: the minimum issue 13 needs (point 6); the volunteer module of a
later issue grows from here.

A **caller profile** says that a member of an organisation (a volunteer, or an agent the register
manager added) may be given calls there: the languages they speak besides French, when they are
available, whether they still take calls, and which version of the confidentiality charter they
signed and when. One profile per account and organisation: a person who volunteers for two communes
has two, each with its own charter signature. Who may actually take a call is decided by
`core.access.can_take_calls`, never by reading these fields by hand.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from maillage.core.models import Organisation, User
from maillage.directory.enums import Weekday
from maillage.volunteers import charter
from maillage.volunteers.languages import LANGUAGE_NAMES, language_labels


def hour(value) -> str:
    """« 9 h », « 14 h 30 »: a time as French writes it."""
    return f"{value.hour} h" if not value.minute else f"{value.hour} h {value.minute:02d}"


class CallerProfileQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class CallerProfile(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="caller_profiles", verbose_name="compte")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="caller_profiles", verbose_name="structure"
    )
    #: Codes of `volunteers.languages.LANGUAGES`; French is implied.
    languages = models.JSONField("langues parlées en plus du français", default=list, blank=True)
    is_active = models.BooleanField("prend des appels", default=True)
    charter_signed_at = models.DateTimeField("charte signée le", null=True, blank=True)
    charter_version = models.CharField("version de la charte signée", max_length=20, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = CallerProfileQuerySet.as_manager()

    class Meta:
        verbose_name = "profil d'appelant·e"
        verbose_name_plural = "profils d'appelant·es"
        ordering = ["user__last_name", "user__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="caller_profile_unique_user_organisation")
        ]

    def __str__(self):
        return f"{self.user.get_full_name()} — {self.organisation}"

    def clean(self):
        errors = {}
        if not isinstance(self.languages, list) or not all(isinstance(code, str) for code in self.languages):
            errors["languages"] = "« Langues parlées » : une liste de langues est attendue."
        else:
            unknown = [code for code in self.languages if code not in LANGUAGE_NAMES]
            if unknown:
                errors["languages"] = (
                    "« Langues parlées » : langue inconnue de la liste ("
                    + ", ".join(unknown)
                    + ") ; le français est toujours compris."
                )
            elif len(set(self.languages)) != len(self.languages):
                errors["languages"] = "« Langues parlées » : une langue est cochée deux fois."
        if bool(self.charter_signed_at) != bool(self.charter_version):
            errors["charter_version"] = (
                "« Charte » : une signature a une date et une version, l'une ne va pas sans l'autre."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def has_signed_current_charter(self) -> bool:
        """The charter in force is signed (an older version does not count)."""
        return self.charter_signed_at is not None and self.charter_version == charter.VERSION

    @property
    def language_labels(self) -> list[str]:
        return language_labels(self.languages)

    def availability_summary(self) -> str:
        """The slots in words: « lundi de 9 h à 12 h et de 14 h à 17 h ; jeudi de 10 h à 12 h »; with no
        slot, what that means for dispatch (`volunteers.selectors.is_available_at`)."""
        slots = sorted(self.slots.all(), key=lambda s: (s.weekday, s.start))
        if not slots:
            return "Aucun créneau indiqué : disponible à tout moment"
        days: dict[int, list[str]] = {}
        for slot in slots:
            days.setdefault(slot.weekday, []).append(f"de {hour(slot.start)} à {hour(slot.end)}")
        parts = [f"{Weekday(day).label.lower()} {' et '.join(spans)}" for day, spans in days.items()]
        text = " ; ".join(parts)
        return text[0].upper() + text[1:]


class AvailabilitySlot(models.Model):
    """A weekly span when the caller may be given calls (local time, Europe/Paris)."""

    profile = models.ForeignKey(CallerProfile, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField("jour", choices=Weekday.choices)
    start = models.TimeField("début")
    end = models.TimeField("fin")

    class Meta:
        verbose_name = "créneau de disponibilité"
        verbose_name_plural = "créneaux de disponibilité"
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="availability_slot_start_before_end"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_slot_weekday_0_6"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} de {hour(self.start)} à {hour(self.end)}"

    def clean(self):
        if self.start is None or self.end is None or self.weekday is None:
            return  # the missing field has its own « required » message
        if self.start >= self.end:
            raise ValidationError(
                {"end": f"« Fin » : l'heure de fin doit venir après l'heure de début ({hour(self.start)})."}
            )
        overlapping = (
            AvailabilitySlot.objects.filter(
                profile_id=self.profile_id, weekday=self.weekday, start__lt=self.end, end__gt=self.start
            )
            .exclude(pk=self.pk)
            .first()
        )
        if overlapping is not None:
            raise ValidationError({"start": f"« Début » : ce créneau chevauche celui du {str(overlapping).lower()}."})
