"""Writes about crises: activation and end of the plan, the transmission to the prefect, the
handling of alerts (issue 13, points 3, 4 and 8).

CASF L116-3 (the départemental alert and emergency plan, activated by the prefect) and L121-6-1
(the commune's register, used « en cas de déclenchement du plan »); guide VISA, « Organiser une
campagne d'appels ».

**One crisis in progress per kind and commune.** Activating a crisis of a kind (heatwave, cold…)
is refused while another crisis of the same kind is in progress in the organisation for one of
the same communes: two heatwaves over Rennes at once would split the calls, the dashboard and the
transmission in two. Crises of different kinds may overlap (a flood during a heatwave), and so may
crises of the same kind over different communes (a CIAS whose communes are hit one after the
other). To change the communes or the level of a crisis in progress, end it and activate another:
the level is shown, not used to decide anything, and a crisis is short.

**Ending a crisis** closes its campaigns (status closed, with the time) and cancels every call still
open (to do, assigned, to retry): no caller is given one any more, and no outcome can be posted for
it (the calls' services refuse an outcome for a call that is not open, or whose crisis has ended).
Open alerts are *not* closed: they stay on the dashboard until someone handles them and says how,
crisis or not.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Commune, Organisation, User
from maillage.register.enums import CallStatus, CampaignStatus, CrisisKind, CrisisLevel, EscalationHandling
from maillage.register.models import Call, CallCampaign, Crisis, Escalation, PrefectTransmission

ONLY_THE_MANAGER = "Seul le gestionnaire du registre déclenche et lève les crises de la structure."


def _check(actor: User, organisation: Organisation) -> None:
    if not access.can_manage_register(actor, organisation):
        raise ApplicationError(ONLY_THE_MANAGER)


def communes_for_crises(organisation: Organisation):
    """The communes a crisis of the organisation may cover: the communes it serves, and the commune
    of its seat (a mairie whose communes served were never filled in still covers its own)."""
    ids = set(organisation.communes_served.values_list("pk", flat=True))
    if organisation.commune_id:
        ids.add(organisation.commune_id)
    return Commune.objects.filter(pk__in=ids).order_by("name", "code")


@transaction.atomic
def crisis_activate(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    level: int,
    communes,
    title: str = "",
    started_at=None,
    planned_end_on=None,
) -> Crisis:
    """Activate the plan for an event over some of the organisation's communes.

    Refused (naming the field) for an unknown kind or level, no commune, a commune the organisation
    does not serve, a start in the future, a planned end before the start; refused (ApplicationError)
    when a crisis of the same kind is already in progress for one of these communes."""
    _check(actor, organisation)
    communes = list(communes)
    errors = {}
    if kind not in CrisisKind.values:
        errors["kind"] = "Choisissez l'événement."
    if level not in CrisisLevel.values:
        errors["level"] = "Choisissez un niveau de 1 à 4."
    if not communes:
        errors["communes"] = "Choisissez au moins une commune concernée."
    else:
        allowed = set(communes_for_crises(organisation).values_list("pk", flat=True))
        outside = [c for c in communes if c.pk not in allowed]
        if outside:
            names = ", ".join(c.name for c in outside)
            errors["communes"] = f"Votre structure ne dessert pas : {names}."
    started_at = started_at or timezone.now()
    if started_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["started_at"] = "Le déclenchement ne peut pas être dans le futur."
    if errors:
        raise ValidationError(errors)

    # Lock the organisation's row: two managers activating at once are served one after the other,
    # so the « one crisis in progress per kind and commune » rule holds under concurrency.
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    clash = (
        Crisis.objects.in_progress()
        .filter(organisation=organisation, kind=kind, communes__in=communes)
        .distinct()
        .first()
    )
    if clash is not None:
        raise ApplicationError(
            f"Une crise « {CrisisKind(kind).label.lower()} » est déjà en cours pour ces communes ({clash}) : "
            "levez-la d'abord, ou choisissez d'autres communes."
        )
    crisis = Crisis(
        organisation=organisation,
        kind=kind,
        level=level,
        title=title.strip(),
        started_at=started_at,
        planned_end_on=planned_end_on,
        activated_by=actor,
    )
    crisis.full_clean()
    crisis.save()
    crisis.communes.set(communes)
    return crisis


@transaction.atomic
def crisis_end(*, actor: User, organisation: Organisation, crisis: Crisis, ended_at=None) -> Crisis:
    """End the crisis: its campaigns are closed and its open calls cancelled (see the module's
    docstring); its data is destroyed three months later (register.retention)."""
    _check(actor, organisation)
    crisis = Crisis.objects.select_for_update().get(pk=crisis.pk, organisation=organisation)
    if crisis.ended_at is not None:
        raise ApplicationError("Cette crise est déjà levée.")
    now = timezone.now()
    crisis.ended_at = ended_at or now
    crisis.ended_by = actor
    # The account that activated it may have been deleted since (SET_NULL): not this end's concern.
    crisis.full_clean(exclude=["activated_by"])
    crisis.save()
    campaigns = CallCampaign.objects.filter(crisis=crisis)
    campaigns.exclude(status=CampaignStatus.CLOSED).update(status=CampaignStatus.CLOSED, closed_at=now)
    Call.objects.filter(campaign__in=campaigns).open().update(status=CallStatus.CANCELLED)
    return crisis


@transaction.atomic
def prefect_transmission_record(
    *, actor: User, organisation: Organisation, crisis: Crisis, entry_count: int, fields: list[str], file_format: str
) -> PrefectTransmission:
    """Record that the register was transmitted to the prefect for this crisis (who, when, how many
    entries, which columns, which format). Only while the crisis is in progress (CASF R121-8: at the
    prefect's request, for the alert and emergency plan)."""
    _check(actor, organisation)
    if crisis.organisation_id != organisation.pk:
        raise ApplicationError("Crise introuvable.")
    if not crisis.is_in_progress:
        raise ApplicationError("La crise est levée : le registre n'est plus transmis au préfet pour elle.")
    transmission = PrefectTransmission(
        crisis=crisis,
        produced_by=actor,
        entry_count=entry_count,
        fields=list(fields),
        file_format=file_format,
    )
    transmission.full_clean()
    transmission.save()
    return transmission


@transaction.atomic
def escalation_handle(
    *, actor: User, organisation: Organisation, escalation: Escalation, handling: str, note: str = ""
) -> Escalation:
    """Say how an alert was handled (home visit, emergency services, person reached otherwise, other
    with a note): it leaves the dashboard. An alert handled already is refused (two managers on the
    same alert: the first one's answer stays)."""
    _check(actor, organisation)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk, organisation=organisation)
    if escalation.handled_at is not None:
        raise ApplicationError("Cette alerte a déjà été traitée.")
    if handling not in EscalationHandling.values:
        raise ValidationError({"handling": "Dites quelle suite a été donnée."})
    note = note.strip()
    if handling == EscalationHandling.OTHER and not note:
        raise ValidationError({"handling_note": "Précisez la suite donnée."})
    escalation.handling = handling
    escalation.handling_note = note
    escalation.handled_at = timezone.now()
    escalation.handled_by = actor
    escalation.full_clean()
    escalation.save()
    return escalation
