"""What follows a call, by the level of the phone grid (guide VISA, « Orienter les personnes en
fonction de leurs besoins », and « Après un premier appel d'évaluation, des appels de vigilance ou de
convivialité »). `calls.call_record_outcome` calls `plan_follow_ups` after each final outcome.

What each level creates (docs/decisions.md, « Orientation after the first call »):

- **1** (not fragile, not isolated, no priority need): a regular contact — one friendly call in
  REGISTER_REGULAR_CONTACT_DAYS. The information on the local offer is given during the call itself,
  from the interview guide's section « Ce que la commune propose »: nothing else is recorded.
- **2** (isolated): a friendly call every REGISTER_FRIENDLY_EVERY_DAYS; while a crisis is in progress,
  a watch call every REGISTER_WATCH_EVERY_DAYS[kind] days; and a follow-up task for the register
  manager « Orienter vers les actions de la commune ou un service dédié », listing the needs found.
- **3** (isolated, a potential medical problem): as 2, plus a task « Mise en relation avec le CLIC,
  le DAC ou l'équipe APA du département » naming the CLIC (else the DAC) serving the person's commune
  when the directory of organisations has one. The task on the person's file offers « Orienter vers
  ce partenaire » (a referral, issue 14, searched by the partner's name); the referral sent to a
  CLIC, a DAC or the département closes it (`close_referral_tasks`).
- **4** (very fragile): the emergency is escalated by `call_record_outcome`; nothing is planned until
  the manager handles the escalation (the next call is theirs to decide).

Where the calls live: a watch call in the crisis campaign of the call (it stops with the crisis: a
campaign whose crisis ended gives no call, and closing it cancels its open calls); a friendly call in
the organisation's standing campaign « Appels de suivi » (created on demand), which outlives the
crisis campaigns. Each is due at REGISTER_FOLLOW_UP_HOUR (local time) on its day, assigned to the
caller who made the call if they may still take calls (else left in the pool for `next_call`). One
open follow-up call of each kind per entry at a time; a friendly call for a sponsored person is the
sponsor's (`sponsorships.schedule_next_call`). A follow-up call reached again plans the next one
at the level last found, so the watch stops only when the crisis ends and the friendly calls when
the entry is suspended or removed (which cancels its open calls).
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.casework.models import FollowUpTask
from maillage.core import access
from maillage.core.enums import OrganisationKind, Role
from maillage.core.models import Membership, Organisation, User
from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from maillage.register.enums import (
    REACHED_OUTCOMES,
    CallPurpose,
    CallStatus,
    CampaignStatus,
    EntryStatus,
)
from maillage.register.models import Call, CallCampaign, RegisterEntry

NEED_LABELS = dict(ESSENTIAL_NEEDS)
STANDING_TITLE = "Appels de suivi"
ORIENT_TASK = "Orienter vers les actions de la commune ou un service dédié"
REFERRAL_TASK = "Mise en relation avec le CLIC, le DAC ou l'équipe APA du département pour une évaluation approfondie"
# How far back a follow-up call looks for the level last found (a chain of follow-ups).
_LEVEL_LOOKUP_DEPTH = 50


def follow_up_moment(now: datetime.datetime, days: int) -> datetime.datetime:
    """`days` days after `now`'s local day, at REGISTER_FOLLOW_UP_HOUR local time."""
    day = timezone.localdate(now) + datetime.timedelta(days=days)
    naive = datetime.datetime.combine(day, datetime.time(settings.REGISTER_FOLLOW_UP_HOUR))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def standing_campaign(organisation: Organisation, *, actor: User | None = None) -> CallCampaign:
    """The organisation's open standing campaign of follow-up calls, created on demand."""
    campaign = CallCampaign.objects.filter(
        organisation=organisation, standing=True, status=CampaignStatus.OPEN
    ).first()
    if campaign is not None:
        return campaign
    try:
        with transaction.atomic():
            return CallCampaign.objects.create(
                organisation=organisation,
                standing=True,
                title=STANDING_TITLE,
                purpose=CallPurpose.FRIENDLY,
                status=CampaignStatus.OPEN,
                opened_at=timezone.now(),
                created_by=actor,
                max_attempts=settings.REGISTER_MAX_ATTEMPTS,
                retry_delays=list(settings.REGISTER_RETRY_DELAYS_MINUTES),
                script_introduction=(
                    "Présentez-vous : votre prénom, « je vous appelle de la part du CCAS / de la mairie », "
                    "et rappelez que vous aviez déjà parlé ensemble."
                ),
                script_listening="Laissez la personne parler, sans la presser ; notez seulement ce qui est utile.",
            )
    except IntegrityError:  # created at the same moment by another call's outcome
        return CallCampaign.objects.get(organisation=organisation, standing=True, status=CampaignStatus.OPEN)


