"""Demo casework for one organisation of a demo territory (maillage.core.demo): the requests its
reception logged over the last weeks (some of them today, some to call back), signed assessments
of the ten essential needs and AGGIR grids, care plans whose goals are the needs found not met,
care teams, follow-up tasks due, notes. Synthetic (Faker fr_FR); written through the services,
as the demo accounts would. Safe twice: nothing is added to an organisation that has requests.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone
from faker import Faker

from maillage.casework import aggir
from maillage.casework.models import AssessmentKind, Request
from maillage.casework.models.followup import NoteVisibility
from maillage.casework.models.plans import ActionStatus, AgreementChannel, CostPeriod, FundingSource, PlanStatus
from maillage.casework.models.requests import RequestChannel, RequesterKind, RequestOutcome, ResponseLevel
from maillage.casework.services import assessments as assessment_services
from maillage.casework.services import care_team as care_team_services
from maillage.casework.services import followup as followup_services
from maillage.casework.services import plans as plan_services
from maillage.casework.services import requests as request_services
from maillage.core.models import Organisation, User
from maillage.directory.models import Service, Taxonomy, TaxonomyTerm
from maillage.people.enums import ConsentChannel, ConsentScope, Sex
from maillage.people.models import Consent, Person

# For each of the ten essential needs: the goal a plan sets when it is not met, and words of the
# name of the demo directory service that answers it (in both demo départements).
NEED_GOALS = {
    "se-nourrir": ("Manger équilibré chaque jour, sans avoir à cuisiner", "portage de repas"),
    "prendre-soin-de-soi-et-se-soigner": ("Recevoir ses soins à la maison", "soins infirmiers"),
    "etre-informe-et-ecoute": ("Connaître ses droits et les aides possibles", "point d'information seniors"),
    "parler-avec-autrui": ("Voir du monde chaque semaine", "visites de convivialité"),
    "pouvoir-sortir-et-maintenir-une-activite-physique": (
        "Aller à ses rendez-vous et faire ses courses",
        "transport solidaire",
    ),
    "retirer-de-l-argent": ("Gérer son budget sans difficulté", "accompagnement budgétaire"),
    "se-premunir-des-arnaques": ("Reconnaître les arnaques au téléphone et à la porte", "numérique"),
    "s-occuper-et-se-cultiver": ("Retrouver une activité qui plaît, hors de chez soi", "accueil de jour"),
    "organiser-sa-vie-quotidienne": ("Avoir de l'aide pour le ménage et les courses", "aide à domicile"),
    "maintenir-des-rituels-symboliques-ou-spirituels": ("Continuer d'aller à l'office", "offices"),
}
REQUEST_NOTES = [
    "Sa fille appelle : sa mère ne se fait plus à manger depuis sa chute.",
    "Demande d'information sur l'APA et le reste à charge.",
    "Voisin inquiet : volets fermés depuis deux jours, la personne va bien.",
    "Souhaite une aide pour les courses et le ménage.",
    "Veut s'inscrire au registre des personnes vulnérables pour l'été.",
    "Questions sur l'accueil de jour pour son mari.",
    "Sortie d'hospitalisation prévue vendredi, rien n'est organisé à la maison.",
    "Demande de téléassistance après une chute dans la salle de bains.",
    "Se sent seule depuis le décès de son mari, voudrait des visites.",
    "Facture d'énergie impayée, demande une aide facultative.",
]
TASKS = [
    ("Rappeler la fille pour organiser la visite à domicile", -2),
    ("Vérifier la mise en place du portage de repas", 0),
    ("Envoyer le dossier APA complété au Département", 0),
    ("Point téléphonique après la sortie d'hospitalisation", 3),
    ("Préparer la révision du plan d'aide", 10),
]


def _aware(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _summary(person: Person) -> str:
    """The assessment's summary, in the person's grammatical gender."""
    if not person.lives_alone:
        return "Vit en couple ; le conjoint aide au quotidien mais se fatigue."
    if person.sex == Sex.MALE:
        return "Vit seul, souhaite rester chez lui ; la famille est loin."
    return "Vit seule, souhaite rester chez elle ; la famille est loin."


def _services_for(organisation: Organisation) -> dict[str, Service]:
    """A published demo service of the organisation's département for each need a plan may answer."""
    departement = organisation.commune.departement_id
    found = {}
    for need, (_goal, words) in NEED_GOALS.items():
        service = (
            Service.objects.filter(
                status="published",
                service_at_locations__location__commune__departement_id=departement,
                name__icontains=words,
            )
            .select_related("organisation")
            .order_by("pk")
            .first()
        )
        if service is not None:
            found[need] = service
    return found


