"""Demo register of vulnerable persons for the demo accounts' organisation (maillage.core.demo):
about forty entries (active, pending consent from a transmitted list and from a relative, one
suspended, one removed), a past crisis with its evaluation campaign and outcomes (reached, needs
found, retries, unreachable, escalations handled and one still open for the dashboard), the
follow-up calls and tasks the outcomes created, friendly calls due tomorrow for the demo volunteer,
and one sponsorship with the demo volunteer (a spacing of its calls to announce tomorrow).

Written through the services (they check the rules) with dates in the past; synthetic (Faker
fr_FR, real communes). The crisis ended six weeks ago: its data stays until the retention task
destroys it three months after the end (guide VISA), so the demo shows it for about six more weeks
after a fresh seed. In May to September it is a heatwave, otherwise a cold spell (a heatwave in
December would look odd). Safe twice: nothing is added to an organisation that has a register.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone
from faker import Faker

from maillage.casework.fragility import DEFAULT_GRID, score
from maillage.casework.models import FollowUpTask
from maillage.core import access
from maillage.core.models import Organisation, User
from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from maillage.people.enums import ConsentChannel, HousingSituation, Sex
from maillage.people.models import Person, PersonAddress, PersonPhone
from maillage.register.enums import (
    CallPurpose,
    CrisisKind,
    CrisisLevel,
    EntrySource,
    EntryStatus,
    EscalationHandling,
    IsolationFactor,
    LegalCategory,
    Outcome,
    Priority,
)
from maillage.register.models import Call, Crisis, Escalation, RegisterEntry
from maillage.register.services import calls as call_services
from maillage.register.services import campaigns as campaign_services
from maillage.register.services import entries as entry_services
from maillage.register.services import sponsorships as sponsorship_services
from maillage.register.services.orientation import follow_up_moment

REGISTER_SIZE = 40
EXTRA_PERSONS = 12
# The past crisis: started eight weeks ago, ended six weeks ago (its data is destroyed three months
# after the end, core.retention).
CRISIS_STARTED_DAYS_AGO = 56
CRISIS_ENDED_DAYS_AGO = 42

NEIGHBOURHOODS = {
    "35": [
        "Centre",
        "Thabor – Saint-Hélier – Alphonse Guérin",
        "Bourg-l'Évêque – La Touche – Moulin du Comte",
        "Saint-Martin",
        "Maurepas – Patton",
        "Jeanne d'Arc – Longs Champs – Atalante Beaulieu",
        "Sud-Gare",
        "Cleunay – Arsenal – Redon",
        "Villejean – Beauregard",
        "Le Blosne",
        "Bréquigny",
    ],
    "21": [
        "Centre-ville",
        "Grésilles",
        "Fontaine d'Ouche",
        "Chevreul – Parc",
        "Montchapet",
        "Université",
        "Maladière – Drapeau – Clemenceau",
        "Toison d'Or",
    ],
}
CONSENT_WORDING = (
    "J'accepte que mes nom, prénom, date de naissance, adresse et numéro de téléphone figurent sur le "
    "registre des personnes vulnérables de la commune, pour être contacté·e en cas de canicule, de grand "
    "froid ou d'autre événement exceptionnel. Je peux demander ma radiation à tout moment."
)
SCRIPT = {
    "script_introduction": (
        "Bonjour, je m'appelle … ; je vous appelle de la part du CCAS, parce que vous êtes inscrite ou "
        "inscrit sur le registre des personnes vulnérables."
    ),
    "script_listening": "Laissez la personne parler, reformulez, ne promettez que ce que la commune fait.",
    "script_questions": "Comment allez-vous ? Avez-vous de quoi manger et boire ? Quelqu'un passe-t-il vous voir ?",
    "script_offer": "Portage de repas, visites de convivialité, salle rafraîchie de la mairie de quartier.",
    "script_advice": (
        "Boire régulièrement, fermer les volets le jour, aérer la nuit, éviter de sortir aux heures chaudes."
    ),
    "script_numbers": "SAMU : 15 ; CCAS : le numéro de l'accueil ; Canicule info service : 0 800 06 66 66.",
}
COLD_ADVICE = "Chauffer à 19 °C, ne pas boucher les aérations, se couvrir, limiter les sorties."
BEST_TIMES = ["Le matin", "Après 14 heures", "En fin de matinée", "Plutôt l'après-midi", ""]
HOME_ACCESS = ["Digicode 4512B", "Le gardien a une clé", "La voisine du 2e a une clé", "", ""]
HOME_PROFESSIONALS = ["Aide à domicile le matin (SAAD)", "Infirmière libérale deux fois par semaine", "", "", ""]


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def grid_answers_by_level(rng: random.Random) -> dict[int, dict]:
    """Answers of the phone grid that give each level (found by trying: the grid is casework's)."""
    found = {}
    first = {q.key: q.options[0].key for q in DEFAULT_GRID.questions}
    found[score(DEFAULT_GRID, first).level] = first
    for _ in range(5000):
        if len(found) == 4:
            break
        answers = {q.key: rng.choice(q.options).key for q in DEFAULT_GRID.questions}
        found.setdefault(score(DEFAULT_GRID, answers).level, answers)
    return found


def _extra_persons(organisation: Organisation, fake, rng, phone_prefix: str) -> list[Person]:
    """A dozen more persons for the register (older ones, and two disabled adults)."""
    addresses = list(
        PersonAddress.objects.filter(person__organisation=organisation, commune__isnull=False).select_related(
            "commune"
        )
    )
    communes = list({a.commune_id: a.commune for a in addresses}.values())
    landline = "+33" + phone_prefix.replace(" ", "")[1:]
    persons = []
    for index in range(EXTRA_PERSONS):
        sex = rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE])
        disabled = index < 2
        person = Person(
            organisation=organisation,
            last_name=fake.last_name(),
            first_names=fake.first_name_female() if sex == Sex.FEMALE else fake.first_name_male(),
            sex=sex,
            birth_date=datetime.date(
                rng.randint(1970, 1985) if disabled else rng.randint(1932, 1958),
                rng.randint(1, 12),
                rng.randint(1, 28),
            ),
            lives_alone=rng.random() < 0.7,
        )
        person.full_clean()
        person.save()
        if communes:
            commune = rng.choice(communes)
            PersonAddress.objects.create(
                person=person,
                line=fake.street_address(),
                postal_code=rng.choice(commune.postal_codes or [""]),
                commune=commune,
                housing=rng.choice([HousingSituation.TENANT, HousingSituation.SOCIAL_TENANT, HousingSituation.OWNER]),
            )
        PersonPhone.objects.create(
            person=person, number=f"{landline}{rng.randint(0, 999999):06d}", kind="landline", is_preferred=True
        )
        persons.append(person)
    return persons


