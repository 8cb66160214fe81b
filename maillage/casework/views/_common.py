"""Helpers shared by the casework views of assessments, plans and follow-up."""

from django.http import Http404
from django.urls import NoReverseMatch, reverse

from maillage.core import access


def person_file_url(person) -> str:
    """The person's file page (people:detail), or the list of persons' pages is not installed yet."""
    try:
        return reverse("people:detail", args=[person.pk])
    except NoReverseMatch:
        return ""


def person_context(request, person) -> dict:
    """What every casework page about a person shows: the person, the link back to their file,
    and what the user may do (from core/access.py)."""
    return {
        "person": person,
        "person_url": person_file_url(person),
        "can_assess": access.can_assess_person(request.user, request.organisation, person),
        "can_follow": access.can_write_followup(request.user, request.organisation, person),
    }


def grant_for(request, pk, part, action: str = "view"):
    """The grant opening the person's `part` to the user, for `action`: "view" (whoever the grant
    lets read it), "assess" (coordinators of the responsible organisation) or "follow" (those, and
    the members of the care team whose place opens the file). 404 otherwise."""
    grant = access.person_grant_for(request, pk, part)
    allowed = {
        "view": lambda *args: True,
        "assess": access.can_assess_person,
        "follow": access.can_write_followup,
    }[action]
    if not allowed(request.user, request.organisation, grant.person):
        raise Http404("Personne introuvable.")
    return grant
