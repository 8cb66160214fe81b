"""The accompanied first contact (issue 14, point 4): the help given to make the first contact with
the partner — an appointment booked for the person, when, where or how, who goes with them — and
afterwards whether it took place. Either side of an open referral records it (the sender on its
referral's page, the partner on the received one); each change writes a `FirstContactEvent`, shown in
the referral's history and on the person's timeline, and goes through the audit trail.

Kept apart from `services.py` (the referral's lifecycle and notifications): recording the first
contact changes no state of the referral and sends no e-mail."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone

from maillage.core.exceptions import ApplicationError
from maillage.core.models import Organisation, User
from maillage.referrals.enums import FirstContactResult
from maillage.referrals.models import OPEN_FOR_PARTNER, FirstContact, FirstContactEvent, Referral
from maillage.referrals.services import _may_act, side_of


def _check_may_record(actor: User | None, organisation: Organisation | None, referral: Referral, link=None):
    """The referral locked, and who records for it: (referral, actor, organisation). `link`: the
    partner without an account, through its link in force (no user; the receiving organisation)."""
    referral = Referral.objects.select_for_update().select_related("person").get(pk=referral.pk)
    if link is not None:
        from maillage.referrals import links

        if link.referral_id != referral.pk or links.refusal(link) is not None:
            raise ApplicationError("Ce lien ne permet pas de noter le premier contact de cette orientation.")
        actor, organisation = None, referral.to_organisation
    else:
        side = side_of(referral, organisation)
        if side is None or not _may_act(actor, organisation, referral, side):
            raise ApplicationError("Cette orientation ne concerne pas votre structure.")
    if referral.status not in OPEN_FOR_PARTNER:
        raise ApplicationError(
            "Cette orientation est terminée (ou pas encore envoyée) : on ne peut plus y noter le premier contact."
        )
    return referral, actor, organisation


def _when(value) -> str:
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'l j F Y')} à {local:%H} h {local:%M}"


def plan_summary(contact: FirstContact) -> str:
    """The plan in one French sentence, for the history and the timeline."""
    if contact.appointment_booked:
        text = f"Rendez-vous pris pour la personne le {_when(contact.appointment_at)}"
        if contact.appointment_place:
            text += f" ({contact.appointment_place})"
    else:
        text = "Pas de rendez-vous pris pour la personne"
    who = contact.accompanied_by or "personne"
    return f"{text} ; accompagnée par : {who}."


def result_summary(contact: FirstContact) -> str:
    if contact.result == FirstContactResult.HAPPENED:
        return "Le premier contact a eu lieu."
    if contact.result == FirstContactResult.NOT_HAPPENED:
        return f"Le premier contact n'a pas eu lieu : {contact.result_reason}"
    return "On ne sait pas si le premier contact a eu lieu."


@transaction.atomic
def first_contact_plan(
    *,
    actor: User | None,
    organisation: Organisation | None,
    referral: Referral,
    appointment_booked: bool,
    appointment_at=None,
    appointment_place: str = "",
    accompanied_by: str = "",
    now=None,
    link=None,
) -> FirstContact:
    """Record (or change) the help given for the first contact. A booked appointment needs its date
    and time, in the future; without one, no date nor place. Changing the plan clears a result
    recorded for the previous one (the new appointment has not taken place yet)."""
    referral, actor, organisation = _check_may_record(actor, organisation, referral, link)
    now = now or timezone.now()
    appointment_place = (appointment_place or "").strip()
    accompanied_by = (accompanied_by or "").strip()
    if appointment_booked:
        if appointment_at is None:
            raise ValidationError({"appointment_at": "Indiquez la date et l'heure du rendez-vous pris."})
        if appointment_at <= now:
            raise ValidationError(
                {
                    "appointment_at": "Cette date est passée : un rendez-vous prévu est à venir. "
                    "Pour un rendez-vous déjà passé, notez s'il a eu lieu."
                }
            )
    elif appointment_at is not None or appointment_place:
        raise ValidationError(
            {"appointment_booked": "Cochez « rendez-vous pris » pour en noter la date, le lieu ou le moyen."}
        )
    contact, _created = FirstContact.objects.select_for_update().get_or_create(referral=referral)
    contact.appointment_booked = bool(appointment_booked)
    contact.appointment_at = appointment_at if appointment_booked else None
    contact.appointment_place = appointment_place
    contact.accompanied_by = accompanied_by
    contact.result = ""
    contact.result_reason = ""
    contact.full_clean()
    contact.save()
    FirstContactEvent.objects.create(
        referral=referral, actor=actor, organisation=organisation, at=now, summary=plan_summary(contact)
    )
    return contact


@transaction.atomic
def first_contact_result(
    *,
    actor: User | None,
    organisation: Organisation | None,
    referral: Referral,
    result: str,
    reason: str = "",
    now=None,
    link=None,
) -> FirstContact:
    """Record whether the first contact took place: « n'a pas eu lieu » needs the reason; an
    appointment still to come cannot have taken place (or not) yet."""
    referral, actor, organisation = _check_may_record(actor, organisation, referral, link)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if result not in FirstContactResult.values:
        raise ValidationError({"result": "Choisissez si le premier contact a eu lieu."})
    contact = FirstContact.objects.select_for_update().filter(referral=referral).first()
    if contact is None:
        raise ApplicationError("Notez d'abord l'aide apportée pour le premier contact (rendez-vous, accompagnement).")
    if (
        result != FirstContactResult.UNKNOWN
        and contact.appointment_booked
        and contact.appointment_at
        and contact.appointment_at > now
    ):
        raise ValidationError(
            {"result": f"Le rendez-vous est prévu le {_when(contact.appointment_at)} : il n'a pas encore eu lieu."}
        )
    if result == FirstContactResult.NOT_HAPPENED and not reason:
        raise ValidationError({"reason": "Indiquez pourquoi le premier contact n'a pas eu lieu."})
    contact.result = result
    contact.result_reason = reason if result == FirstContactResult.NOT_HAPPENED else ""
    contact.full_clean()
    contact.save()
    FirstContactEvent.objects.create(
        referral=referral, actor=actor, organisation=organisation, at=now, summary=result_summary(contact)
    )
    return contact


def first_contact_of(referral: Referral) -> FirstContact | None:
    return FirstContact.objects.filter(referral=referral).first()
