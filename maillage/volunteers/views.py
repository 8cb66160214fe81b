"""The callers' pages: « Ma charte », « Mes disponibilités et langues » (every member who may take
calls), « Appelant·es » (the register manager). Thin views: authorise, bind, call one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from maillage.core import access, audit
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors
from maillage.volunteers import charter as charter_text
from maillage.volunteers import selectors, services
from maillage.volunteers.forms import AvailabilitySlotForm, CallerAddForm, CharterSignForm, LanguagesForm


def _caller_or_404(request):
    if not access.can_be_caller(request.user, request.organisation):
        raise Http404("Page introuvable.")
    return access.own_caller_profile(request.user, request.organisation)


@require_http_methods(["GET", "POST"])
def charter(request):
    profile = _caller_or_404(request)
    form = CharterSignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.charter_sign(
                actor=request.user,
                organisation=request.organisation,
                accepted=form.cleaned_data["accepted"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Merci : la charte est signée.")
            return redirect("volunteers:charter")
    context = {
        "profile": profile,
        "form": form,
        "title": charter_text.TITLE,
        "sections": charter_text.sections(request.organisation),
        "version": charter_text.VERSION,
        "may_sign": profile is not None or access.role_in(request.user, request.organisation) == Role.VOLUNTEER,
    }
    return render(request, "volunteers/charter.html", context)


def _availability_page(request, profile, slot_form=None, languages_form=None, status=200):
    context = {
        "profile": profile,
        "slots": list(profile.slots.all()) if profile else [],
        "slot_form": slot_form or AvailabilitySlotForm(),
        "languages_form": languages_form or LanguagesForm(initial={"languages": profile.languages if profile else []}),
        "may_edit": profile is not None or access.role_in(request.user, request.organisation) == Role.VOLUNTEER,
    }
    return render(request, "volunteers/availability.html", context, status=status)


@require_http_methods(["GET", "POST"])
def availability(request):
    """GET: the caller's slots and languages; POST: add a slot."""
    profile = _caller_or_404(request)
    if request.method == "GET":
        return _availability_page(request, profile)
    form = AvailabilitySlotForm(request.POST)
    if form.is_valid():
        try:
            slot = services.availability_slot_create(
                actor=request.user, organisation=request.organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Créneau ajouté : {str(slot).lower()}.")
            return redirect("volunteers:availability")
    return _availability_page(request, profile, slot_form=form)


@require_http_methods(["POST"])
def languages(request):
    profile = _caller_or_404(request)
    form = LanguagesForm(request.POST)
    if form.is_valid():
        try:
            services.caller_languages_update(
                actor=request.user, organisation=request.organisation, languages=form.cleaned_data["languages"]
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Vos langues sont enregistrées.")
            return redirect("volunteers:availability")
    return _availability_page(request, profile, languages_form=form)


@require_http_methods(["POST"])
def slot_delete(request, pk):
    slot = access.get_own_slot_for(request.user, request.organisation, pk)
    services.availability_slot_delete(actor=request.user, organisation=request.organisation, slot=slot)
    messages.success(request, f"Créneau retiré : {str(slot).lower()}.")
    return redirect("volunteers:availability")


def _caller_list_page(request, form, status=200):
    organisation = request.organisation
    profiles = list(
        access.caller_profiles_visible_to(request.user, organisation).prefetch_related("slots").select_related("user")
    )
    roles = {
        m.user_id: m
        for m in organisation.memberships.filter(user_id__in=[p.user_id for p in profiles]).select_related("user")
    }
    rows = [{"profile": p, "membership": roles.get(p.user_id)} for p in profiles]
    audit.record_access(request, organisation, what="Liste des appelant·es")
    return render(request, "volunteers/caller_list.html", {"rows": rows, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def caller_list(request):
    """The register manager's list of callers; POST adds a member to it."""
    organisation = request.organisation
    if not access.can_manage_callers(request.user, organisation):
        raise Http404("Page introuvable.")
    members = selectors.members_who_may_call(organisation=organisation)
    form = CallerAddForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.caller_add(
                actor=request.user, organisation=organisation, membership=form.cleaned_data["membership"]
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{profile.user.get_full_name()} est sur la liste des appelant·es.")
            return redirect("volunteers:caller_list")
    return _caller_list_page(request, form)


@require_http_methods(["POST"])
def caller_deactivate(request, pk):
    organisation = request.organisation
    profile = access.get_caller_profile_for(request.user, organisation, pk)
    services.caller_deactivate(actor=request.user, organisation=organisation, profile=profile)
    messages.success(
        request,
        f"{profile.user.get_full_name()} n'est plus sur la liste des appelant·es : aucun appel ne lui sera confié.",
    )
    return redirect("volunteers:caller_list")
