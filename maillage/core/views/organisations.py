from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from maillage.core import access, audit, selectors, services
from maillage.core.clientip import client_ip
from maillage.core.enums import role_as
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import (
    MemberFilterForm,
    MembershipCreateForm,
    MembershipUpdateForm,
    OrganisationForm,
    PasswordConfirmForm,
    add_validation_errors,
)
from maillage.core.models import MembershipInvitation


@require_http_methods(["GET"])
def organisation_detail(request, pk):
    organisation = access.get_organisation_for(request.user, pk, "view")
    return render(
        request,
        "core/organisation_detail.html",
        {
            "organisation": organisation,
            "communes_served": organisation.communes_served.select_related("departement").order_by("name"),
            "can_change": access.can_change_organisation(request.user, organisation),
            "can_view_members": access.can_view_members(request.user, organisation),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    organisation = access.get_organisation_for(request.user, pk, "change")
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in OrganisationForm.Meta.fields}
        data["commune"] = form.cleaned_data["commune_code"]
        try:
            services.organisation_update(
                actor=request.user,
                organisation=organisation,
                data=data,
                communes_served=form.cleaned_data["communes_served_codes"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "La structure a été mise à jour.")
            return redirect("core:organisation_detail", pk=organisation.pk)
    return render(request, "core/organisation_edit.html", {"organisation": organisation, "form": form})


@require_http_methods(["GET"])
def member_list(request, pk):
    organisation = access.get_organisation_for(request.user, pk, "view")
    if not access.can_view_members(request.user, organisation):
        raise Http404("Page introuvable.")
    audit.record_access(request, organisation, what="Liste des membres")
    filter_form = MemberFilterForm(request.GET or None)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    memberships = selectors.membership_list(actor=request.user, organisation=organisation, filters=filters)
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    context = {
        "organisation": organisation,
        "filter_form": filter_form,
        "page_obj": page,
        "can_manage": access.can_manage_members(request.user, organisation),
        "invitations": access.invitations_visible_to(request.user, organisation).order_by("-created_at"),
    }
    template = "core/includes/_member_results.html" if request.htmx else "core/member_list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def member_create(request, pk):
    organisation = access.get_organisation_for(request.user, pk, "view")
    if not access.can_manage_members(request.user, organisation):
        raise Http404("Page introuvable.")
    form = MembershipCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.membership_create(
                actor=request.user,
                organisation=organisation,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if isinstance(added, MembershipInvitation):
                messages.success(
                    request,
                    f"{added.user.email} a déjà un compte : une invitation lui est envoyée. "
                    "Cette personne deviendra membre quand elle l'aura acceptée.",
                )
            else:
                messages.success(
                    request,
                    f"{added.user} a été ajouté·e comme {role_as(added.role)} : "
                    "un courriel lui est envoyé pour choisir son mot de passe.",
                )
            return redirect("core:member_list", pk=organisation.pk)
    return render(request, "core/member_form.html", {"organisation": organisation, "form": form, "membership": None})


def _member_edit_page(request, organisation, membership, form, reset_form, status=200):
    context = {
        "organisation": organisation,
        "form": form,
        "membership": membership,
        "reset_form": reset_form,
        "can_reset_second_factor": access.can_reset_second_factor(request.user, membership),
    }
    return render(request, "core/member_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def member_edit(request, pk, membership_pk):
    organisation = access.get_organisation_for(request.user, pk, "view")
    membership = access.get_membership_for(request.user, organisation, membership_pk, "manage")
    form = MembershipUpdateForm(
        request.POST or None, initial={"role": membership.role, "is_active": membership.is_active}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(actor=request.user, membership=membership, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Le rôle de {membership.user} a été mis à jour.")
            return redirect("core:member_list", pk=organisation.pk)
    return _member_edit_page(request, organisation, membership, form, PasswordConfirmForm(user=request.user))


@require_http_methods(["POST"])
def member_reset_second_factor(request, pk, membership_pk):
    """An administrator resets an active colleague's second factor, with their own password."""
    organisation = access.get_organisation_for(request.user, pk, "view")
    membership = access.get_membership_for(request.user, organisation, membership_pk, "manage")
    if not membership.is_active:
        raise Http404("Membre introuvable.")
    reset_form = PasswordConfirmForm(request.POST, user=request.user)
    if reset_form.is_valid():
        try:
            services.second_factor_reset(
                actor=request.user,
                membership=membership,
                base_url=request.build_absolute_uri("/"),
                remote_addr=client_ip(request),
            )
        except ApplicationError as exc:
            reset_form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"Le second facteur de {membership.user} est réinitialisé : un courriel l'en informe, et "
                "un nouveau second facteur lui sera demandé à sa prochaine connexion.",
            )
            return redirect("core:member_edit", pk=organisation.pk, membership_pk=membership.pk)
    form = MembershipUpdateForm(initial={"role": membership.role, "is_active": membership.is_active})
    return _member_edit_page(request, organisation, membership, form, reset_form)


@require_http_methods(["POST"])
def invitation_withdraw(request, pk, invitation_pk):
    """The administrator withdraws a pending invitation of their organisation."""
    organisation = access.get_organisation_for(request.user, pk, "view")
    invitation = access.get_invitation_for(request.user, organisation, invitation_pk)
    try:
        services.membership_invitation_withdraw(actor=request.user, invitation=invitation)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"L'invitation de {invitation.user.email} est retirée.")
    return redirect("core:member_list", pk=organisation.pk)
