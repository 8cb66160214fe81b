"""Reads of the directory, always scoped by the access policy (maillage.core.access)."""

import difflib
import re

from django.db.models import Prefetch, Q, QuerySet

from maillage.core import access
from maillage.core.ids import parse_id
from maillage.core.models import Commune, Organisation, User
from maillage.core.territories import name_pattern
from maillage.directory.models import Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from maillage.directory.search import SearchFilters, normalise, search_services

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


def service_choices(*, actor: User, query: str, chosen_id, limit: int) -> tuple[Service | None, list[Service]]:
    """A service to pick from the directory (a request's partner, a plan action's provider): the one
    already chosen, if the actor may see it, and at most `limit` others matching `query`, ranked as the
    search ranks them. Nothing is searched for an empty query."""
    visible = access.services_visible_to(actor)
    chosen_pk = parse_id(str(chosen_id or ""))
    chosen = visible.select_related("organisation").filter(pk=chosen_pk).first() if chosen_pk else None
    if not query.strip():
        return chosen, []
    result = search_services(
        visible.exclude(pk=chosen.pk) if chosen else visible,
        SearchFilters(q=query),
        page=1,
        page_size=limit,
        with_facets=False,
    )
    return chosen, list(result.page)


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


COMMUNE_SUGGESTIONS = 10
SAINT = re.compile(r"^(st|ste)(?=[\s\-'’])", re.IGNORECASE)


def commune_suggestions(text: str) -> list[Commune]:
    """The communes a person may mean while typing (the staff form's search list): those whose name
    starts with the text (accents, case and hyphens aside, « St »/« Ste » written out), or whose postal
    code does; the most populated first. Public data: no scope."""
    text = " ".join((text or "").split())[:100]
    if len(text) < 2:
        return []
    communes = Commune.objects.filter(parent=None).select_related("departement").order_by("-population", "name")
    if text.isdigit():
        found = [
            c
            for c in communes.filter(postal_codes__icontains=text)[:200]
            if any(p.startswith(text) for p in c.postal_codes or [])
        ]
        return found[:COMMUNE_SUGGESTIONS]
    text = SAINT.sub(lambda m: "saint" if m[1].lower() == "st" else "sainte", text)
    prefix = name_pattern(text).removesuffix("$")
    return list(communes.filter(name__iregex=prefix)[:COMMUNE_SUGGESTIONS])
