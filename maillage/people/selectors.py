"""Reads about persons, always scoped by core.access."""

from django.db.models import Prefetch

from maillage.core import access
from maillage.core.models import Organisation, User
from maillage.people import search as person_search
from maillage.people.models import Person, PersonAddress


def person_search_list(*, actor: User, organisation: Organisation | None, query: str):
    """The persons the user may open, matching the search box, best first."""
    scoped = access.persons_visible_to(actor, organisation).active()
    results, parsed = person_search.search(scoped, query)
    return _with_header_data(results), parsed


def person_recent_list(*, actor: User, organisation: Organisation | None, limit: int = 15):
    scoped = access.persons_visible_to(actor, organisation).active()
    return _with_header_data(scoped.order_by("-last_activity_at")[:limit])


def _with_header_data(persons):
    pks = [p.pk for p in persons]
    by_pk = (
        Person.objects.filter(pk__in=pks)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "addresses",
                queryset=PersonAddress.objects.filter(is_current=True).select_related("commune"),
                to_attr="current_addresses",
            ),
            "phones",
        )
        .in_bulk()
    )
    return [by_pk[pk] for pk in pks if pk in by_pk]


def person_get(
    *, actor: User | None = None, organisation: Organisation | None = None, pk=None, action: str = "view", grant=None
) -> Person:
    """The person's file header data, authorised: by a grant already obtained, or by `action`."""
    person = grant.person if grant is not None else access.get_person_for(actor, organisation, pk, action)
    return (
        Person.objects.select_related("organisation", "created_by")
        .prefetch_related("phones", "emails", "addresses__commune")
        .get(pk=person.pk)
    )


def possible_duplicates(*, actor: User, organisation: Organisation, data: dict):
    """Persons of the organisation that look like the one about to be created."""
    scoped = access.persons_visible_to(actor, organisation).filter(organisation=organisation)
    return person_search.likely_duplicates(
        scoped,
        last_name=data.get("last_name", ""),
        first_names=data.get("first_names", ""),
        birth_name=data.get("birth_name", ""),
        birth_date=data.get("birth_date"),
    )


BREAK_GLASS_MAX_CANDIDATES = 10


def break_glass_candidates(*, actor: User, organisation: Organisation, last_name: str, birth_date):
    """For an emergency: persons of other organisations whose last name (usage or birth) is exactly
    this one and born that day. The name is matched in the database before any limit (the right
    person is never cut off by other persons born the same day), a first name matches nothing,
    and at most BREAK_GLASS_MAX_CANDIDATES are listed. Minimal data only (name, birth year,
    organisation) until an access is granted."""
    from maillage.people import normalise

    if not access.can_break_glass(actor, organisation):
        return []
    wanted = normalise.text(last_name)
    if not wanted:
        return []
    candidates = (
        Person.objects.filter(birth_date=birth_date, search_names__contains=wanted)
        .exclude(organisation=organisation)
        .select_related("organisation")
        .order_by("pk")
    )
    exact = (p for p in candidates.iterator() if wanted in (normalise.text(p.last_name), normalise.text(p.birth_name)))
    return [p for _, p in zip(range(BREAK_GLASS_MAX_CANDIDATES), exact, strict=False)]
