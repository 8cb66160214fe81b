"""Reads of the directory, always scoped by the access policy (maillage.core.access)."""

import difflib

from django.db.models import Prefetch, Q, QuerySet

from maillage.core import access
from maillage.core.models import Commune, Organisation, User
from maillage.directory.models import Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from maillage.directory.search import normalise

DUPLICATE_RATIO = 0.8


def _with_details(qs: QuerySet) -> QuerySet:
    return qs.select_related("organisation", "last_verified_by").prefetch_related(
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location__commune"),
        ),
        "phones",
        "contacts",
        "regular_schedules",
        "schedule_exceptions",
        "languages",
        "accessibility",
        "capacities",
        Prefetch("terms", queryset=TaxonomyTerm.objects.select_related("taxonomy")),
        "communes_served",
    )


def service_list(*, actor: User, organisation: Organisation, filters: dict | None = None) -> QuerySet:
    """The services of `organisation` the actor may see (all of them for its members), for the staff list."""
    filters = filters or {}
    qs = access.services_visible_to(actor).filter(organisation=organisation)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("stale"):
        qs = qs.stale()
    return qs.select_related("organisation", "last_verified_by").prefetch_related(
        Prefetch("service_at_locations", queryset=ServiceAtLocation.objects.select_related("location__commune"))
    )


def service_get(*, actor: User, pk, action: str = "view") -> Service:
    """One service with everything its page shows, authorised for `action` (404 otherwise)."""
    service = access.get_service_for(actor, pk, action)
    return _with_details(Service.objects.filter(pk=service.pk)).get()


def public_service_get(*, pk) -> Service:
    from django.http import Http404

    service = _with_details(access.services_public().filter(pk=pk)).first()
    if service is None:
        raise Http404("Service introuvable.")
    return service


def service_possible_duplicates(*, name: str, commune: Commune | None, exclude_pk=None) -> list[Service]:
    """Services whose name looks like `name` and that are delivered in or serve the same commune."""
    if commune is None or not name:
        return []
    wanted = " ".join(normalise(name))
    candidates = (
        Service.objects.filter(Q(service_at_locations__location__commune=commune) | Q(communes_served=commune))
        .distinct()
        .values_list("pk", "name")
    )
    pks = [
        pk
        for pk, other in candidates
        if pk != exclude_pk
        and difflib.SequenceMatcher(None, wanted, " ".join(normalise(other))).ratio() >= DUPLICATE_RATIO
    ]
    return list(Service.objects.filter(pk__in=pks).select_related("organisation"))


def terms_of(slug: str) -> QuerySet:
    return TaxonomyTerm.objects.filter(taxonomy__slug=slug).order_by("position", "name")


def terms_of_many(slugs: list[str]) -> QuerySet:
    return TaxonomyTerm.objects.filter(taxonomy__slug__in=slugs).order_by("position", "name")


def term_groups(service: Service) -> dict[str, list[TaxonomyTerm]]:
    """A service's terms by vocabulary: needs, domains, publics, and others."""
    groups = {Taxonomy.NEEDS: [], Taxonomy.DOMAINS: [], Taxonomy.PUBLICS: []}
    for term in service.terms.all():
        groups.setdefault(term.taxonomy.slug, []).append(term)
    return {"needs": groups[Taxonomy.NEEDS], "domains": groups[Taxonomy.DOMAINS], "publics": groups[Taxonomy.PUBLICS]}
