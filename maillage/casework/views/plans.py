"""Care plans and life projects: list, create, read, change, goals, actions, reviews and the two
PDFs (for the person, for professionals)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from maillage.casework.forms.plans import (
    CarePlanActionForm,
    CarePlanForm,
    CarePlanGoalForm,
    CarePlanReviewForm,
    ProposedGoalsForm,
)
from maillage.casework.models import CarePlanAction
from maillage.casework.models.plans import PlanKind
from maillage.casework.selectors import assessments as selectors
from maillage.casework.services import plans as services
from maillage.casework.views._common import grant_for, person_context
from maillage.core import versioning
from maillage.core.access import Part
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors
from maillage.directory import selectors as directory_selectors


def _save(form, call):
    """Run a service; put its refusals on the form. True when it succeeded."""
    try:
        call()
    except ValidationError as exc:
        add_validation_errors(form, exc)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
    else:
        return True
    return False


@require_http_methods(["GET"])
def plan_list(request, pk):
    grant = grant_for(request, pk, Part.PLANS, "view")
    person = grant.person
    grant.record(request, "Plans d'aide")
    context = {**person_context(request, person), "plans": selectors.care_plan_list(grant=grant)}
    return render(request, "casework/plans/plan_list.html", context)


@require_http_methods(["GET", "POST"])
def plan_create(request, pk):
    """A new plan; its first goals are proposed from the needs found « not met » in the last signed
    needs assessment, ticked and worded already (the coordinator unticks or rewrites them)."""
    grant = grant_for(request, pk, Part.PLANS, "assess")
    person = grant.person
    kind = request.GET.get("type", PlanKind.CARE_PLAN)
    kind = kind if kind in PlanKind.values else PlanKind.CARE_PLAN
    if request.method == "GET":
        grant.record(request, "Formulaire : nouveau plan")
    data = request.POST if request.method == "POST" else None
    form = CarePlanForm(data, organisation=request.organisation, initial={"kind": kind, "coordinator": request.user})
    source, unmet = selectors.unmet_needs(grant=grant)
    goals_form = ProposedGoalsForm(data, unmet=unmet)
    result = {}
    if request.method == "POST" and form.is_valid() & goals_form.is_valid():

        def call():
            result["plan"] = services.care_plan_create(
                actor=request.user,
                organisation=request.organisation,
                person=person,
                data=form.cleaned_data,
                goals=goals_form.goals(),
            )

        if _save(form, call):
            messages.success(request, "Plan créé. Ajoutez maintenant les objectifs et les actions.")
            return redirect("casework:plan_detail", pk=person.pk, plan_pk=result["plan"].pk)
    context = {
        **person_context(request, person),
        "form": form,
        "goals_form": goals_form,
        "goals_source": source,
        "plan": None,
    }
    return render(request, "casework/plans/plan_form.html", context)


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk, plan_pk):
    grant = grant_for(request, pk, Part.PLANS, "assess")
    person = grant.person
    plan = selectors.care_plan_get(grant=grant, pk=plan_pk)
    if request.method == "GET":
        grant.record(request, "Formulaire : modifier le plan", plan)
    form = CarePlanForm(request.POST or None, instance=plan, organisation=request.organisation)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in CarePlanForm.Meta.fields}
        plan.refresh_from_db()  # the ModelForm already wrote onto the instance; the service writes
        try:
            services.care_plan_update(
                actor=request.user,
                organisation=request.organisation,
                plan=plan,
                data=data,
                version=form.expected_version(),
            )
        except versioning.StaleVersionError as exc:
            fresh = CarePlanForm(instance=exc.current, organisation=request.organisation)
            conflict = form.show_conflict(exc, fresh=fresh)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Plan mis à jour.")
            return redirect("casework:plan_detail", pk=person.pk, plan_pk=plan.pk)
    context = {**person_context(request, person), "form": form, "plan": plan, "conflict": conflict}
    return render(request, "casework/plans/plan_form.html", context)


@require_http_methods(["GET"])
def plan_detail(request, pk, plan_pk):
    grant = grant_for(request, pk, Part.PLANS, "view")
    person = grant.person
    plan = selectors.care_plan_get(grant=grant, pk=plan_pk)
    grant.record(request, "Plan d'aide", plan)
    actions = plan.actions.select_related(
        "provider_organisation", "provider_service__organisation", "provider_member__user", "goal"
    )
    context = {
        **person_context(request, person),
        "plan": plan,
        "goals": plan.goals.select_related("need"),
        "actions": actions,
        "reviews": plan.reviews.select_related("author"),
        "totals": services.funding_totals(plan),
        "goal_form": CarePlanGoalForm(),
        "review_form": CarePlanReviewForm(),
    }
    return render(request, "casework/plans/plan_detail.html", context)


@require_http_methods(["POST"])
def plan_goal_add(request, pk, plan_pk):
    grant = grant_for(request, pk, Part.PLANS, "assess")
    person = grant.person
    plan = selectors.care_plan_get(grant=grant, pk=plan_pk)
    form = CarePlanGoalForm(request.POST)
    if form.is_valid() and _save(
        form,
        lambda: services.care_plan_goal_add(
            actor=request.user, organisation=request.organisation, plan=plan, **form.cleaned_data
        ),
    ):
        messages.success(request, "Objectif ajouté.")
    else:
        messages.error(request, "Objectif non ajouté : " + " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("casework:plan_detail", pk=person.pk, plan_pk=plan.pk)


PROVIDER_SERVICE_RESULTS = 8


def _provider_services(request, query: str, chosen_id) -> dict:
    """Directory services matching `query` (published, and one's own drafts): « who provides » an
    action, searched as at the reception; the one already chosen first and ticked."""
    chosen, found = directory_selectors.service_choices(
        actor=request.user, query=query, chosen_id=chosen_id, limit=PROVIDER_SERVICE_RESULTS
    )
    return {
        "provider_services": ([chosen] if chosen else []) + found,
        "chosen_service_id": chosen.pk if chosen else None,
        "service_query": query,
    }


def _action_and_plan(request, pk, plan_pk, action_pk):
    grant = grant_for(request, pk, Part.PLANS, "assess")
    plan = selectors.care_plan_get(grant=grant, pk=plan_pk)
    action = None
    if action_pk is not None:
        action = plan.actions.filter(pk=action_pk).first()
        if action is None:
            raise Http404("Action introuvable.")
    return grant, plan, action


@require_http_methods(["GET", "POST"])
def plan_action_edit(request, pk, plan_pk, action_pk=None):
    """An action of the plan. « Who provides » is searched in the directory (live with htmx, or by
    the « Chercher » button, which sends the form back with what was typed and saves nothing)."""
    grant, plan, action = _action_and_plan(request, pk, plan_pk, action_pk)
    person = grant.person
    if request.method == "GET":
        grant.record(request, "Formulaire : action du plan", plan)
    searching = request.method == "POST" and "chercher" in request.POST
    data = request.POST if request.method == "POST" and not searching else None
    instance = action or CarePlanAction(plan=plan)
    form = CarePlanActionForm(data, instance=instance, plan=plan, actor=request.user)
    if searching:
        form = CarePlanActionForm(initial=request.POST.dict(), instance=instance, plan=plan, actor=request.user)
    if data is not None and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in CarePlanActionForm.Meta.fields}
        if action is not None:
            action.refresh_from_db()
        if _save(
            form,
            lambda: services.care_plan_action_save(
                actor=request.user, organisation=request.organisation, plan=plan, data=fields, action=action
            ),
        ):
            messages.success(request, "Action enregistrée.")
            return redirect("casework:plan_detail", pk=person.pk, plan_pk=plan.pk)
    if request.method == "POST":
        chosen = request.POST.get("provider_service", "")
    else:
        chosen = action.provider_service_id if action else ""
    context = {
        **person_context(request, person),
        "plan": plan,
        "form": form,
        "action": action,
        **_provider_services(request, request.POST.get("service_q", ""), chosen),
    }
    return render(request, "casework/plans/action_form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def plan_action_services(request, pk, plan_pk):
    """The live search of « who provides »: the fragment of services found (htmx), or a new action's
    form with them. Through the person's grant, as the form it serves."""
    grant, plan, _ = _action_and_plan(request, pk, plan_pk, None)
    context = _provider_services(request, request.GET.get("service_q", ""), request.GET.get("provider_service", ""))
    if not request.htmx:
        form = CarePlanActionForm(instance=CarePlanAction(plan=plan), plan=plan, actor=request.user)
        page = {**person_context(request, grant.person), "plan": plan, "form": form, "action": None, **context}
        return render(request, "casework/plans/action_form.html", page)
    return render(request, "casework/plans/includes/_provider_services.html", context)


@require_http_methods(["POST"])
def plan_review(request, pk, plan_pk):
    grant = grant_for(request, pk, Part.PLANS, "assess")
    person = grant.person
    plan = selectors.care_plan_get(grant=grant, pk=plan_pk)
    form = CarePlanReviewForm(request.POST)
    if form.is_valid() and _save(
        form,
        lambda: services.care_plan_review_record(
            actor=request.user, organisation=request.organisation, plan=plan, **form.cleaned_data
        ),
    ):
        messages.success(request, "Révision enregistrée.")
    else:
        messages.error(
            request, "Révision non enregistrée : " + " ".join(e for errs in form.errors.values() for e in errs)
        )
    return redirect("casework:plan_detail", pk=person.pk, plan_pk=plan.pk)


@require_http_methods(["GET"])
def plan_pdf(request, pk, plan_pk, audience):
    grant = grant_for(request, pk, Part.PLANS, "view")
    person = grant.person
    plan = selectors.care_plan_get(grant=grant, pk=plan_pk)
    audience = {"personne": "person", "professionnels": "professional"}.get(audience)
    if audience is None:
        raise Http404("Version inconnue.")
    if request.GET.get("format") == "html":  # the same document as a page, to check or print it
        grant.record(request, f"Plan imprimable ({audience})", plan)
        return HttpResponse(services.care_plan_html(plan, audience=audience))
    grant.record(request, f"PDF du plan ({audience})", plan)
    pdf = services.care_plan_pdf(plan, audience=audience)
    name = slugify(f"plan-{person.last_name}-{audience}")
    return HttpResponse(
        pdf, content_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'}
    )
