"""Writes about care plans and life projects: create and change the plan, its goals and actions,
record a review, render the PDFs (one for the person, one for professionals)."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from maillage.casework.models import CarePlan, CarePlanAction, CarePlanGoal, CarePlanReview
from maillage.casework.models.plans import ActionStatus, CostPeriod, PlanKind
from maillage.core import access, versioning
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Organisation, User
from maillage.core.pdf import html_to_pdf
from maillage.people.models import Person

PLAN_FIELDS = (
    "kind",
    "title",
    "wishes",
    "status",
    "coordinator",
    "starts_on",
    "next_review_on",
    "agreed_on",
    "agreement_channel",
    "agreement_note",
)
ACTION_FIELDS = (
    "goal",
    "what",
    "what_plain",
    "provider_organisation",
    "provider_service",
    "provider_member",
    "provider_name",
    "contact_phone",
    "starts_on",
    "ends_on",
    "frequency",
    "cost",
    "cost_period",
    "funding",
    "funding_note",
    "status",
)


def _check(actor: User, organisation: Organisation, person: Person) -> None:
    if not access.can_assess_person(actor, organisation, person):
        raise ApplicationError("Vous n'avez pas le droit de modifier le plan de cette personne.")


def _set(obj, data: dict, allowed: tuple[str, ...]):
    for key, value in data.items():
        if key not in allowed:
            raise ApplicationError(f"Le champ « {key} » ne peut pas être modifié ici.")
        setattr(obj, key, value)


@transaction.atomic
def care_plan_create(*, actor: User, organisation: Organisation, person: Person, data: dict, goals=()) -> CarePlan:
    """Open a care plan (or a life project) for the person, coordinated by `data["coordinator"]`
    (the actor by default), with its first goals: (need, description) pairs, those the last signed
    needs assessment found « not met » and the coordinator kept."""
    _check(actor, organisation, person)
    plan = CarePlan(person=person, organisation=organisation, created_by=actor, coordinator=actor)
    _set(plan, data, PLAN_FIELDS)
    plan.full_clean()
    plan.save()
    for position, (need, description) in enumerate(goals):
        goal = CarePlanGoal(plan=plan, need=need, description=description, position=position)
        goal.full_clean()
        goal.save()
    return plan


@transaction.atomic
def care_plan_update(
    *, actor: User, organisation: Organisation, plan: CarePlan, data: dict, version: int | None = None
) -> CarePlan:
    """Change the plan. `version` is the one the form was read at: a plan changed since is
    refused (versioning.StaleVersionError) instead of silently overwritten."""
    _check(actor, organisation, plan.person)
    current = versioning.lock(CarePlan, plan.pk)
    versioning.check(current, version)
    old_review = plan.next_review_on
    _set(plan, data, PLAN_FIELDS)
    if plan.next_review_on != old_review:
        plan.review_reminder_sent_for = None
    plan.version = current.version + 1
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def care_plan_goal_add(*, actor: User, organisation: Organisation, plan: CarePlan, need, description: str):
    _check(actor, organisation, plan.person)
    goal = CarePlanGoal(plan=plan, need=need, description=description, position=plan.goals.count())
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def care_plan_action_save(
    *, actor: User, organisation: Organisation, plan: CarePlan, data: dict, action: CarePlanAction | None = None
) -> CarePlanAction:
    """Add an action to the plan, or change one of its actions."""
    _check(actor, organisation, plan.person)
    if action is None:
        action = CarePlanAction(plan=plan, position=plan.actions.count())
    elif action.plan_id != plan.pk:
        raise ApplicationError("Cette action appartient à un autre plan.")
    _set(action, data, ACTION_FIELDS)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def care_plan_review_record(
    *, actor: User, organisation: Organisation, plan: CarePlan, held_on, note: str, next_review_on=None
) -> CarePlanReview:
    """Record a review of the plan; the next review date (if any) becomes the plan's."""
    _check(actor, organisation, plan.person)
    review = CarePlanReview(plan=plan, held_on=held_on, note=note, next_review_on=next_review_on, author=actor)
    review.full_clean()
    review.save()
    # The next review date is a field of the plan's form: an edit form read before must not undo it.
    plan.version = versioning.lock(CarePlan, plan.pk).version + 1
    plan.next_review_on = next_review_on
    plan.review_reminder_sent_for = None
    plan.save(update_fields=["next_review_on", "review_reminder_sent_for", "updated_at", "version"])
    return review


# --- PDF ----------------------------------------------------------------------------------------

MONTHLY_FACTORS = {CostPeriod.MONTH: Decimal(1), CostPeriod.WEEK: Decimal("4.33")}


def funding_totals(plan: CarePlan) -> list[dict]:
    """Monthly and one-off costs of the plan's live actions, per funding source."""
    totals: dict[str, dict] = defaultdict(lambda: {"monthly": Decimal(0), "once": Decimal(0), "other": False})
    labels = {}
    for action in plan.actions.exclude(status=ActionStatus.CANCELLED):
        if not action.cost:
            continue
        row = totals[action.funding]
        labels[action.funding] = action.get_funding_display()
        if action.cost_period == CostPeriod.ONCE:
            row["once"] += action.cost
        elif action.cost_period in MONTHLY_FACTORS:
            row["monthly"] += (action.cost * MONTHLY_FACTORS[action.cost_period]).quantize(Decimal("0.01"))
        else:
            row["other"] = True
    return [{"funding": labels[key], **value} for key, value in totals.items()]


def care_plan_html(plan: CarePlan, *, audience: str) -> str:
    """The plan as the HTML the PDF is made of: "person" — plain French, large type, what will
    happen and who to call; "professional" — every action with its provider, dates, cost and
    funding, and the totals."""
    if audience not in ("person", "professional"):
        raise ValueError(audience)
    actions = list(
        plan.actions.exclude(status=ActionStatus.CANCELLED if audience == "person" else "")
        .select_related(
            "provider_organisation", "provider_service__organisation", "provider_member__user", "goal__need"
        )
        .prefetch_related("provider_service__phones")
    )
    context = {
        "plan": plan,
        "person": plan.person,
        "organisation": plan.organisation,
        "actions": actions,
        "goals": plan.goals.select_related("need"),
        "totals": funding_totals(plan),
        "today": timezone.localdate(),
        "is_life_project": plan.kind == PlanKind.LIFE_PROJECT,
    }
    template = {"person": "casework/pdf/plan_person.html", "professional": "casework/pdf/plan_professional.html"}
    return render_to_string(template[audience], context)


def care_plan_pdf(plan: CarePlan, *, audience: str) -> bytes:
    """The plan as a PDF (WeasyPrint), for the person or for professionals (`care_plan_html`)."""
    return html_to_pdf(care_plan_html(plan, audience=audience))
