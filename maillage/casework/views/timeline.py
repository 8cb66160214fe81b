"""The person's timeline (« chronologie »): a page of its own, and the fragment the person's file
includes (`casework/includes/_timeline.html`), loaded older page by older page with htmx."""

import datetime
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods

from maillage.casework.selectors.timeline import DEFAULT_LIMIT, timeline_for, timeline_kinds
from maillage.core import access


def _before(value: str) -> datetime.datetime | None:
    try:
        parsed = parse_datetime(value or "")
    except ValueError:
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed


def timeline_context(request, grant, *, kinds=None, before=None) -> dict:
    """What `_timeline.html` needs; the person's file page calls it to include the fragment."""
    person = grant.person
    known = dict(timeline_kinds())
    kinds = [k for k in (kinds or []) if k in known]
    events = timeline_for(grant=grant, kinds=kinds or None, limit=DEFAULT_LIMIT, before=before)
    url = reverse("casework:timeline", args=[person.pk])
    more_url = ""
    if events.has_more:
        more_url = f"{url}?{urlencode([('avant', events.next_before.isoformat()), *[('type', k) for k in kinds]])}"
    chips = [
        {
            "kind": kind,
            "label": label,
            "selected": kind in kinds,
            "url": f"{url}?{urlencode([('type', k) for k in sorted(set(kinds) ^ {kind})])}".rstrip("?"),
        }
        for kind, label in known.items()
    ]
    return {
        "person": person,
        "events": events,
        "more_url": more_url,
        "chips": chips,
        "timeline_url": url,
        "is_more": before is not None,
    }


def _person_url(person) -> str:
    try:
        return reverse("people:detail", kwargs={"pk": person.pk})
    except NoReverseMatch:
        return ""


@require_http_methods(["GET"])
def timeline(request, pk):
    """The page, or (htmx) the fragment: the whole block when a filter chip is chosen, only the
    older events when « Voir plus » is."""
    grant = access.person_grant_for(request, pk, access.Part.TIMELINE)
    person = grant.person
    before = _before(request.GET.get("avant"))
    grant.record(request, "Chronologie (événements plus anciens)" if before else "Chronologie")
    context = timeline_context(request, grant, kinds=request.GET.getlist("type"), before=before)
    if request.htmx:
        template = (
            "casework/includes/_timeline_events.html" if context["is_more"] else "casework/includes/_timeline.html"
        )
        return render(request, template, context)
    context["person_url"] = _person_url(person)
    return render(request, "casework/timeline.html", context)
