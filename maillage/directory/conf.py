"""The directory's settings and their defaults. Read with getattr so that core settings stay untouched."""

from django.conf import settings

DEFAULT_FRESHNESS_DAYS = 365
MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 20


def freshness_days() -> int:
    """After this many days without a check, a service is flagged « à vérifier »."""
    return int(getattr(settings, "MAILLAGE_DIRECTORY_FRESHNESS_DAYS", DEFAULT_FRESHNESS_DAYS))
