"""Writes of the core: one function per use case, in a transaction, keyword-only.

Authorisation is checked here too, through `core.access`, so that a view, a command or an API
calling a service cannot skip it.
"""

import secrets

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from maillage.core import access
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Membership, Organisation, User
from maillage.core.tasks import send_email

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
    send_email.enqueue(
        subject=f"Maillage : votre accès à {organisation}",
        body=render_to_string("core/emails/welcome.txt", context),
        to=[user.email],
    )


@transaction.atomic
def membership_create(
    *, actor: User, organisation: Organisation, email: str, first_name: str, last_name: str, role: str, base_url: str
) -> Membership:
    """The administrator adds a colleague: an existing account gets the new role in this
    organisation; an unknown address gets an account without password and an invitation e-mail."""
    if not access.can_manage_members(actor, organisation):
        raise ApplicationError("Vous n'avez pas le droit de gérer les membres de cette structure.")
    if role not in Role.values:
        raise ValidationError({"role": "Rôle inconnu."})
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError({"email": f"{email} est déjà membre de cette structure."})
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.full_clean()
    membership.save()
    if created:
        transaction.on_commit(lambda: _send_welcome_email(user=user, organisation=organisation, base_url=base_url))
    return membership


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
def second_factor_reset(*, actor: User, membership: Membership) -> None:
    """The administrator resets a colleague's second factor (lost phone and recovery codes): the
    colleague pairs a new application at their next login. Not on oneself: another administrator
    must do it, so that a stolen session cannot remove the factor."""
    if not access.can_manage_members(actor, membership.organisation):
        raise ApplicationError("Vous n'avez pas le droit de gérer les membres de cette structure.")
    if membership.user_id == actor.pk:
        raise ApplicationError("Vous ne pouvez pas réinitialiser votre propre second facteur.")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=membership.user).delete()
    StaticDevice.objects.filter(user=membership.user).delete()
