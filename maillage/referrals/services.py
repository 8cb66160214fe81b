"""Writes of referrals (issue 14): create and send, and every change of state through
`referral_transition`, which checks the lifecycle's table, dates the change, writes its event (the
audit trail records the referral's and the event's changes) and tells the other side by e-mail."""

import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from maillage.core import emails
from maillage.core.access.referrals import REFERRAL_INBOX_ROLES, can_refer_person
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Membership, Organisation, User
from maillage.directory.enums import ServiceStatus
from maillage.people.enums import ConsentChannel, ConsentGiver, ConsentScope
from maillage.people.models import Consent
from maillage.referrals import lifecycle
from maillage.referrals.enums import ReferralOutcome, ReferralStatus
from maillage.referrals.lifecycle import Side
from maillage.referrals.models import FINAL, Referral, ReferralEvent


def _absolute(path: str) -> str:
    return settings.MAILLAGE_BASE_URL.rstrip("/") + path


def can_receive_referrals(organisation: Organisation) -> bool:
    """Whether someone at the organisation would read a referral: an active account with a role of
    the referrals' inbox. Without one, a referral would wait where nobody looks."""
    return (
        Membership.objects.active()
        .filter(organisation=organisation, role__in=list(REFERRAL_INBOX_ROLES), user__is_active=True)
        .exists()
    )


RECIPIENT_EMAIL_REQUIRED = "Indiquez l'adresse électronique du partenaire : il y recevra le lien de l'orientation."


def unreachable_message(organisation: Organisation) -> str:
    return (
        f"{organisation.name} n'a pas de compte dans Maillage pour recevoir une orientation : prenez contact "
        "directement avec cette structure (ses coordonnées sont dans l'annuaire), ou choisissez un autre service."
    )


def _check_service(service, from_organisation, recipient_email: str = "", *, reachable: bool = True) -> None:
    """A service one may orient to: published, of another active organisation, and — when `reachable`
    — read by someone (accounts, or the address given for the link). A partner's redirection proposes
    any published service: the sender gives the address when sending the draft."""
    if service is None or service.status != ServiceStatus.PUBLISHED or not service.organisation.is_active:
        raise ApplicationError("Ce service n'est plus publié dans l'annuaire : choisissez-en un autre.")
    if service.organisation_id == from_organisation.pk:
        raise ApplicationError("Ce service est celui de votre structure : une orientation va vers un partenaire.")
    if reachable and not recipient_email and not can_receive_referrals(service.organisation):
        raise ApplicationError(unreachable_message(service.organisation))


