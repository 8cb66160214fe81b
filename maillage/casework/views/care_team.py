from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from maillage.casework.forms.care_team import CareTeamMemberForm
from maillage.casework.forms.confirm import ConfirmForm
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


REMOVE_REFUSED = "Cochez la case de confirmation pour retirer ce membre de l'équipe."


@require_http_methods(["GET", "POST"])
def care_team_member_remove(request, pk, member_pk):
    """Take someone out of the team, after a confirmation page: an outside member loses the file at
    once, and the place is not given back (they are added again, as new). POST acts only with the
    box ticked."""
    person = access.get_person_for(request.user, request.organisation, pk, "change")
    member = person.care_team.filter(pk=member_pk).first()
    if member is None:
        raise Http404("Membre introuvable.")
    back = redirect("casework:care_team", pk=person.pk)
    if member.removed_at:
        messages.error(request, "Cette personne ne fait déjà plus partie de l'équipe.")
        return back
    who = member.user.get_full_name() if member.user_id else member.name
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        label=f"Je confirme le retrait de {who}",
        refused=REMOVE_REFUSED,
    )
    if request.method == "POST" and form.is_valid():
        try:
            care_team_remove(actor=request.user, organisation=request.organisation, member=member)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{member} ne fait plus partie de l'équipe.")
        return back
    if request.method == "GET":
        access.person_grant_for(request, person.pk).record(request, "Retrait d'un membre de l'équipe", member)
    consequences = [f"{who} ({member.role}) ne fera plus partie de l'équipe autour de {person}."]
    if member.user_id:
        consequences.append(
            "Son compte Maillage n'ouvrira plus la fiche, dès maintenant. Pour lui rendre l'accès, il faudra "
            "l'ajouter de nouveau à l'équipe."
        )
    context = {
        "person": person,
        "form": form,
        "heading": f"Retirer {who} de l'équipe",
        "consequences": consequences,
        "button_label": "Retirer de l'équipe",
        "button_kind": "warning",
        "back_url": back.url,
        "back_label": "Retour à l'équipe",
    }
    return render(request, "casework/confirm.html", context, status=400 if form.errors else 200)