def known_level(call: Call) -> int | None:
    """The grid's level found by this call or, for a follow-up call, by the call it follows."""
    seen = 0
    while call is not None and seen < _LEVEL_LOOKUP_DEPTH:
        if call.fragility_level is not None:
            return call.fragility_level
        call = call.follows
        seen += 1
    return None


def _caller_for(call: Call, organisation: Organisation) -> User | None:
    caller = call.outcome_by
    if caller is not None and access.may_take_calls(caller, organisation):
        return caller
    return None


def create_follow_up_call(
    *,
    campaign: CallCampaign,
    entry: RegisterEntry,
    purpose: str,
    due_at: datetime.datetime,
    caller: User | None,
    follows: Call | None,
    now: datetime.datetime,
) -> Call | None:
    """One follow-up call, unless the entry already has an open call of that purpose in that
    campaign (then None). The caller joins the campaign's callers so that `next_call` serves them."""
    if entry.calls.open().filter(campaign=campaign, purpose=purpose).exists():
        return None
    if caller is not None:
        campaign.callers.add(caller)
    call = Call(
        campaign=campaign,
        entry=entry,
        person_id=entry.person_id,
        purpose=purpose,
        status=CallStatus.ASSIGNED if caller else CallStatus.TO_DO,
        assigned_to=caller,
        assigned_at=now if caller else None,
        due_at=due_at,
        follows=follows,
    )
    call.full_clean()
    call.save()
    return call


def register_managers(organisation: Organisation):
    """The organisation's register managers a follow-up task may be given to."""
    managers = Membership.objects.active().filter(organisation=organisation, role=Role.REGISTER_MANAGER)
    return access.task_assignees_for(organisation).filter(pk__in=managers.values("user_id"))


def territory_partner(entry: RegisterEntry) -> Organisation | None:
    """The CLIC serving the person's commune, else the DAC (the directory of organisations)."""
    return territory_partner_of(entry.person)


#: The partners a level-3 « mise en relation » goes to: the CLIC, the DAC, the département's APA team.
REFERRAL_TASK_PARTNERS = (OrganisationKind.CLIC, OrganisationKind.DAC, OrganisationKind.DEPARTEMENT)


def territory_partner_of(person) -> Organisation | None:
    address = person.addresses.filter(is_current=True).select_related("commune").first()
    if address is None or address.commune_id is None:
        return None
    for kind in (OrganisationKind.CLIC, OrganisationKind.DAC):
        found = (
            Organisation.objects.filter(kind=kind, communes_served=address.commune_id).order_by("name", "pk").first()
        )
        if found is not None:
            return found
    return None


def _task(*, call: Call, title: str, actor: User, now) -> FollowUpTask | None:
    """A task for the register manager (the campaign's author first), unless the same one is open."""
    organisation = call.campaign.organisation
    person = call.person
    if FollowUpTask.objects.open().filter(person=person, organisation=organisation, title=title).exists():
        return None
    managers = register_managers(organisation)
    assignee = managers.filter(pk=call.campaign.created_by_id).first() or managers.first()
    if assignee is None:
        return None
    task = FollowUpTask(
        person=person,
        organisation=organisation,
        assignee=assignee,
        title=title[:250],
        due_on=timezone.localdate(now) + datetime.timedelta(days=1),
        created_by=actor,
    )
    task.full_clean()
    task.save()
    return task