def _entry_data(person: Person, rng, fake, neighbourhoods, today, source, **extra) -> dict:
    age = (today - person.birth_date).days // 365 if person.birth_date else 70
    category = LegalCategory.AGED_65 if age >= 65 else LegalCategory.DISABLED_ADULT
    if 60 <= age < 65:
        category = LegalCategory.AGED_60_UNFIT
    factors = rng.sample(list(IsolationFactor.values), rng.randint(0, 3))
    if person.lives_alone and IsolationFactor.LIVES_ALONE not in factors:
        factors.append(IsolationFactor.LIVES_ALONE)
    return {
        "source": source,
        "requested_on": today - datetime.timedelta(days=rng.randint(90, 900)),
        "legal_category": category,
        "isolation_factors": factors,
        "priority": Priority.HIGH if len(factors) >= 3 else Priority.NORMAL,
        "neighbourhood": rng.choice(neighbourhoods) if neighbourhoods else "",
        "best_times": rng.choice(BEST_TIMES),
        "home_access": rng.choice(HOME_ACCESS),
        "home_professionals": rng.choice(HOME_PROFESSIONALS),
        "hearing_difficulty": rng.random() < 0.15,
        "prefers_visit": rng.random() < 0.1,
        "subscribes_to_information": rng.random() < 0.4,
        **extra,
    }


