"""Start-up checks: production refuses demo accounts (the settings refuse DEBUG and weak keys)."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError


def _demo_accounts_count() -> int:
    from maillage.core.models import User

    try:
        return User.objects.filter(is_demo=True, is_active=True).count()
    except DatabaseError:
        return 0  # tables not created yet: nothing to refuse


@register("maillage", deploy=True)
def check_no_demo_accounts(app_configs=None, **kwargs):
    if settings.MAILLAGE_DEMO_ACCOUNTS_ALLOWED:
        return []
    count = _demo_accounts_count()
    if count:
        return [
            Error(
                f"La base contient {count} compte(s) de démonstration : supprimez-les "
                "(manage.py purge_demo_accounts) avant de servir en production.",
                id="maillage.E001",
            )
        ]
    return []


def assert_safe_to_serve() -> None:
    """Called by the WSGI entry point: a production process does not start with demo accounts."""
    errors = check_no_demo_accounts()
    if errors:
        raise ImproperlyConfigured(errors[0].msg)
