from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from maillage.casework.forms.care_team import CareTeamMemberForm
from maillage.casework.services.care_team import care_team_add, care_team_remove
from maillage.core import access, grammar
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors


@require_http_methods(["GET", "POST"])
def care_team(request, pk):
    """The professionals around the person; the responsible organisation adds and removes them."""
    grant = access.person_grant_for(request, pk, access.Part.CARE_TEAM)
    person = grant.person
    can_change = access.can_change_person(request.user, request.organisation, person)
    if request.method == "GET":
        grant.record(request, "Équipe autour de la personne")
    if request.method == "POST" and not can_change:
        raise Http404("Page introuvable.")
    form = CareTeamMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = care_team_add(
                actor=request.user, organisation=request.organisation, person=person, **form.cleaned_data
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{member} rejoint l'équipe autour {grammar.de(str(person))}.")
            return redirect("casework:care_team", pk=person.pk)
    members = (
        grant.care_team().select_related("user", "organisation", "added_by").order_by("removed_at", "-is_referent")
    )
    return render(
        request,
        "casework/care_team.html",
        {"person": person, "members": members, "form": form, "can_change": can_change},
    )


@require_http_methods(["POST"])
def care_team_member_remove(request, pk, member_pk):
    person = access.get_person_for(request.user, request.organisation, pk, "change")
    member = person.care_team.filter(pk=member_pk).first()
    if member is None:
        raise Http404("Membre introuvable.")
    try:
        care_team_remove(actor=request.user, organisation=request.organisation, member=member)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{member} ne fait plus partie de l'équipe.")
    return redirect("casework:care_team", pk=person.pk)
