from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from maillage.core import access, audit, selectors
from maillage.core.forms import AuditFilterForm


@require_http_methods(["GET"])
def audit_log(request):
    """The data-protection officer's searchable audit trail of their organisation."""
    organisation = request.organisation
    if organisation is None or not access.can_view_audit_log(request.user, organisation):
        raise Http404("Page introuvable.")
    # Logged first, so that the list read below is consistent (count and page include this line).
    audit.record_access(request, organisation, what="Journal d'audit")
    entries = access.audit_entries_visible_to(request.user, organisation)
    content_types = ContentType.objects.filter(pk__in=entries.values("content_type")).order_by("model")
    form = AuditFilterForm(request.GET or None, content_types=content_types)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(
        selectors.audit_entry_list(actor=request.user, organisation=organisation, filters=filters), 50
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "organisation": organisation,
        "query": query.urlencode(),
        "retention_days": audit.retention_period().days,
    }
    template = "core/includes/_audit_results.html" if request.htmx else "core/audit_log.html"
    return render(request, template, context)
