"""Run a search through either of its two answers: one SQL statement (search._run), or the in-memory
index (search_index). The tests of search results run on both, and must see the same answers."""

from maillage.core.access import ServiceScope
from maillage.core.models import Organisation
from maillage.directory.search import index as search_index
from maillage.directory.search import search_services

PATHS = ["sql", "index"]


def everything() -> ServiceScope:
    """A scope holding every service: the drafts and published services of every organisation."""
    return ServiceScope(own_organisation_ids=frozenset(Organisation.objects.values_list("pk", flat=True)))


def search_by(path: str, filters, *, scope: ServiceScope | None = None, **kwargs):
    scope = scope or everything()
    result = search_services(scope.queryset(), filters, scope=scope if path == "index" else None, **kwargs)
    if path == "index" and kwargs.get("with_facets", True):
        assert search_index.usable_index() is not None, "l'index n'a pas répondu"
    return result
