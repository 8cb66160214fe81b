"""The register's public ways in (issue 13, point 2): no login, rate-limited.

- « S'inscrire au registre » lists the organisations that keep a register
  (`selectors.entries.register_keepers`: an active mairie, CCAS or CIAS with an active register
  manager) and leads to their forms;
- the online form, to register oneself (consent given online: active at once) or a relative (pending
  until the person agrees);
- the paper form (PDF) with the same fields and the consent text, to print, fill in and send back;
- the report form for a third party (a neighbour, a pharmacist, a partner): a pending entry.

Every answer page says the same whether the person was already on the register or not: nobody
learns from these forms who is on it."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from maillage.core import ratelimit
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors
from maillage.core.models import Organisation
from maillage.core.pdf import html_to_pdf
from maillage.people.enums import RelationKind
from maillage.register import texts
from maillage.register.enums import EntrySource, IsolationFactor, LegalCategory
from maillage.register.forms.entries import REPORTER_KINDS, WHO_CHOICES, PublicRequestForm, ThirdPartyReportForm
from maillage.register.selectors.entries import register_keepers, served_communes
from maillage.register.services.public import entry_request_public

# Sending a form: a few per hour per client address (a family may register two parents; a robot
# may not fill the register). Printing the paper form: as the directory's public print.
SEND_LIMIT, SEND_WINDOW = 10, 3600
PRINT_LIMIT, PRINT_WINDOW = 20, 600


def _keeper(pk) -> Organisation:
    organisation = register_keepers().filter(pk=pk).first()
    if organisation is None:
        raise Http404("Cette structure ne tient pas de registre des personnes vulnérables.")
    return organisation


def _limited(request, what: str):
    key = f"register-public-send:{ratelimit.requester_key(request)}"
    if not ratelimit.hit(key, limit=SEND_LIMIT, window_seconds=SEND_WINDOW):
        return ratelimit.too_many_requests(request, what=what, limit=SEND_LIMIT, window_seconds=SEND_WINDOW)
    return None


@login_not_required
@require_http_methods(["GET"])
def public_index(request):
    """The organisations whose register takes requests online, with their communes."""
    return render(request, "register/public/index.html", {"keepers": register_keepers()})


@login_not_required
@require_http_methods(["GET", "POST"])
def public_request(request, organisation_pk):
    organisation = _keeper(organisation_pk)
    communes = served_communes(organisation)
    form = PublicRequestForm(request.POST or None, communes=communes)
    if request.method == "POST":
        refused = _limited(request, "l'envoi du formulaire d'inscription")
        if refused:
            return refused
        if form.is_valid():
            try:
                entry_request_public(
                    organisation=organisation,
                    person_data=form.person_data(),
                    address=form.address(),
                    phone=form.cleaned_data["phone"],
                    email=form.cleaned_data["email"],
                    contact=form.contact(),
                    data=form.entry_data(),
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                who = "moi" if form.cleaned_data["who"] == EntrySource.SELF else "proche"
                done = reverse("register:public_request_done", args=[organisation.pk])
                return redirect(f"{done}?pour={who}")
    context = {
        "organisation": organisation,
        "form": form,
        "consent_text": texts.consent_text(organisation),
        "information_text": texts.information_text(organisation),
    }
    return render(request, "register/public/request.html", context)


@login_not_required
@require_http_methods(["GET"])
def public_request_done(request, organisation_pk):
    organisation = _keeper(organisation_pk)
    context = {"organisation": organisation, "own": request.GET.get("pour") == "moi"}
    return render(request, "register/public/request_done.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def public_report(request, organisation_pk):
    """A third party reports someone: a pending entry, the register manager calls the person."""
    organisation = _keeper(organisation_pk)
    form = ThirdPartyReportForm(request.POST or None, communes=served_communes(organisation))
    if request.method == "POST":
        refused = _limited(request, "l'envoi d'un signalement")
        if refused:
            return refused
        if form.is_valid():
            c = form.cleaned_data
            kinds = dict(REPORTER_KINDS)
            name = c["reporter_name"] + (f" ({c['reporter_organisation']})" if c["reporter_organisation"] else "")
            try:
                entry_request_public(
                    organisation=organisation,
                    person_data={
                        "last_name": c["last_name"],
                        "first_names": c["first_names"],
                        "birth_date": c["birth_date"],
                    },
                    address={"line": c["address_line"], "commune": c["commune"]},
                    phone=c["phone"],
                    data={
                        "source": EntrySource.PARTNER if c["reporter_kind"] == "partner" else EntrySource.THIRD_PARTY,
                        "requester_name": name[:200],
                        "requester_relationship": kinds[c["reporter_kind"]][:100],
                        "requester_contact": c["reporter_contact"],
                        "concern": c["concern"],
                        "legal_category": "",
                    },
                    received_via="report",
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("register:public_report_done", organisation_pk=organisation.pk)
    return render(request, "register/public/report.html", {"organisation": organisation, "form": form})


@login_not_required
@require_http_methods(["GET"])
def public_report_done(request, organisation_pk):
    return render(request, "register/public/report_done.html", {"organisation": _keeper(organisation_pk)})


def paper_form_html(organisation) -> str:
    """The paper form: the online form's fields, in its order, and the consent text, to sign."""
    context = {
        "organisation": organisation,
        "communes": list(served_communes(organisation)),
        "consent_text": texts.consent_text(organisation),
        "information_text": texts.information_text(organisation),
        "who_choices": WHO_CHOICES,
        "categories": LegalCategory.choices,
        "factors": IsolationFactor.choices,
        "today": timezone.localdate(),
        "relation_kinds": RelationKind,
    }
    return render_to_string("register/pdf/paper_form.html", context)


@login_not_required
@require_http_methods(["GET", "HEAD"])
@ratelimit.limit_per_requester(
    "register-paper-form", what="l'impression du formulaire papier", limit=PRINT_LIMIT, window_seconds=PRINT_WINDOW
)
def paper_form_pdf(request, organisation_pk):
    """The printable paper form (PDF), for the public page and for the register manager alike."""
    organisation = _keeper(organisation_pk)
    response = HttpResponse(html_to_pdf(paper_form_html(organisation)), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="inscription-registre.pdf"'
    return response