@transaction.atomic
def seed_register(
    *,
    organisation: Organisation,
    manager: User,
    volunteer: User,
    seed: int = 0,
    phone_prefix: str = "02 99",
    list_sender: str = "",
    partner_name: str = "",
) -> int:
    """Fill the organisation's register (module docstring); returns how many entries were made (0
    when it had a register already)."""
    if RegisterEntry.objects.filter(organisation=organisation).exists():
        return 0
    persons = list(Person.objects.filter(organisation=organisation, merged_into__isnull=True).order_by("pk"))
    if not persons:
        return 0
    fake = Faker("fr_FR")
    fake.seed_instance(seed + organisation.pk + 13)
    rng = random.Random(seed + organisation.pk + 13)  # noqa: S311 (reproducible demo data, not a secret)
    today = timezone.localdate()
    departement = organisation.commune.departement.code if organisation.commune_id else ""
    neighbourhoods = NEIGHBOURHOODS.get(departement, [])
    extra = _extra_persons(organisation, fake, rng, phone_prefix)
    chosen = (persons + extra)[:REGISTER_SIZE]
    pending, active = chosen[-3:], chosen[:-3]

    entries = []
    for index, person in enumerate(active):
        if index % 9 == 4 and partner_name:
            # Reported by a partner, then the person agreed on the phone.
            data = _entry_data(
                person, rng, fake, neighbourhoods, today, EntrySource.PARTNER, requester_name=partner_name
            )
            entry = entry_services.entry_register(actor=manager, organisation=organisation, person=person, data=data)
            entry = entry_services.entry_record_consent(
                actor=manager,
                organisation=organisation,
                entry=entry,
                channel=ConsentChannel.ORAL,
                given_on=data["requested_on"] + datetime.timedelta(days=3),
                wording=CONSENT_WORDING,
            )
        else:
            source = EntrySource.LEGAL_REPRESENTATIVE if index % 11 == 7 else EntrySource.SELF
            data = _entry_data(person, rng, fake, neighbourhoods, today, source)
            if source == EntrySource.LEGAL_REPRESENTATIVE:
                data.update(requester_name=fake.name(), requester_relationship="tutrice")
            entry = entry_services.entry_register(
                actor=manager,
                organisation=organisation,
                person=person,
                data=data,
                consent_channel=rng.choice([ConsentChannel.SIGNED_PAPER, ConsentChannel.ORAL]),
                consent_wording=CONSENT_WORDING,
                known_by_callers=[volunteer] if index % 10 == 3 else (),
            )
        RegisterEntry.objects.filter(pk=entry.pk).update(
            activated_on=data["requested_on"], confirmed_on=data["requested_on"]
        )
        entries.append(entry)
    # Pending consent: two from the département's transmitted list, one reported by a relative.
    for index, person in enumerate(pending):
        if index < 2:
            source, asked = EntrySource.DEPARTEMENT_LIST, {"received_via": "import", "requester_name": list_sender}
        else:
            source, asked = (
                EntrySource.THIRD_PARTY,
                {
                    "received_via": "report",
                    "requester_name": fake.name_female(),
                    "requester_relationship": "fille",
                    "requester_contact": f"+336{rng.randint(10000000, 99999999)}",
                },
            )
        data = _entry_data(person, rng, fake, neighbourhoods, today, source, **asked)
        data["requested_on"] = today - datetime.timedelta(days=rng.randint(3, 20))
        entry_services.entry_register(actor=manager, organisation=organisation, person=person, data=data)

    _past_crisis(organisation, manager, volunteer, entries, rng, today)

    # One removal at the person's request (after the crisis).
    removed = entries[-1]
    removed.refresh_from_db()
    if removed.status == EntryStatus.ACTIVE:
        entry_services.entry_remove(
            actor=manager, organisation=organisation, entry=removed, reason="", at_persons_request=True
        )
    return len(active) + len(pending)


def _caller(call: Call, manager: User) -> User:
    return call.assigned_to or manager


