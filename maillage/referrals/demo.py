"""Demo referrals (issue 14) from the demo accounts' organisation (the CCAS) to the partners that
have accounts — the CLIC (the « clic » account) and the home-help service (the « partenaire »
account) — in various states, so that the partner's inbox, the sender's pages and the persons'
timelines show something: one still unread and overdue, one received, one accepted with a first
contact booked, one in progress whose appointment has passed unconfirmed (« à confirmer »), one
declined with its reason, one closed « besoin satisfait ».

Written through the services (they check the rules: consent, lifecycle, first contact), then dated
in the past. Deterministic (seeded RNG, persons chosen in a fixed order); safe twice: nothing is
added when the organisation already sent a referral.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from maillage.core.models import Organisation, User
from maillage.directory.enums import ServiceStatus
from maillage.directory.models import Service
from maillage.people.models import Person
from maillage.referrals import first_contact, services
from maillage.referrals.enums import ReferralOutcome, ReferralStatus
from maillage.referrals.models import FirstContact, FirstContactEvent, Referral, ReferralEvent

S = ReferralStatus

# (partner key, referral type, need, reason, path of states, days ago it was sent)
PLAN = [
    (
        "clic",
        "coordination",
        "prendre-soin-de-soi-et-se-soigner",
        "Évaluation des besoins à domicile après une chute.",
        [],
        9,
    ),
    (
        "clic",
        "contact",
        "organiser-sa-vie-quotidienne",
        "Information sur l'APA et les aides au maintien à domicile.",
        [S.RECEIVED],
        3,
    ),
    (
        "home",
        "home",
        "organiser-sa-vie-quotidienne",
        "Aide aux courses et au ménage deux fois par semaine.",
        [S.RECEIVED, S.ACCEPTED],
        6,
    ),
    (
        "clic",
        "support",
        "etre-informe-et-ecoute",
        "Accompagnement pour un dossier d'aide sociale à l'hébergement.",
        [S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS],
        20,
    ),
    (
        "home",
        "home",
        "organiser-sa-vie-quotidienne",
        "Portage de repas demandé par la famille.",
        [S.RECEIVED, S.DECLINED],
        15,
    ),
    (
        "clic",
        "contact",
        "parler-avec-autrui",
        "Recherche d'un accueil de jour et de visites de convivialité.",
        [S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.CLOSED],
        40,
    ),
]


def _service(organisation):
    return (
        Service.objects.filter(organisation=organisation, status=ServiceStatus.PUBLISHED)
        .order_by("name", "pk")
        .first()
    )


def _backdate(referral: Referral, sent: datetime.datetime) -> None:
    """Spread the referral's history over the days after `sent` (the services dated it now)."""
    events = list(ReferralEvent.objects.filter(referral=referral).order_by("at", "pk"))
    step = datetime.timedelta(hours=20)
    dates = {}
    for index, event in enumerate(events):
        at = sent + step * max(index - 1, 0)
        ReferralEvent.objects.filter(pk=event.pk).update(at=at)
        if event.to_status:
            dates[event.to_status] = at
    fields = {
        "created_at": sent,
        "sent_at": dates.get(S.SENT),
        "received_at": dates.get(S.RECEIVED),
        "answered_at": dates.get(S.ACCEPTED) or dates.get(S.DECLINED),
        "started_at": dates.get(S.IN_PROGRESS),
        "ended_at": dates.get(S.CLOSED),
    }
    Referral.objects.filter(pk=referral.pk).update(**fields)


@transaction.atomic
def seed_referrals(
    *, organisation: Organisation, sender: User, partners: dict[str, tuple[Organisation, User]], seed: int
) -> list[Referral]:
    """The demo referrals of `organisation`, sent by `sender` to `partners` ({"clic": (org, user),
    "home": (org, user)}); nothing when it already sent one."""
    if Referral.objects.filter(from_organisation=organisation).exists():
        return []
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not a secret)
    persons = list(Person.objects.filter(organisation=organisation).order_by("last_name", "first_names", "pk")[:60])
    if len(persons) < len(PLAN):
        return []
    chosen = rng.sample(persons, len(PLAN))
    now = timezone.now()
    made = []
    for person, (key, referral_type, need, reason, path, days_ago) in zip(chosen, PLAN, strict=True):
        partner_organisation, partner_user = partners[key]
        service = _service(partner_organisation)
        if service is None:
            continue
        referral = services.referral_create(
            actor=sender,
            organisation=organisation,
            person=person,
            service=service,
            referral_type=referral_type,
            reason=reason,
            needs=[need],
            agreed_with_person="La personne attend un appel du partenaire.",
            consent_given=True,
        )
        for to_status in path:
            extra = {}
            if to_status == S.DECLINED:
                extra["note"] = "Notre secteur ne couvre pas la commune de la personne."
            if to_status == S.CLOSED:
                extra["outcome"] = ReferralOutcome.NEED_MET
                extra["note"] = "Accueil de jour deux après-midi par semaine."
            services.referral_transition(
                actor=partner_user, organisation=partner_organisation, referral=referral, to_status=to_status, **extra
            )
        _backdate(referral, now - datetime.timedelta(days=days_ago, hours=rng.randint(1, 6)))
        referral.refresh_from_db()
        if referral.status == S.ACCEPTED:
            # A first contact booked by the partner, the sender's agent going with the person.
            first_contact.first_contact_plan(
                actor=partner_user,
                organisation=partner_organisation,
                referral=referral,
                appointment_booked=True,
                appointment_at=(now + datetime.timedelta(days=4)).replace(hour=10, minute=0, second=0, microsecond=0),
                appointment_place="Au domicile de la personne",
                accompanied_by="Une agente du CCAS",
            )
        if referral.status == S.IN_PROGRESS:
            # Booked by the sender; the appointment has passed and nobody said whether it happened.
            first_contact.first_contact_plan(
                actor=sender,
                organisation=organisation,
                referral=referral,
                appointment_booked=True,
                appointment_at=now + datetime.timedelta(hours=1),
                appointment_place="Permanence du CLIC",
                accompanied_by="Sa fille",
            )
            past = (now - datetime.timedelta(days=2)).replace(hour=14, minute=30, second=0, microsecond=0)
            FirstContact.objects.filter(referral=referral).update(appointment_at=past)
            event = FirstContactEvent.objects.filter(referral=referral).get()
            FirstContactEvent.objects.filter(pk=event.pk).update(
                at=past - datetime.timedelta(days=5),
                summary=first_contact.plan_summary(FirstContact.objects.get(referral=referral)),
            )
        made.append(referral)
    return made