@transaction.atomic
def seed_casework(
    *,
    organisation: Organisation,
    coordinator: User,
    reception: User,
    partner: User | None = None,
    partner_organisation: Organisation | None = None,
    seed: int = 0,
) -> int:
    """Fill the organisation's casework; returns how many requests were logged (0 when it had some)."""
    if Request.objects.filter(organisation=organisation).exists():
        return 0
    persons = list(Person.objects.filter(organisation=organisation).order_by("pk"))
    if not persons:
        return 0
    fake = Faker("fr_FR")
    fake.seed_instance(seed + organisation.pk)
    rng = random.Random(seed + organisation.pk)  # noqa: S311 (reproducible demo data, not a secret)
    today = timezone.localdate()
    now = timezone.now()
    needs = list(TaxonomyTerm.objects.filter(taxonomy__slug=Taxonomy.NEEDS).order_by("position", "name"))
    subjects = list(request_services.subject_terms())
    services = _services_for(organisation)

    # Requests: the last four weeks, a handful today (the reception's first screen), some to call back.
    outcomes = [
        RequestOutcome.ANSWERED,
        RequestOutcome.ANSWERED,
        RequestOutcome.ORIENTED,
        RequestOutcome.ASSESSMENT_PLANNED,
        RequestOutcome.FOLLOW_UP_OPENED,
        RequestOutcome.CALL_BACK,
    ]
    count = 0
    for index in range(24):
        day = today - datetime.timedelta(days=0 if index < 5 else rng.randint(1, 28))
        received_at = _aware(day, rng.randint(8, 16), rng.choice([0, 10, 25, 40, 55]))
        if received_at > now:
            # Early in the day (even just after midnight), today's requests stay today: spread them
            # between midnight and now.
            since_midnight = now - _aware(today, 0, 0)
            received_at = now - since_midnight * (index + 1) / 6
        anonymous = index % 8 == 7
        person = None if anonymous else persons[index % len(persons)]
        kind = RequesterKind.ANONYMOUS if anonymous else rng.choice(list(RequesterKind)[:3])
        outcome = RequestOutcome.CALL_BACK if index in (1, 3) else rng.choice(outcomes)
        given = [services[n] for n in ("se-nourrir", "parler-avec-autrui") if n in services][: rng.randint(0, 2)]
        if outcome == RequestOutcome.ORIENTED and not services:
            outcome = RequestOutcome.ANSWERED
        # « Orientée » names the partner's service, chosen in the directory (issue 11, point 3).
        oriented_to = rng.choice(list(services.values())) if outcome == RequestOutcome.ORIENTED else None
        request_services.request_create(
            actor=reception,
            organisation=organisation,
            person=person,
            subjects=rng.sample(subjects, k=min(len(subjects), rng.randint(1, 2))),
            services_given=given if outcome in (RequestOutcome.ORIENTED, RequestOutcome.ANSWERED) else [],
            requester_kind=kind,
            requester_name="" if kind in (RequesterKind.ANONYMOUS, RequesterKind.PERSON) else fake.name(),
            requester_organisation="Centre hospitalier" if kind == RequesterKind.PROFESSIONAL else "",
            channel=rng.choice([RequestChannel.PHONE, RequestChannel.PHONE, RequestChannel.WALK_IN]),
            level=ResponseLevel.INFORMATION if outcome == RequestOutcome.ANSWERED else ResponseLevel.ASSESSMENT,
            time_spent_minutes=rng.choice([5, 10, 15, 20, 30, 45]),
            outcome=outcome,
            oriented_to=oriented_to,
            notes=REQUEST_NOTES[index % len(REQUEST_NOTES)],
            received_at=received_at,
        )
        count += 1

    # Assessments, plans and care teams for the first eight files.
    for index, person in enumerate(persons[:8]):
        assessed_on = today - datetime.timedelta(days=rng.randint(20, 90))
        not_met = rng.sample(needs, k=min(len(needs), rng.randint(2, 3)))
        answers = {
            term.code: {
                "status": "not_met" if term in not_met else rng.choice(["met", "met", "partly_met"]),
                "note": "À travailler avec la personne et sa famille." if term in not_met else "",
            }
            for term in needs
        }
        version = assessment_services.assessment_create(
            actor=coordinator,
            organisation=organisation,
            person=person,
            kind=AssessmentKind.NEEDS,
            answers=answers,
            assessed_on=assessed_on,
            summary=_summary(person),
        )
        if index == 7:
            continue  # one draft left to finish
        assessment_services.assessment_sign(actor=coordinator, organisation=organisation, version=version)
        if index % 2 == 0:
            grid = {name: rng.choice(aggir.ANSWERS[:2]) for name in aggir.ALL_SUB_VARIABLES}
            grid.update({name: rng.choice(aggir.ANSWERS) for name in assessment_services.AGGIR_ILLUSTRATIVE})
            aggir_version = assessment_services.assessment_create(
                actor=coordinator,
                organisation=organisation,
                person=person,
                kind=AssessmentKind.AGGIR,
                answers=grid,
                assessed_on=assessed_on,
            )
            assessment_services.assessment_sign(actor=coordinator, organisation=organisation, version=aggir_version)
        if index >= 5:
            continue
        # The plan: the needs found not met become its goals; a directory service answers each.
        plan = plan_services.care_plan_create(
            actor=coordinator,
            organisation=organisation,
            person=person,
            data={
                "title": "Rester chez soi en sécurité" if index % 2 == 0 else "Retrouver du lien et sortir",
                "wishes": "Rester à la maison le plus longtemps possible, garder ses habitudes.",
                "status": PlanStatus.ACTIVE,
                "starts_on": assessed_on + datetime.timedelta(days=7),
                # One review overdue, one this week, the others later.
                "next_review_on": today + datetime.timedelta(days=[-3, 4, 40, 75, 120][index]),
                "agreed_on": assessed_on + datetime.timedelta(days=7),
                "agreement_channel": AgreementChannel.ORAL,
            },
        )
        for term in not_met:
            goal = plan_services.care_plan_goal_add(
                actor=coordinator,
                organisation=organisation,
                plan=plan,
                need=term,
                description=NEED_GOALS.get(term.code, (term.name, ""))[0],
            )
            service = services.get(term.code)
            if service is None:
                continue
            cost = rng.choice([0, 45, 120, 180])
            plan_services.care_plan_action_save(
                actor=coordinator,
                organisation=organisation,
                plan=plan,
                data={
                    "goal": goal,
                    "what": service.name,
                    "provider_service": service,
                    "starts_on": plan.starts_on,
                    "frequency": "Chaque semaine",
                    "cost": cost,
                    "cost_period": CostPeriod.MONTH,
                    "funding": rng.choice([FundingSource.APA, FundingSource.PENSION_FUND])
                    if cost
                    else FundingSource.NONE,
                    "status": ActionStatus.IN_PROGRESS,
                },
            )
        # The care team: the coordinator as referent, outside professionals, and for two files the
        # partner organisation's professional (the person agreed to share with that organisation).
        care_team_services.care_team_add(
            actor=coordinator,
            organisation=organisation,
            person=person,
            role="Coordination du plan d'aide",
            email=coordinator.email,
            is_referent=True,
        )
        care_team_services.care_team_add(
            actor=coordinator,
            organisation=organisation,
            person=person,
            role=rng.choice(["Infirmière libérale", "Médecin traitant", "Kinésithérapeute"]),
            name=fake.name(),
            phone=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        )
        if partner is not None and partner_organisation is not None and index < 2:
            Consent.objects.get_or_create(
                person=person,
                scope=ConsentScope.SHARING,
                partner=partner_organisation,
                defaults={"channel": ConsentChannel.ORAL, "recorded_by": coordinator},
            )
            care_team_services.care_team_add(
                actor=coordinator,
                organisation=organisation,
                person=person,
                role="Coordination gérontologique (CLIC)",
                email=partner.email,
            )
        followup_services.note_create(
            actor=coordinator,
            organisation=organisation,
            person=person,
            body="Visite à domicile : logement adapté, la personne accepte le portage de repas.",
            visibility=NoteVisibility.ORGANISATION,
        )

    # Follow-up tasks of the coordinator: one late, two today, two coming.
    for (title, days), person in zip(TASKS, persons, strict=False):
        followup_services.followup_task_create(
            actor=coordinator,
            organisation=organisation,
            person=person,
            assignee=coordinator,
            title=title,
            due_on=today + datetime.timedelta(days=days),
        )
    return count