def _past_crisis(organisation, manager, volunteer, entries, rng, today) -> None:  # noqa: PLR0915
    started = today - datetime.timedelta(days=CRISIS_STARTED_DAYS_AGO)
    ended = today - datetime.timedelta(days=CRISIS_ENDED_DAYS_AGO)
    summer = started.month in (5, 6, 7, 8, 9)
    kind = CrisisKind.HEATWAVE if summer else CrisisKind.COLD
    month = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"][started.month - 1]  # fmt: skip
    crisis = Crisis(
        organisation=organisation,
        kind=kind,
        title=f"{'Canicule' if summer else 'Grand froid'} de {month} {started.year}",
        level=CrisisLevel.ALERT,
        started_at=_aware(started, 10),
        planned_end_on=ended,
        activated_by=manager,
    )
    crisis.full_clean()
    crisis.save()
    crisis.communes.set(organisation.communes_served.all() or ([organisation.commune] if organisation.commune else []))

    callers = [u for u in (volunteer, manager) if access.may_take_calls(u, organisation)]
    script = SCRIPT if summer else {**SCRIPT, "script_advice": COLD_ADVICE}
    campaign = campaign_services.campaign_create(
        actor=manager,
        organisation=organisation,
        title=f"Appels d'évaluation — {crisis.title}",
        crisis=crisis,
        script=script,
        callers=callers,
    )
    campaign_services.campaign_open(actor=manager, campaign=campaign)
    opened = _aware(started, 11)
    campaign.opened_at = opened
    campaign.created_at = opened - datetime.timedelta(minutes=30)
    campaign.save(update_fields=["opened_at", "created_at"])
    campaign.calls.update(created_at=opened, due_at=opened, assigned_at=opened)

    grid = grid_answers_by_level(rng)
    needs_codes = [code for code, _ in ESSENTIAL_NEEDS]
    calls = list(campaign.calls.select_related("entry").order_by("pk"))
    # The plan of outcomes, in order: mostly reached (levels 1 to 3), then the serious ones.
    plan = (
        [("fine", 1)] * 12
        + [("needs", 2)] * 7
        + [("needs", 3)] * 4
        + [("retry_then_fine", 1)] * 2
        + [("very_fragile", 4), ("unreachable_handled", None), ("unreachable_open", None)]
        + [("refused", None), ("in_hospital", None)]
    )
    escalations_to_handle = []
    for index, call in enumerate(calls):
        if index >= len(plan):
            break  # left to do: cancelled when the campaign closes
        what, level = plan[index]
        day = started + datetime.timedelta(days=index % 3)
        moment = _aware(day, 14, (index * 7) % 60)
        caller = _caller(call, manager)

        def record(outcome, at, *, call=call, caller=caller, **kwargs):
            return call_services.call_record_outcome(actor=caller, call=call, outcome=outcome, now=at, **kwargs)

        if what in ("fine", "needs", "very_fragile") and level in grid:
            needs = rng.sample(needs_codes, rng.randint(1, 2)) if what == "needs" else ()
            record(
                Outcome.NEEDS_FOUND if needs else Outcome.REACHED_FINE,
                moment,
                needs=needs,
                fragility_answers=grid[level],
                note="Personne jointe, rassurée par l'appel." if level == 1 else "",
            )
        elif what in ("fine", "needs", "very_fragile"):
            record(Outcome.REACHED_FINE, moment)
        elif what == "retry_then_fine":
            call = record(Outcome.NOT_REACHED, moment)
            record(Outcome.REACHED_FINE, moment + datetime.timedelta(hours=2), call=call)
        elif what.startswith("unreachable"):
            for attempt in range(campaign.max_attempts):
                call = record(Outcome.NOT_REACHED, moment + datetime.timedelta(hours=4 * attempt), call=call)
            if what == "unreachable_handled":
                escalations_to_handle.append((call, EscalationHandling.REACHED_OTHERWISE, "Jointe par sa voisine."))
        elif what == "refused":
            record(Outcome.REFUSED, moment, note="Ne souhaite pas être appelée pendant l'épisode.")
        elif what == "in_hospital":
            record(Outcome.IN_HOSPITAL, moment, note="Hospitalisée depuis lundi, d'après sa fille.")
        if what == "very_fragile":
            escalations_to_handle.append((call, EscalationHandling.HOME_VISIT, "Visite faite le jour même."))

    # The watch calls of the next days, reached (the others are cancelled when the campaign closes).
    for watch in Call.objects.filter(campaign=campaign, purpose=CallPurpose.WATCH).order_by("pk")[:6]:
        if watch.is_open and watch.assigned_to_id:
            call_services.call_record_outcome(
                actor=watch.assigned_to, call=watch, outcome=Outcome.REACHED_FINE, now=watch.due_at
            )

    for call, handling, note in escalations_to_handle:
        for escalation in Escalation.objects.filter(call=call, handled_at__isnull=True):
            call_services.escalation_handle(actor=manager, escalation=escalation, handling=handling, note=note)
            Escalation.objects.filter(pk=escalation.pk).update(
                handled_at=escalation.raised_at + datetime.timedelta(hours=3)
            )

    # The end of the crisis: the campaign closes (its calls not done are cancelled).
    crisis.ended_at = _aware(ended, 18)
    crisis.ended_by = manager
    crisis.save(update_fields=["ended_at", "ended_by"])
    campaign_services.campaign_close(actor=manager, campaign=campaign)
    campaign.closed_at = crisis.ended_at
    campaign.save(update_fields=["closed_at"])

    _follow_ups_after(organisation, manager, volunteer, entries, today)


