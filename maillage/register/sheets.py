"""Printable call sheets (issue 13, point 8) for callers who work on paper: the minimal sheet of each
call (register.sharing.caller_sheet, nothing else), the guide's key points, and boxes to tick for the
outcome and the needs. One page per call, or one compact table."""

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from maillage.people.models import PersonAddress
from maillage.register.enums import CallStatus
from maillage.register.forms_campaigns import CALLER_OUTCOMES
from maillage.register.models import Call
from maillage.register.sharing import caller_sheet


def sheet_calls(campaign, caller):
    """The open calls of `caller` in the campaign (None: the calls nobody has yet), in calling order."""
    calls = campaign.calls.all()
    if caller is None:
        calls = calls.filter(status=CallStatus.TO_DO, assigned_to__isnull=True)
    else:
        calls = calls.filter(assigned_to=caller, status__in=[CallStatus.ASSIGNED, CallStatus.RETRY])
    return (
        calls.select_related("person", "entry")
        .prefetch_related(
            Prefetch("person__addresses", queryset=PersonAddress.objects.select_related("commune")),
            "person__phones",
            "person__emails",
            "person__relations",
        )
        .order_by("entry__priority", "due_at", "pk")
    )


def sheets_context(campaign, caller, calls: list[Call]) -> dict:
    return {
        "campaign": campaign,
        "organisation": campaign.organisation,
        "caller": caller,
        "sheets": [{"call": call, "sheet": caller_sheet(call)} for call in calls],
        "sections": campaign.script_sections(),
        "outcomes": [label for _, label in CALLER_OUTCOMES],
        "needs": [label for _, label in ESSENTIAL_NEEDS],
        "tries": range(1, campaign.max_attempts + 1),
        "today": timezone.localdate(),
    }


def sheets_html(campaign, caller, calls, *, compact: bool) -> str:
    template = "register/pdf/call_table.html" if compact else "register/pdf/call_sheets.html"
    return render_to_string(template, sheets_context(campaign, caller, list(calls)))
