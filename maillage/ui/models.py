"""The deploying organisation's identity, shown by the neutral theme (decisions.md, item 35)."""

from django.conf import settings
from django.db import models

from maillage.ui.colours import validate_primary_colour

DEFAULT_PRIMARY_COLOUR = "#1d4f8c"


class SiteIdentity(models.Model):
    """One row (pk 1), edited in the technical administration: who deploys this instance. Read once
    per page (one query); absent, the defaults apply."""

    SINGLETON_PK = 1

    name = models.CharField(
        "nom de l'organisation",
        max_length=150,
        blank=True,
        help_text="Affiché en tête de chaque page, des PDF et des courriels (par exemple « CCAS de Dijon »).",
    )
    logo = models.BinaryField("logo", blank=True, null=True, editable=False)
    logo_content_type = models.CharField(max_length=40, blank=True, editable=False)
    primary_colour = models.CharField(
        "couleur principale",
        max_length=7,
        default=DEFAULT_PRIMARY_COLOUR,
        validators=[validate_primary_colour],
        help_text="Format #rrggbb ; contraste d'au moins 4,5:1 avec le blanc (bandeau, boutons, liens).",
    )
    legal_notice_url = models.URLField("adresse des mentions légales", blank=True)
    personal_data_url = models.URLField("adresse de la page données personnelles", blank=True)
    accessibility_url = models.URLField("adresse de la déclaration d'accessibilité", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "identité de l'organisation"
        verbose_name_plural = "identité de l'organisation"

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "SiteIdentity":
        """The identity (one query), or an unsaved one with the defaults."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls()

    @property
    def display_name(self) -> str:
        return self.name or settings.MAILLAGE_SITE_NAME

    @property
    def has_logo(self) -> bool:
        return bool(self.logo)

    @property
    def version(self) -> str:
        """Changes whenever the identity does: the theme stylesheet's and the logo's addresses carry it,
        so that browsers may keep them for a year."""
        return str(int(self.updated_at.timestamp())) if self.updated_at else "0"