def _follow_ups_after(organisation, manager, volunteer, entries, today) -> None:
    """After the crisis: the friendly calls the outcomes planned fall due over the coming days (a few
    tomorrow for the demo volunteer), the manager's orientation tasks are mostly done, and the demo
    volunteer sponsors one person."""
    tomorrow = follow_up_moment(timezone.now(), 1)
    open_friendly = list(Call.objects.open().filter(campaign__organisation=organisation, purpose=CallPurpose.FRIENDLY))
    mine = [c for c in open_friendly if c.assigned_to_id == volunteer.pk]
    if len(mine) < 3:  # however the dispatch shared the campaign, the volunteer has a few tomorrow
        extra = [c for c in open_friendly if c.assigned_to_id != volunteer.pk][: 3 - len(mine)]
        Call.objects.filter(pk__in=[c.pk for c in extra]).update(assigned_to=volunteer)
        mine += extra
    for index, call in enumerate(open_friendly):
        due = tomorrow if call in mine[:4] else follow_up_moment(timezone.now(), 1 + index % 14)
        Call.objects.filter(pk=call.pk).update(due_at=due, created_at=due - datetime.timedelta(days=7))
    tasks = list(FollowUpTask.objects.open().filter(organisation=organisation, assignee=manager).order_by("pk"))
    for index, task in enumerate(tasks):
        if index < len(tasks) - 3:
            FollowUpTask.objects.filter(pk=task.pk).update(
                done_at=timezone.now() - datetime.timedelta(days=30), due_on=task.due_on
            )
        else:
            FollowUpTask.objects.filter(pk=task.pk).update(due_on=today + datetime.timedelta(days=index % 3))

    # The sponsorship: a person the campaign found isolated, called weekly by the demo volunteer.
    if volunteer not in sponsorship_services.possible_sponsors(organisation):
        return
    candidates = [
        e
        for e in entries
        if RegisterEntry.objects.filter(pk=e.pk, status=EntryStatus.ACTIVE).exists()
        and Call.objects.filter(entry=e, fragility_level=2).exists()
    ]
    if not candidates:
        return
    entry = candidates[0]
    sponsorship = sponsorship_services.sponsorship_create(
        actor=manager,
        organisation=organisation,
        entry=entry,
        volunteer=volunteer,
        every_days=7,
        note="Aime parler de jardinage ; préfère être appelée le matin.",
    )
    Call.objects.open().filter(entry=entry, purpose=CallPurpose.FRIENDLY).update(due_at=tomorrow)
    sponsorship.started_on = today - datetime.timedelta(days=35)
    sponsorship.save(update_fields=["started_on"])
    # Five weeks on, the manager plans fortnightly calls: tomorrow's call announces it.
    sponsorship_services.sponsorship_change_frequency(
        actor=manager, organisation=organisation, sponsorship=sponsorship, every_days=14
    )
