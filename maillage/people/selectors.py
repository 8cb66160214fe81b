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
    """Persons of the organisation that look like the one about to be created (merged files are
    left out by Person.objects; archived ones are kept: a new file may duplicate one)."""
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


def merge_candidates(*, actor: User, organisation: Organisation, kept: Person, query: str = ""):
    """The files that may be merged into `kept`: the organisation's files (archived ones too, not
    merged ones), other than `kept`, that look like it, or that match the search box when
    something is typed."""
    scoped = access.persons_visible_to(actor, organisation).filter(organisation=organisation).exclude(pk=kept.pk)
    if query:
        results, _parsed = person_search.search(scoped, query)
        return _with_header_data(results)
    found = person_search.likely_duplicates(
        scoped,
        last_name=kept.last_name,
        first_names=kept.first_names,
        birth_name=kept.birth_name,
        birth_date=kept.birth_date,
    )
    return _with_header_data(found)


# What the comparison lists of each file, beside the identity fields (the rest is counted).
_COMPARED_LISTS = {
    "people.PersonAddress",
    "people.PersonPhone",
    "people.PersonEmail",
    "people.Relation",
    "people.Consent",
    "casework.CareTeamMember",
}


def merge_comparison(kept: Person, duplicate: Person) -> dict:
    """Both files side by side: identity fields (with whether they differ), addresses, phones,
    e-mails, relations, consents in force and care team, and how many rows of every other kind
    each file holds (every model with a link to a person, found as the merge finds them)."""
    from maillage.people import services
    from maillage.people.forms import _shown

    identity = [
        {
            "name": name,
            "label": Person._meta.get_field(name).verbose_name,
            "kept": _shown(kept, name),
            "duplicate": _shown(duplicate, name),
            "differs": getattr(kept, name) != getattr(duplicate, name),
        }
        for name in services.PERSON_FIELDS
    ]

    def lists(person):
        return {
            "addresses": list(person.addresses.select_related("commune")),
            "phones": list(person.phones.all()),
            "emails": list(person.emails.all()),
            "relations": list(person.relations.all()),
            "consents": list(person.consents.in_force().select_related("partner")),
            "care_team": list(person.care_team.active().select_related("user")),
        }

    counts = []
    for model, field_name in services.merge_relations():
        if model._meta.label in _COMPARED_LISTS or field_name != "person":
            continue
        manager = model._base_manager
        counts.append(
            {
                "label": str(model._meta.verbose_name_plural).capitalize(),
                "kept": manager.filter(**{field_name: kept}).count(),
                "duplicate": manager.filter(**{field_name: duplicate}).count(),
            }
        )
    return {"identity": identity, "kept": lists(kept), "duplicate": lists(duplicate), "counts": counts}
