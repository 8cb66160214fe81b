"""Start-up checks of the theme settings (French messages, read by whoever deploys)."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Warning, register

from maillage.ui import themes


@register("maillage")
def check_theme(app_configs=None, **kwargs):
    theme = getattr(settings, "MAILLAGE_THEME", themes.NEUTRAL)
    if theme not in themes.THEMES:
        return [
            Error(
                f"MAILLAGE_THEME vaut « {theme} » : attendu « neutral » (par défaut) ou « dsfr ».",
                id="maillage.E101",
            )
        ]
    if theme == themes.DSFR and not themes.state_service():
        return [
            Error(
                "Le thème « dsfr » (Système de design de l'État) est réservé aux sites de l'État : ses "
                "conditions d'utilisation l'interdisent aux collectivités, CCAS, CIAS, associations et à "
                "tout autre acteur. Nommez le ministère ou le service de l'État qui exploite cette instance "
                "dans MAILLAGE_STATE_SERVICE, ou utilisez le thème « neutral ».",
                hint="Par exemple : MAILLAGE_STATE_SERVICE=« Ministère des Solidarités ».",
                id="maillage.E102",
            )
        ]
    return []


@register("maillage")
def check_front_end_packages(app_configs=None, **kwargs):
    """The neutral theme's fonts and scripts come from npm packages (package-lock.json)."""
    missing = [name for name, path in _vendor_files().items() if not Path(path).is_file()]
    if missing:
        return [
            Warning(
                f"Fichiers des paquets npm absents ({', '.join(sorted(missing)[:3])}…) : lancez « npm ci » "
                "(fait par make run et make test).",
                id="maillage.W103",
            )
        ]
    return []


def _vendor_files():
    from maillage.ui.finders import VENDOR_FILES

    return VENDOR_FILES
