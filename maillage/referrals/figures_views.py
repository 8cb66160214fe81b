"""The referrals' figures page (issue 14, point 6): the organisation's referrals of a period in counts
and delays, for the observatory (ABS) and the activity report; `?format=csv` gives the same tables.
Kept apart from `views.py` (the lifecycle's pages)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from maillage.core import access
from maillage.referrals import figures, figures_tables, forms


def figure_parts(user, organisation) -> list[str]:
    """The parts of the figures the user reads for the organisation: « sent », « received », or none."""
    parts = []
    if access.can_view_sent_referral_figures(user, organisation):
        parts.append("sent")
    if access.can_view_received_referral_figures(user, organisation):
        parts.append("received")
    return parts


@require_http_methods(["GET"])
def referral_figures(request):
    """The figures of the referrals the organisation sent and of those addressed to it, each for the
    roles allowed to read that part (404 for anyone else). Counts and delays only: no person is read,
    so there is no opening to log."""
    organisation = request.organisation
    parts = figure_parts(request.user, organisation)
    if not parts:
        raise Http404("Page introuvable.")
    form = forms.FiguresPeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "organisation": organisation, "sections": [], "parts": parts}
        return render(request, "referrals/figures.html", context, status=400)
    period = form.cleaned_data["period"] if form.is_bound else figures.Period.current_year()
    computed = [
        figures.sent_figures(organisation, period)
        if side == "sent"
        else figures.received_figures(organisation, period)
        for side in parts
    ]
    if request.GET.get("format") == "csv":
        content = figures_tables.csv_bytes(organisation, period, computed)
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{figures_tables.file_name(period)}"'
        return response
    query = request.GET.copy()
    query["format"] = "csv"
    context = {
        "form": form,
        "organisation": organisation,
        "period": period,
        "parts": parts,
        "sections": [_section(side_figures) for side_figures in computed],
        "csv_url": f"{reverse('referrals:figures')}?{query.urlencode()}",
        "today": timezone.localdate(),
    }
    return render(request, "referrals/figures.html", context)


def _section(side_figures) -> dict:
    return {
        "key": "envoyees" if side_figures.side == "sent" else "recues",
        "title": figures_tables.SIDE_TITLES[side_figures.side],
        "total": side_figures.total,
        "summary": [(label, figures_tables.page_cell(n)) for label, n in figures_tables.summary_rows(side_figures)],
        "tables": [
            {
                "key": table.key,
                "title": table.title,
                "headers": table.headers,
                "note": table.note,
                "rows": [[figures_tables.page_cell(value) for value in row] for row in table.rows],
            }
            for table in figures_tables.side_tables(side_figures)
        ],
    }
