from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from maillage.core import access, audit, selectors, services
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import (
    MemberFilterForm,
    MembershipCreateForm,
    MembershipUpdateForm,
    OrganisationForm,
    add_validation_errors,
)


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
            membership = services.membership_create(
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
            messages.success(
                request, f"{membership.user} a été ajouté·e comme {membership.get_role_display().lower()}."
            )
            return redirect("core:member_list", pk=organisation.pk)
    return render(request, "core/member_form.html", {"organisation": organisation, "form": form, "membership": None})


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
    return render(
        request, "core/member_form.html", {"organisation": organisation, "form": form, "membership": membership}
    )


@require_http_methods(["POST"])
def member_reset_second_factor(request, pk, membership_pk):
    organisation = access.get_organisation_for(request.user, pk, "view")
    membership = access.get_membership_for(request.user, organisation, membership_pk, "manage")
    try:
        services.second_factor_reset(actor=request.user, membership=membership)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        audit.record_access(request, membership.user, what="Second facteur réinitialisé par l'administrateur")
        messages.success(
            request,
            f"Le second facteur de {membership.user} est réinitialisé : "
            "il ou elle en configurera un nouveau à sa prochaine connexion.",
        )
    return redirect("core:member_edit", pk=organisation.pk, membership_pk=membership.pk)
