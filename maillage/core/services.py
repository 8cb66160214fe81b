"""Writes of the core: one function per use case, in a transaction, keyword-only.

Authorisation is checked here too, through `core.access`, so that a view, a command or an API
calling a service cannot skip it.
"""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from maillage.core import access, emails, grammar, ratelimit
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry, Membership, MembershipInvitation, Organisation, User

ORGANISATION_EDITABLE_FIELDS = ("name", "siret", "email", "phone", "website", "address", "postal_code", "commune")


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, data: dict, communes_served=None) -> Organisation:
    """The organisation's administrator updates its identity, contacts and the communes it serves."""
    if not access.can_change_organisation(actor, organisation):
        raise ApplicationError("Vous n'avez pas le droit de modifier cette structure.")
    for field, value in data.items():
        if field not in ORGANISATION_EDITABLE_FIELDS:
            raise ApplicationError(f"Le champ « {field} » ne peut pas être modifié ici.")
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save()
    if communes_served is not None:
        organisation.communes_served.set(communes_served)
    return organisation


def _send_welcome_email(*, user: User, organisation: Organisation, base_url: str) -> None:
    """Invite a new member to choose a password: a one-hour password-reset link, sent by a task."""
    context = {
        "user": user,
        "organisation": organisation,
        "url": base_url.rstrip("/")
        + reverse(
            "core:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        ),
    }
    emails.send(
        subject=f"Maillage : votre accès {grammar.to(organisation.name)}",
        body=render_to_string("core/emails/welcome.txt", context),
        to=[user.email],
    )


def _send_invitation_email(*, invitation: MembershipInvitation, base_url: str) -> None:
    context = {
        "invitation": invitation,
        "url": base_url.rstrip("/") + reverse("core:invitation_list"),
    }
    emails.send(
        subject=f"Maillage : invitation à rejoindre {grammar.with_article(invitation.organisation.name)}",
        body=render_to_string("core/emails/invitation.txt", context),
        to=[invitation.user.email],
    )


def _trail(*, organisation: Organisation, actor: User | None, obj, text: str, remote_addr: str | None = None) -> None:
    """One line in `organisation`'s audit trail (its DPO reads it), about an account.

    Written with `bulk_create`, which sends no `pre_save`: inside a request, django-auditlog's
    context would otherwise replace `organisation` with the one the actor works for, and a line
    meant for another organisation's DPO would land in the actor's own trail."""
    AuditLogEntry.objects.bulk_create(
        [
            AuditLogEntry(
                content_type=ContentType.objects.get_for_model(obj.__class__),
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=str(obj)[:500],
                action=AuditLogEntry.Action.ACCESS,
                changes_text=text,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                remote_addr=remote_addr,
                organisation=organisation,
                timestamp=timezone.now(),
            )
        ]
    )


def _count_invitation(*, actor: User, organisation: Organisation) -> None:
    """Invitations and welcome e-mails are limited per administrator and per organisation: a
    stolen administrator session must not turn the platform into a mail cannon."""
    per_admin = settings.MAILLAGE_INVITATION_LIMIT_PER_ADMIN_PER_HOUR
    per_organisation = settings.MAILLAGE_INVITATION_LIMIT_PER_ORGANISATION_PER_DAY
    if not ratelimit.hit(f"invitation:admin:{actor.pk}", limit=per_admin, window_seconds=3600):
        raise ValidationError(
            {
                "email": f"Adresse électronique : vous avez déjà invité {per_admin} personnes en une heure. "
                "Réessayez plus tard."
            }
        )
    if not ratelimit.hit(f"invitation:organisation:{organisation.pk}", limit=per_organisation, window_seconds=86400):
        raise ValidationError(
            {
                "email": f"Adresse électronique : {per_organisation} invitations ont déjà été envoyées pour cette "
                "structure aujourd'hui. Réessayez demain."
            }
        )


@transaction.atomic
def membership_create(
    *, actor: User, organisation: Organisation, email: str, first_name: str, last_name: str, role: str, base_url: str
) -> Membership | MembershipInvitation:
    """The administrator adds a colleague.

    An unknown address gets an account without password, the membership and a welcome e-mail to
    choose the password. An existing account is only *invited* (`membership_invitation_create`):
    it belongs to its holder, who accepts or declines once logged in (decisions.md, item 22)."""
    if not access.can_manage_members(actor, organisation):
        raise ApplicationError("Vous n'avez pas le droit de gérer les membres de cette structure.")
    if role not in Role.values:
        raise ValidationError({"role": "Rôle : choisissez un rôle de la liste."})
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return membership_invitation_create(
            actor=actor, organisation=organisation, user=user, role=role, base_url=base_url
        )
    _count_invitation(actor=actor, organisation=organisation)
    user = User(email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.full_clean()
    membership.save()
    _send_welcome_email(user=user, organisation=organisation, base_url=base_url)
    return membership


@transaction.atomic
def membership_invitation_create(
    *, actor: User, organisation: Organisation, user: User, role: str, base_url: str
) -> MembershipInvitation:
    """The administrator invites an existing account to take a role in their organisation: no
    membership until its holder accepts. The holder is told by e-mail."""
    if not access.can_manage_members(actor, organisation):
        raise ApplicationError("Vous n'avez pas le droit de gérer les membres de cette structure.")
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError({"email": f"Adresse électronique : {user.email} est déjà membre de cette structure."})
    open_invitations = MembershipInvitation.objects.filter(
        user=user, organisation=organisation, accepted_at=None, declined_at=None, withdrawn_at=None
    )
    if open_invitations.filter(expires_at__gt=timezone.now()).exists():
        raise ValidationError(
            {"email": "Adresse électronique : une invitation est déjà en attente pour cette adresse."}
        )
    open_invitations.delete()  # expired, never answered: replaced by the new one
    _count_invitation(actor=actor, organisation=organisation)
    now = timezone.now()
    invitation = MembershipInvitation(
        organisation=organisation,
        user=user,
        role=role,
        invited_by=actor,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.MAILLAGE_INVITATION_VALIDITY_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    _trail(
        organisation=organisation,
        actor=actor,
        obj=user,
        text=f"Invitation envoyée ({invitation.get_role_display().lower()})",
    )
    _send_invitation_email(invitation=invitation, base_url=base_url)
    return invitation


@transaction.atomic
def membership_invitation_accept(*, actor: User, invitation: MembershipInvitation) -> Membership:
    """The invited account's holder, logged in, accepts: the membership is created with the role
    offered. Only while the invitation is pending."""
    invitation = MembershipInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.user_id != actor.pk or not invitation.is_pending:
        raise ApplicationError("Cette invitation n'est plus valable.")
    if not invitation.organisation.is_active:
        raise ApplicationError("Cette structure n'est plus active : l'invitation ne peut pas être acceptée.")
    membership, created = Membership.objects.get_or_create(
        user=actor, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    if not created:
        membership.role = invitation.role
        membership.is_active = True
        membership.full_clean()
        membership.save()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    _trail(
        organisation=invitation.organisation,
        actor=actor,
        obj=actor,
        text=f"Invitation acceptée ({invitation.get_role_display().lower()})",
    )
    return membership


@transaction.atomic
def membership_invitation_decline(*, actor: User, invitation: MembershipInvitation) -> MembershipInvitation:
    """The invited account's holder declines: nothing is attached to their account."""
    invitation = MembershipInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.user_id != actor.pk or not invitation.is_pending:
        raise ApplicationError("Cette invitation n'est plus valable.")
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    _trail(organisation=invitation.organisation, actor=actor, obj=actor, text="Invitation refusée")
    return invitation


@transaction.atomic
def membership_invitation_withdraw(*, actor: User, invitation: MembershipInvitation) -> MembershipInvitation:
    """The organisation's administrator withdraws a pending invitation."""
    if not access.can_manage_members(actor, invitation.organisation):
        raise ApplicationError("Vous n'avez pas le droit de gérer les membres de cette structure.")
    invitation = MembershipInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ApplicationError("Cette invitation n'est plus en attente : elle a déjà reçu une réponse ou a expiré.")
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    _trail(organisation=invitation.organisation, actor=actor, obj=invitation.user, text="Invitation retirée")
    return invitation


@transaction.atomic
def membership_update(*, actor: User, membership: Membership, role: str, is_active: bool) -> Membership:
    """The administrator changes a colleague's role or (de)activates the membership. An
    administrator cannot remove their own administration right, so an organisation keeps one."""
    if not access.can_manage_members(actor, membership.organisation):
        raise ApplicationError("Vous n'avez pas le droit de gérer les membres de cette structure.")
    if membership.user_id == actor.pk and (role != Role.ADMIN or not is_active):
        raise ApplicationError(
            "Vous ne pouvez pas retirer vos propres droits d'administration : "
            "demandez à un autre administrateur de le faire."
        )
    membership.role = role
    membership.is_active = is_active
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """Issue a fresh set of single-use recovery codes, invalidating the previous ones. Each code is
    10 hexadecimal characters (40 bits); django-otp throttles wrong guesses."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Codes de secours", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(settings.MAILLAGE_RECOVERY_CODES_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def second_factor_reset(*, actor: User, membership: Membership, base_url: str, remote_addr: str | None = None) -> None:
    """The administrator resets a colleague's second factor (lost phone and recovery codes): the
    colleague pairs a new application at their next login.

    Only an administrator of an organisation the account is an active member of (an account
    belongs to its holder: being invited, or a former member, gives no hold on it). Not on
    oneself: another administrator must do it, so that a stolen session cannot remove the factor.
    The holder is told by e-mail, and every organisation the account works for gets a line in its
    trail, so that each one's DPO sees it."""
    if membership.user_id == actor.pk:
        raise ApplicationError("Vous ne pouvez pas réinitialiser votre propre second facteur.")
    if not access.can_reset_second_factor(actor, membership):
        raise ApplicationError("Vous n'avez pas le droit de réinitialiser le second facteur de ce compte.")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    holder = membership.user
    TOTPDevice.objects.filter(user=holder).delete()
    StaticDevice.objects.filter(user=holder).delete()
    text = f"Second facteur réinitialisé par {actor} (administrateur·rice {grammar.of(membership.organisation.name)})"
    organisations = Organisation.objects.filter(pk__in=access.active_memberships(holder).values("organisation"))
    for organisation in organisations:
        _trail(organisation=organisation, actor=actor, obj=holder, text=text, remote_addr=remote_addr)
    context = {
        "user": holder,
        "admin": actor,
        "organisation": membership.organisation,
        "url": base_url.rstrip("/") + reverse("core:login"),
    }
    emails.send(
        subject="Maillage : votre second facteur a été réinitialisé",
        body=render_to_string("core/emails/second_factor_reset.txt", context),
        to=[holder.email],
    )