def orientation_title(call: Call) -> str:
    needs = [NEED_LABELS[n].lower() for n in call.needs if n in NEED_LABELS]
    if not needs:
        return ORIENT_TASK
    return f"{ORIENT_TASK} (besoins repérés : {', '.join(needs)})"


def referral_title(entry: RegisterEntry) -> str:
    partner = territory_partner(entry)
    if partner is None:
        return REFERRAL_TASK
    return f"{REFERRAL_TASK} ({partner.name})"


def is_referral_task(task) -> bool:
    return task.title.startswith(REFERRAL_TASK)


def close_referral_tasks(referral, *, now) -> int:
    """A referral sent to a CLIC, a DAC or the département does the level-3 task « Mise en relation… »
    of the person's file at the sending organisation: it is marked done. Returns how many."""
    if referral.to_organisation.kind not in REFERRAL_TASK_PARTNERS:
        return 0
    tasks = FollowUpTask.objects.open().filter(
        person=referral.person_id, organisation=referral.from_organisation_id, title__startswith=REFERRAL_TASK
    )
    done = 0
    for task in tasks:
        task.done_at = now
        task.save(update_fields=["done_at"])
        done += 1
    return done


def plan_follow_ups(*, call: Call, actor: User, now: datetime.datetime) -> list[Call]:
    """Schedule what the call's level asks for (module docstring); returns the calls created.
    Tasks for the register manager are created alongside (see `_task`)."""
    entry = RegisterEntry.objects.get(pk=call.entry_id)
    if call.outcome not in REACHED_OUTCOMES or entry.status != EntryStatus.ACTIVE:
        return []
    if entry.escalations.filter(handled_at__isnull=True).exists():
        return []  # level 4 or an alert: the manager decides what comes next
    level = known_level(call)
    if level is not None and level >= 4:
        return []
    organisation = call.campaign.organisation
    caller = _caller_for(call, organisation)
    created = []
    from maillage.register.services import sponsorships

    sponsorship = entry.sponsorships.filter(ended_on__isnull=True).first()
    if sponsorship is not None:
        # The sponsor's next call, whatever the grid found (levels 1 to 3): the sponsorship's rhythm.
        created.append(sponsorships.schedule_next_call(sponsorship, now=now, follows=call))
    if level is None:
        return [c for c in created if c is not None]

    crisis = call.campaign.crisis
    if (
        level in (2, 3)
        and crisis is not None
        and crisis.is_in_progress
        and call.campaign.status == CampaignStatus.OPEN
        and not call.campaign.standing
    ):
        every = settings.REGISTER_WATCH_EVERY_DAYS.get(crisis.kind, 1)
        watch = create_follow_up_call(
            campaign=call.campaign,
            entry=entry,
            purpose=CallPurpose.WATCH,
            due_at=follow_up_moment(now, every),
            caller=caller,
            follows=call,
            now=now,
        )
        created.append(watch)

    if sponsorship is None and not entry.calls.open().filter(purpose=CallPurpose.FRIENDLY).exists():
        days = settings.REGISTER_REGULAR_CONTACT_DAYS if level == 1 else settings.REGISTER_FRIENDLY_EVERY_DAYS
        created.append(
            create_follow_up_call(
                campaign=standing_campaign(organisation, actor=actor),
                entry=entry,
                purpose=CallPurpose.FRIENDLY,
                due_at=follow_up_moment(now, days),
                caller=caller,
                follows=call,
                now=now,
            )
        )

    # Tasks only when this call itself found the level (the grid was filled), not on each follow-up.
    if call.fragility_level in (2, 3):
        _task(call=call, title=orientation_title(call), actor=actor, now=now)
    if call.fragility_level == 3:
        _task(call=call, title=referral_title(entry), actor=actor, now=now)
    return [c for c in created if c is not None]
