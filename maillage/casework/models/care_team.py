import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from maillage.core.models import Organisation
from maillage.people.models import Person

BREAK_GLASS_MIN_REASON = 20
# Opening the whole file in an emergency needs a fuller justification than the minimal set.
BREAK_GLASS_FULL_MIN_REASON = 60


class CareTeamMemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


class CareTeamMember(models.Model):
    """A professional around the person: a Maillage user (of any organisation), who then may open
    the person's file, or an outside professional known by name and role only."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_teams",
        verbose_name="compte Maillage",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="structure"
    )
    name = models.CharField("nom (professionnel·le sans compte)", max_length=200, blank=True)
    role = models.CharField("rôle auprès de la personne", max_length=150, help_text="Par exemple : infirmière SSIAD.")
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    is_referent = models.BooleanField("référent·e de la situation", default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    removed_at = models.DateTimeField("retiré·e le", null=True, blank=True)

    objects = CareTeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ["-is_referent", "added_at"]
        verbose_name = "membre de l'équipe autour de la personne"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "user"],
                condition=models.Q(removed_at__isnull=True, user__isnull=False),
                name="care_team_one_active_membership_per_user",
            )
        ]

    def __str__(self):
        who = self.user.get_full_name() if self.user_id else self.name
        return f"{who} — {self.role}"

    def clean(self):
        if not self.user_id and not self.name:
            raise ValidationError({"name": "Indiquez un compte Maillage ou le nom du ou de la professionnel·le."})


class BreakGlassAccessQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(expires_at__gt=timezone.now())


class BreakGlassAccess(models.Model):
    """An emergency access to a person's file outside one's rights: a written reason, a short
    duration, and a flag on the data-protection officer's dashboard (architecture.md, rule 2)."""

    DURATION = datetime.timedelta(hours=4)

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="break_glass_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("motif")
    # What the emergency opens: the minimal set (identity, contacts, legal representative, care team,
    # the current plan's « who to call »), or the whole file for a coordinator with a longer reason
    # (core.access.grants).
    scope = models.CharField(
        "étendue",
        max_length=10,
        choices=[("minimal", "Informations d'urgence"), ("full", "Dossier complet")],
        default="minimal",
    )
    granted_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()

    objects = BreakGlassAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = "accès exceptionnel"
        verbose_name_plural = "accès exceptionnels"

    def __str__(self):
        return f"Accès exceptionnel de {self.user} à {self.person}"

    def clean(self):
        if len((self.reason or "").strip()) < BREAK_GLASS_MIN_REASON:
            raise ValidationError(
                {"reason": f"Expliquez le motif de l'accès en {BREAK_GLASS_MIN_REASON} caractères au moins."}
            )
        if self.scope == "full" and len((self.reason or "").strip()) < BREAK_GLASS_FULL_MIN_REASON:
            raise ValidationError(
                {
                    "reason": "Pour ouvrir le dossier complet, expliquez en "
                    f"{BREAK_GLASS_FULL_MIN_REASON} caractères au moins pourquoi l'urgence le demande."
                }
            )
