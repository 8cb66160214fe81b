"""The accompanied first contact's pages (issue 14, point 4), one per side of an open referral: the
sender's (through its grant on the person's file) and the partner's (through its referral grant).
Each shows the plan and its history and takes two forms: the plan (appointment, who goes with the
person) and, afterwards, whether the first contact took place. Every opening is logged."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from maillage.core import access
from maillage.core.forms import run_service
from maillage.referrals import first_contact, forms
from maillage.referrals.models import OPEN_FOR_PARTNER

STEPS = ("plan", "result")


def first_contact_context(referral, *, now=None) -> dict:
    """What the referral's pages show of its first contact: the plan, whether it is « à confirmer »,
    and its history."""
    contact = first_contact.first_contact_of(referral)
    return {
        "contact": contact,
        "to_confirm": contact is not None and contact.to_confirm(now or timezone.now()),
        "plan": first_contact.plan_summary(contact) if contact else "",
        "result": first_contact.result_summary(contact) if contact and contact.result else "",
        "events": list(referral.first_contact_events.select_related("organisation").order_by("at", "pk")),
    }


def _initial(contact):
    if contact is None:
        return {}
    return {
        "appointment_booked": contact.appointment_booked,
        "appointment_at": timezone.localtime(contact.appointment_at) if contact.appointment_at else None,
        "appointment_place": contact.appointment_place,
        "accompanied_by": contact.accompanied_by,
    }


def _page(request, referral, *, back_url, form_url, template_context, link=None):
    """The page of either side; `link`: the partner without an account (its link's session)."""
    actor = None if link is not None else request.user
    organisation = None if link is not None else request.organisation
    contact = first_contact.first_contact_of(referral)
    step = request.POST.get("step") if request.method == "POST" else None
    if step is not None and step not in STEPS:
        raise Http404("Page introuvable.")
    plan_form = forms.FirstContactPlanForm(
        request.POST if step == "plan" else None, initial=_initial(contact), prefix="plan"
    )
    result_form = forms.FirstContactResultForm(request.POST if step == "result" else None, prefix="result")
    if step == "plan" and plan_form.is_valid():
        data = plan_form.cleaned_data
        done = run_service(
            plan_form,
            lambda: first_contact.first_contact_plan(
                actor=actor,
                organisation=organisation,
                link=link,
                referral=referral,
                appointment_booked=data["appointment_booked"],
                appointment_at=data["appointment_at"],
                appointment_place=data["appointment_place"],
                accompanied_by=data["accompanied_by"],
            ),
        )
        if done is not None:
            messages.success(request, "Premier contact enregistré.")
            return redirect(back_url)
    if step == "result" and result_form.is_valid():
        data = result_form.cleaned_data
        done = run_service(
            result_form,
            lambda: first_contact.first_contact_result(
                actor=actor,
                organisation=organisation,
                link=link,
                referral=referral,
                result=data["result"],
                reason=data["reason"],
            ),
        )
        if done is not None:
            messages.success(request, "Suite du premier contact enregistrée.")
            return redirect(back_url)
    context = {
        "referral": referral,
        "plan_form": plan_form,
        "result_form": result_form,
        "first_contact": first_contact_context(referral),
        "back_url": back_url,
        "form_url": form_url,
        **template_context,
    }
    has_errors = plan_form.errors or result_form.errors
    return render(request, "referrals/first_contact.html", context, status=400 if has_errors else 200)


@require_http_methods(["GET", "POST"])
def sent_first_contact(request, pk):
    """The sender's page: an open referral it sent, for a role that orients persons."""
    grant, referral = access.get_sent_referral_for(request, pk)
    if referral.status not in OPEN_FOR_PARTNER or not access.can_refer_person(
        request.user, request.organisation, referral.person
    ):
        raise Http404("Page introuvable.")
    grant.record(request, "Orientation : premier contact")
    return _page(
        request,
        referral,
        back_url=reverse("referrals:sent_detail", args=[referral.pk]),
        form_url=reverse("referrals:sent_first_contact", args=[referral.pk]),
        template_context={"partner_view": False},
    )


@require_http_methods(["GET", "POST"])
def received_first_contact(request, pk):
    """The partner's page: an open referral addressed to its organisation (the referral grant)."""
    grant = access.referral_grant_for(request, pk)
    grant.record(request, "Orientation reçue : premier contact")
    return _page(
        request,
        grant.referral,
        back_url=reverse("referrals:received_detail", args=[grant.referral.pk]),
        form_url=reverse("referrals:received_first_contact", args=[grant.referral.pk]),
        template_context={"partner_view": True},
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def link_first_contact(request):
    """The partner without an account, through its link's session (decision « nolink »): the same page,
    its addresses without the referral's number; each opening logged with path « referral_link »."""
    from maillage.referrals.views import _link_session, _record_link_opening

    link, referral = _link_session(request)
    _record_link_opening(request, referral, "Orientation reçue par lien : premier contact")
    return _page(
        request,
        referral,
        back_url=reverse("referrals:link_detail"),
        form_url=reverse("referrals:link_first_contact"),
        template_context={"partner_view": True},
        link=link,
    )
