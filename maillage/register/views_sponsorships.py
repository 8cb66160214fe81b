"""Sponsorship pages (« parrainages »): the register manager's list, creation, change of frequency
(a spacing is planned, then announced by the sponsor during a call), cancellation of a planned
spacing, and end; the volunteer's « Mes parrainages ». Every list of persons is a line in the trail
(`audit.record_search`), every sponsorship opened one line about its person (`audit.record_access`)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from maillage.core import access, audit, grammar
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import run_service
from maillage.people.models import Person
from maillage.register.forms_sponsorships import SponsorshipCreateForm, SponsorshipFrequencyForm
from maillage.register.services import sponsorships as services
from maillage.register.services.sponsorships import every_days_phrase

ACCESS_PATH = "organisation"


def _manager_only(request) -> None:
    if not access.can_manage_register(request.user, request.organisation):
        raise Http404("Page introuvable.")


def _announced_by(sponsorship) -> str:
    """« par Marie Durand lors d'un appel », « indiqué par Paul Martin »: how the last announcement
    of a spacing was recorded."""
    if sponsorship.spacing_announced_on is None:
        return ""
    who = sponsorship.spacing_announced_by
    name = (who.get_full_name() or who.email) if who is not None else ""
    if sponsorship.spacing_announced_call_id:
        return f"par {name} lors d'un appel" if name else "lors d'un appel"
    return f"indiqué par {name}" if name else ""


def _rows(sponsorships):
    rows = []
    for sponsorship in sponsorships:
        call = services.next_call_for(sponsorship) if sponsorship.ended_on is None else None
        rows.append(
            {
                "sponsorship": sponsorship,
                "person": sponsorship.entry.person,
                "every": every_days_phrase(sponsorship.every_days),
                "next_call_on": timezone.localdate(call.due_at) if call else None,
                "pending": (
                    every_days_phrase(sponsorship.pending_every_days) if sponsorship.pending_every_days else ""
                ),
                "announced_by": _announced_by(sponsorship),
            }
        )
    return rows


@require_http_methods(["GET"])
def sponsorship_list(request):
    _manager_only(request)
    visible = access.sponsorships_visible_to(request.user, request.organisation)
    running = _rows(visible.filter(ended_on__isnull=True).order_by("entry__person__last_name", "pk"))
    ended = _rows(visible.filter(ended_on__isnull=False).order_by("-ended_on", "-pk")[:20])
    shown = len({row["person"].pk for row in running + ended})
    if shown:
        audit.record_search(request, Person, what=f"Parrainages : {audit.shown_count(shown)}", access_path=ACCESS_PATH)
    context = {
        "running": running,
        "ended": ended,
        "running_count": grammar.count(len(running), "parrainage en cours", "parrainages en cours"),
    }
    return render(request, "register/sponsorships/list.html", context)


@require_http_methods(["GET", "POST"])
def sponsorship_create(request):
    _manager_only(request)
    form = SponsorshipCreateForm(request.POST if request.method == "POST" else None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sponsorship = run_service(
            form,
            lambda: services.sponsorship_create(
                actor=request.user,
                organisation=request.organisation,
                entry=data["entry"],
                volunteer=data["volunteer"],
                every_days=data["every_days"],
                note=data["note"],
            ),
        )
        if sponsorship is not None:
            audit.record_access(request, sponsorship.entry.person, what="Parrainage créé", access_path=ACCESS_PATH)
            messages.success(
                request,
                f"Parrainage créé : {data['volunteer'].get_full_name()} appellera "
                f"{sponsorship.entry.person.full_name} {every_days_phrase(sponsorship.every_days)}, "
                "à partir de demain.",
            )
            return redirect("sponsorships:list")
    status = 400 if form.errors else 200
    return render(request, "register/sponsorships/create.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def sponsorship_frequency(request, pk):
    _manager_only(request)
    sponsorship = access.get_sponsorship_for(request.user, request.organisation, pk)
    if sponsorship.ended_on is not None:
        raise Http404("Parrainage terminé.")
    audit.record_access(request, sponsorship.entry.person, what="Parrainage : fréquence", access_path=ACCESS_PATH)
    form = SponsorshipFrequencyForm(
        request.POST if request.method == "POST" else None, initial={"every_days": sponsorship.every_days}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            lambda: services.sponsorship_change_frequency(
                actor=request.user,
                organisation=request.organisation,
                sponsorship=sponsorship,
                every_days=data["every_days"],
                spacing_announced_on=data["spacing_announced_on"],
            ),
        )
        if done is not None:
            if done.pending_every_days is not None:
                messages.success(
                    request,
                    f"Espacement prévu : un appel {every_days_phrase(done.pending_every_days)} pour "
                    f"{sponsorship.entry.person.full_name}. {_sponsor(done)} l'annoncera lors du prochain appel ; "
                    "la nouvelle fréquence s'appliquera ensuite.",
                )
            else:
                messages.success(
                    request,
                    f"Fréquence changée : un appel {every_days_phrase(done.every_days)} pour "
                    f"{sponsorship.entry.person.full_name}.",
                )
            return redirect("sponsorships:list")
    context = {
        "form": form,
        "sponsorship": sponsorship,
        "person": sponsorship.entry.person,
        "every": every_days_phrase(sponsorship.every_days),
        "pending": every_days_phrase(sponsorship.pending_every_days) if sponsorship.pending_every_days else "",
        "announced_by": _announced_by(sponsorship),
    }
    return render(request, "register/sponsorships/frequency.html", context, status=400 if form.errors else 200)


@require_http_methods(["POST"])
def sponsorship_cancel_spacing(request, pk):
    """Cancel a planned spacing (a button of the list and of the frequency page)."""
    _manager_only(request)
    sponsorship = access.get_sponsorship_for(request.user, request.organisation, pk)
    if sponsorship.ended_on is not None:
        raise Http404("Parrainage terminé.")
    person = sponsorship.entry.person
    audit.record_access(request, person, what="Parrainage : espacement annulé", access_path=ACCESS_PATH)
    try:
        services.sponsorship_cancel_spacing(
            actor=request.user, organisation=request.organisation, sponsorship=sponsorship
        )
    except ApplicationError as exc:
        messages.info(request, exc.message)
    else:
        messages.success(
            request,
            f"Espacement annulé : les appels à {person.full_name} restent au rythme actuel, un appel "
            f"{every_days_phrase(sponsorship.every_days)}.",
        )
    return redirect("sponsorships:list")


def _sponsor(sponsorship) -> str:
    return sponsorship.volunteer.get_full_name() or "Le parrain ou la marraine"


@require_http_methods(["GET", "POST"])
def sponsorship_end(request, pk):
    _manager_only(request)
    sponsorship = access.get_sponsorship_for(request.user, request.organisation, pk)
    if sponsorship.ended_on is not None:
        raise Http404("Parrainage terminé.")
    person = sponsorship.entry.person
    audit.record_access(request, person, what="Parrainage : fin", access_path=ACCESS_PATH)
    error = ""
    if request.method == "POST":
        try:
            services.sponsorship_end(actor=request.user, organisation=request.organisation, sponsorship=sponsorship)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"Le parrainage de {person.full_name} est terminé.")
            return redirect("sponsorships:list")
    context = {"sponsorship": sponsorship, "person": person, "error": error}
    return render(request, "register/sponsorships/end.html", context, status=400 if error else 200)


@require_http_methods(["GET"])
def my_sponsorships(request):
    """« Mes parrainages »: the volunteer's sponsored persons (their names only) and the next call."""
    if access.role_in(request.user, request.organisation) != access.Role.VOLUNTEER:
        raise Http404("Page introuvable.")
    rows = _rows(access.sponsorships_of_volunteer(request.user, request.organisation).order_by("started_on", "pk"))
    if rows:
        audit.record_search(
            request,
            Person,
            what=f"Mes parrainages : {audit.shown_count(len(rows))}",
            access_path="sponsorship",
        )
    return render(request, "register/sponsorships/mine.html", {"rows": rows})