def _record_consent(*, actor, person, partner, given_by, channel) -> Consent:
    consent = Consent(
        person=person,
        scope=ConsentScope.REFERRAL,
        partner=partner,
        given_by=given_by or ConsentGiver.PERSON,
        channel=channel or ConsentChannel.ORAL,
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def referral_create(
    *,
    actor: User,
    organisation: Organisation,
    person,
    service,
    referral_type: str,
    reason: str,
    needs=(),
    urgency: str = "normal",
    agreed_with_person: str = "",
    documents=(),
    consent_given: bool,
    consent_given_by: str = ConsentGiver.PERSON,
    consent_channel: str = ConsentChannel.ORAL,
    recipient_email: str = "",
) -> Referral:
    """Orient `person` to `service`: record the person's consent to share the referral's set with
    the service's organisation (required: without it nothing is saved), then create the referral and
    send it. Only the file's organisation orients, through a role that changes files; the documents
    shared are the person's own, chosen one by one."""
    if not can_refer_person(actor, organisation, person):
        raise ApplicationError("Vous ne pouvez pas orienter cette personne pour cette structure.")
    if not consent_given:
        raise ValidationError(
            {"consent_given": "Cochez la case une fois que la personne a accepté ce partage : il est obligatoire."}
        )
    # A partner with accounts reads its inbox; one without gets a link at the address the sender gave.
    recipient_email = "" if can_receive_referrals(service.organisation) else (recipient_email or "").strip().lower()
    _check_service(service, organisation, recipient_email)
    documents = list(documents)
    if any(document.person_id != person.pk for document in documents):
        raise ApplicationError("Un document choisi n'est pas dans le dossier de cette personne.")
    consent = _record_consent(
        actor=actor, person=person, partner=service.organisation, given_by=consent_given_by, channel=consent_channel
    )
    referral = Referral(
        person=person,
        from_organisation=organisation,
        sender=actor,
        to_service=service,
        to_organisation=service.organisation,
        referral_type=referral_type,
        reason=reason.strip(),
        needs=list(needs),
        urgency=urgency,
        agreed_with_person=agreed_with_person.strip(),
        consent=consent,
        recipient_email=recipient_email,
    )
    referral.full_clean()
    referral.save()
    referral.shared_documents.set(documents)
    ReferralEvent.objects.create(
        referral=referral, actor=actor, organisation=organisation, from_status="", to_status=ReferralStatus.DRAFT
    )
    return referral_transition(
        actor=actor, organisation=organisation, referral=referral, to_status=ReferralStatus.SENT
    )


def side_of(referral: Referral, organisation: Organisation | None) -> Side | None:
    """Which side of the referral the organisation stands on, or None (a third party)."""
    if organisation is None:
        return None
    if organisation.pk == referral.from_organisation_id:
        return Side.SENDER
    if organisation.pk == referral.to_organisation_id:
        return Side.RECEIVER
    return None


def _may_act(actor: User, organisation: Organisation, referral: Referral, side: Side) -> bool:
    from maillage.core import access

    if side == Side.SENDER:
        return can_refer_person(actor, organisation, referral.person)
    return access.can_use_referral_inbox(actor, organisation)


@transaction.atomic
def referral_transition(
    *,
    actor: User,
    organisation: Organisation,
    referral: Referral,
    to_status: str,
    note: str = "",
    outcome: str = "",
    redirect_to=None,
    link=None,
    api_key=None,
) -> Referral:
    """Move `referral` to `to_status` for `organisation` (the side it stands on), if the lifecycle's
    table allows it (lifecycle.TRANSITIONS): a refused change raises `ApplicationError` with the
    reason in French and changes nothing. Declining needs a reason, closing an outcome, redirecting
    another published service (a new referral is prepared for the sender, as a draft: the sender
    checks it with the person — and records their consent when the partner changes — and sends it).

    `link`: a partner without an account answering through its link (decision « nolink »): no user,
    the receiving side, the event records the link's address; the link must be this referral's and
    in force.

    `api_key`: the partner's software answering through the partner API with the key of `actor`
    (decision 60): the event records the key; everything else is the web's."""
    referral = Referral.objects.select_for_update().select_related("person", "to_service").get(pk=referral.pk)
    if link is not None:
        from maillage.referrals import links

        if link.referral_id != referral.pk or links.refusal(link) is not None:
            raise ApplicationError("Ce lien ne permet pas de répondre à cette orientation.")
        actor, organisation = None, referral.to_organisation
        side = Side.RECEIVER
    else:
        side = side_of(referral, organisation)
        if side is None or not _may_act(actor, organisation, referral, side):
            raise ApplicationError("Cette orientation ne concerne pas votre structure.")
    from_status = referral.status
    allowed = lifecycle.side_for(from_status, to_status)
    if allowed != side:
        raise ApplicationError(lifecycle.refusal_message(from_status, to_status, side))
    note = (note or "").strip()
    if to_status == ReferralStatus.SENT:
        _check_consent(referral)
        _check_service(referral.to_service, referral.from_organisation, referral.recipient_email)
    if to_status == ReferralStatus.DECLINED and not note:
        raise ValidationError({"note": "Indiquez le motif du refus : la structure qui a orienté la personne le lira."})
    if to_status == ReferralStatus.CLOSED:
        if outcome not in ReferralOutcome.values:
            raise ValidationError({"outcome": "Choisissez l'issue de l'orientation pour la clôturer."})
        referral.outcome = outcome
    new_referral = None
    if to_status == ReferralStatus.REDIRECTED:
        if redirect_to is None or redirect_to.pk == referral.to_service_id:
            raise ValidationError({"redirect_to": "Choisissez un autre service que celui-ci pour réorienter."})
        if redirect_to.organisation_id == referral.from_organisation_id:
            raise ValidationError(
                {
                    "redirect_to": "Ce service est celui de la structure qui a orienté la personne : refusez plutôt, "
                    "avec le motif."
                }
            )
        _check_service(redirect_to, referral.from_organisation, reachable=False)
    now = timezone.now()
    referral.status = to_status
    setattr(referral, lifecycle.TIMESTAMP_FIELD[to_status], now)
    referral.save()
    ReferralEvent.objects.create(
        referral=referral,
        actor=actor,
        organisation=organisation,
        at=now,
        from_status=from_status,
        to_status=to_status,
        note=note,
        actor_email=link.email if link is not None else "",
        api_key=api_key,
    )
    if to_status in FINAL:
        referral.links.filter(revoked_at__isnull=True).update(revoked_at=now)
    if to_status == ReferralStatus.SENT:
        from maillage.register.services.orientation import close_referral_tasks

        close_referral_tasks(referral, now=now)
    if to_status == ReferralStatus.REDIRECTED:
        new_referral = _prepare_redirection(actor, organisation, referral, redirect_to)
    _notify(referral, side, new_referral=new_referral)
    return referral


def receive_on_opening(*, actor, organisation, referral: Referral, api_key=None, link=None) -> Referral:
    """A sent referral its partner opens (web page, link or API) becomes « reçue », timestamped and
    notified like any transition. A colleague may have opened it a moment before, or the sender
    cancelled it in between: the referral is read again, whatever its state now."""
    if referral.status == ReferralStatus.SENT:
        with contextlib.suppress(ApplicationError):
            referral_transition(
                actor=actor,
                organisation=organisation,
                referral=referral,
                to_status=ReferralStatus.RECEIVED,
                api_key=api_key,
                link=link,
            )
        referral.refresh_from_db()
    return referral


def _check_consent(referral: Referral) -> None:
    consent = referral.consent
    if consent is None or consent.withdrawn_at is not None or consent.partner_id != referral.to_organisation_id:
        raise ApplicationError(
            "Le consentement de la personne à ce partage manque ou a été retiré : recueillez-le avant d'envoyer."
        )


def _prepare_redirection(actor, organisation, referral: Referral, service) -> Referral:
    """The new referral a redirection prepares: the same person, reason and set, to the service the
    partner named, a draft for the sender. The person's consent carries over only when the new
    service belongs to the same partner (the consent names the partner)."""
    same_partner = service.organisation_id == referral.to_organisation_id
    new = Referral(
        person=referral.person,
        from_organisation=referral.from_organisation,
        sender=referral.sender,
        to_service=service,
        to_organisation=service.organisation,
        referral_type=referral.referral_type,
        reason=referral.reason,
        needs=list(referral.needs),
        urgency=referral.urgency,
        agreed_with_person=referral.agreed_with_person,
        consent=referral.consent if same_partner else None,
        redirected_from=referral,
    )
    new.full_clean()
    new.save()
    new.shared_documents.set(referral.shared_documents.all())
    ReferralEvent.objects.create(
        referral=new,
        actor=actor,
        organisation=organisation,
        from_status="",
        to_status=ReferralStatus.DRAFT,
        note=f"Réorientation proposée par {organisation.name}.",
    )
    return new


@transaction.atomic
def referral_send_draft(
    *,
    actor: User,
    organisation: Organisation,
    referral: Referral,
    consent_given: bool,
    consent_given_by: str = ConsentGiver.PERSON,
    consent_channel: str = ConsentChannel.ORAL,
    recipient_email: str = "",
) -> Referral:
    """Send a draft (a redirection prepared by a partner): its consent is recorded first when it has
    none in force for its partner. To an organisation without accounts, `recipient_email` is the
    address its link goes to (required then, ignored otherwise)."""
    if side_of(referral, organisation) != Side.SENDER:
        raise ApplicationError("Cette orientation ne concerne pas votre structure.")
    if can_receive_referrals(referral.to_organisation):
        recipient_email = ""
    elif not recipient_email:
        raise ValidationError({"recipient_email": RECIPIENT_EMAIL_REQUIRED})
    if recipient_email != referral.recipient_email:
        referral.recipient_email = recipient_email
        referral.save(update_fields=["recipient_email", "updated_at"])
    consent = referral.consent
    if consent is None or consent.withdrawn_at is not None or consent.partner_id != referral.to_organisation_id:
        if not consent_given:
            raise ValidationError(
                {"consent_given": "Cochez la case une fois que la personne a accepté ce partage : il est obligatoire."}
            )
        referral.consent = _record_consent(
            actor=actor,
            person=referral.person,
            partner=referral.to_organisation,
            given_by=consent_given_by,
            channel=consent_channel,
        )
        referral.save(update_fields=["consent", "updated_at"])
    return referral_transition(
        actor=actor, organisation=organisation, referral=referral, to_status=ReferralStatus.SENT
    )


# --- Notifications: the other side hears of each change, without any personal data ---------------

SUBJECTS = {
    ReferralStatus.SENT: "Une orientation vous est adressée",
    ReferralStatus.RECEIVED: "Votre orientation a été reçue",
    ReferralStatus.ACCEPTED: "Votre orientation a été acceptée",
    ReferralStatus.DECLINED: "Votre orientation a été refusée",
    ReferralStatus.REDIRECTED: "Votre orientation a été réorientée",
    ReferralStatus.IN_PROGRESS: "Votre orientation est en cours",
    ReferralStatus.CLOSED: "Votre orientation a été clôturée",
    ReferralStatus.CANCELLED: "Une orientation qui vous était adressée a été annulée",
}


def inbox_recipients(organisation: Organisation) -> list[str]:
    """The addresses of the organisation's members who receive referrals (active accounts and
    memberships)."""
    return sorted(
        set(
            Membership.objects.active()
            .filter(organisation=organisation, role__in=list(REFERRAL_INBOX_ROLES))
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _sender_recipients(referral: Referral) -> list[str]:
    still_member = Membership.objects.active().filter(user=referral.sender, organisation=referral.from_organisation)
    return [referral.sender.email] if referral.sender.email and still_member.exists() else []


def _notify(referral: Referral, acting_side: Side, *, new_referral=None) -> None:
    """E-mail the other side: the referral's number, the service, the organisations and the new
    state — never the person's name, the reason or anything of the shared set. The receiving
    side hears only of what reaches it (sent, cancelled); the sender of every answer."""
    status = ReferralStatus(referral.status)
    if acting_side == Side.SENDER:
        if status not in (ReferralStatus.SENT, ReferralStatus.CANCELLED):
            return
        if status == ReferralStatus.CANCELLED and referral.sent_at is None:
            return  # a draft nobody received
        to = inbox_recipients(referral.to_organisation)
        url = _absolute(reverse("referrals:inbox"))
        if not to and referral.recipient_email:
            from maillage.referrals import links

            if status == ReferralStatus.SENT:
                links.send_link(referral)
            else:
                links.send_cancellation(referral)
            return
    else:
        to = _sender_recipients(referral)
        url = _absolute(reverse("referrals:sent_detail", args=[referral.pk]))
    if not to:
        return
    context = {
        "referral": referral,
        "status": status,
        "status_label": status.label.lower(),
        "url": url,
        "new_referral": new_referral,
        "acting_side": acting_side.value,
    }
    body = render_to_string("referrals/emails/notification.txt", context)
    emails.send(subject=f"[Maillage] {SUBJECTS[status]} (n° {referral.pk})", body=body, to=to)
