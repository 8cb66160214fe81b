"""Accounts belong to people, not to one organisation (issue 10): an administrator invites an
existing account, whose holder accepts; the second factor is reset only by an administrator of one
of the account's own organisations, with the holder told and every organisation's trail written."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry, Membership, MembershipInvitation
from maillage.core.services import recovery_codes_replace
from tests.conftest import login_verified, run_task_worker
from tests.core.factories import MembershipFactory, OrganisationFactory, UserFactory

PASSWORD = "Un-mot-de-passe-solide-1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    admin = MembershipFactory(role=Role.ADMIN, organisation__name="CCAS d'Alpha")
    login_verified(client, admin.user)
    return admin


@pytest.fixture
def outsider():
    """An agent of another organisation, with an authenticator and recovery codes."""
    membership = MembershipFactory(role=Role.COORDINATOR, user__email="agent.omega@exemple.fr")
    TOTPDevice.objects.create(user=membership.user, name="app", confirmed=True)
    recovery_codes_replace(user=membership.user)
    return membership


def _add(client, organisation, email, role="volunteer"):
    return client.post(
        reverse("core:member_create", args=[organisation.pk]),
        {"email": email, "first_name": "x", "last_name": "y", "role": role},
        follow=True,
    )


def _holder(client_class, user):
    return login_verified(client_class(), user)


def test_admin_cannot_attach_another_organisations_account_by_its_email(
    client, admin, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _add(client, admin.organisation, "Agent.Omega@Exemple.fr ")
    assert not Membership.objects.filter(user=outsider.user, organisation=admin.organisation).exists()
    invitation = MembershipInvitation.objects.get(user=outsider.user, organisation=admin.organisation)
    assert invitation.is_pending and invitation.role == Role.VOLUNTEER and invitation.invited_by == admin.user
    assert "invitation" in response.content.decode()
    run_task_worker()
    (message,) = mail.outbox
    assert message.to == ["agent.omega@exemple.fr"]
    assert message.subject == "Maillage : invitation à rejoindre le CCAS d'Alpha"
    assert reverse("core:invitation_list") in message.body


def test_admin_cannot_reset_the_second_factor_of_an_account_they_only_invited(client, admin, outsider):
    _add(client, admin.organisation, outsider.user.email)
    # Even an inactive membership in the admin's organisation (a former colleague) is not enough.
    former = MembershipFactory(organisation=admin.organisation, user=outsider.user, is_active=False)
    response = client.post(
        reverse("core:member_reset_second_factor", args=[admin.organisation.pk, former.pk]), {"password": PASSWORD}
    )
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=outsider.user).exists()
    assert StaticDevice.objects.filter(user=outsider.user).exists()


def test_holder_sees_the_invitation_and_accepts_it(client, admin, outsider):
    _add(client, admin.organisation, outsider.user.email, role="partner")
    holder = _holder(client.__class__, outsider.user)
    dashboard = holder.get(reverse("core:dashboard")).content.decode()
    assert "invitation" in dashboard and reverse("core:invitation_list") in dashboard
    page = holder.get(reverse("core:invitation_list")).content.decode()
    assert "CCAS d&#x27;Alpha" in page and "Professionnel·le partenaire" in page
    invitation = MembershipInvitation.objects.get(user=outsider.user)
    response = holder.post(reverse("core:invitation_accept", args=[invitation.pk]))
    assert response.status_code == 302
    membership = Membership.objects.get(user=outsider.user, organisation=admin.organisation)
    assert membership.role == Role.PARTNER and membership.is_active
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert AuditLogEntry.objects.filter(
        organisation=admin.organisation, changes_text__startswith="Invitation acceptée"
    ).exists()


def test_holder_declines_the_invitation(client, admin, outsider):
    _add(client, admin.organisation, outsider.user.email)
    invitation = MembershipInvitation.objects.get(user=outsider.user)
    holder = _holder(client.__class__, outsider.user)
    holder.post(reverse("core:invitation_decline", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    assert not Membership.objects.filter(user=outsider.user, organisation=admin.organisation).exists()
    assert holder.post(reverse("core:invitation_accept", args=[invitation.pk])).status_code == 404


def test_another_account_cannot_accept_someone_elses_invitation(client, admin, outsider):
    _add(client, admin.organisation, outsider.user.email)
    invitation = MembershipInvitation.objects.get(user=outsider.user)
    intruder = MembershipFactory(role=Role.ADMIN)
    other = _holder(client.__class__, intruder.user)
    assert other.post(reverse("core:invitation_accept", args=[invitation.pk])).status_code == 404
    assert "CCAS d&#x27;Alpha" not in other.get(reverse("core:invitation_list")).content.decode()
    assert not Membership.objects.filter(organisation=admin.organisation, user=intruder.user).exists()


def test_expired_invitation_cannot_be_accepted(client, admin, outsider):
    _add(client, admin.organisation, outsider.user.email)
    invitation = MembershipInvitation.objects.get(user=outsider.user)
    MembershipInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    holder = _holder(client.__class__, outsider.user)
    assert holder.post(reverse("core:invitation_accept", args=[invitation.pk])).status_code == 404
    assert not Membership.objects.filter(user=outsider.user, organisation=admin.organisation).exists()


def test_admin_sees_the_pending_invitation_and_withdraws_it(client, admin, outsider):
    _add(client, admin.organisation, outsider.user.email)
    page = client.get(reverse("core:member_list", args=[admin.organisation.pk])).content.decode()
    assert "agent.omega@exemple.fr" in page and "Invitation en attente" in page
    invitation = MembershipInvitation.objects.get(user=outsider.user)
    response = client.post(reverse("core:invitation_withdraw", args=[admin.organisation.pk, invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    holder = _holder(client.__class__, outsider.user)
    assert holder.post(reverse("core:invitation_accept", args=[invitation.pk])).status_code == 404
    # Withdrawn, the address may be invited again.
    _add(client, admin.organisation, outsider.user.email)
    assert MembershipInvitation.objects.pending().filter(user=outsider.user).count() == 1


def test_inviting_twice_is_refused_in_french(client, admin, outsider):
    _add(client, admin.organisation, outsider.user.email)
    response = _add(client, admin.organisation, outsider.user.email)
    assert "Adresse électronique : une invitation est déjà en attente pour cette adresse" in response.content.decode()
    assert MembershipInvitation.objects.filter(user=outsider.user).count() == 1


def test_newcomer_address_still_gets_an_account_and_a_welcome_email(client, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _add(client, admin.organisation, "nouvelle@exemple.fr")
    assert Membership.objects.filter(user__email="nouvelle@exemple.fr", organisation=admin.organisation).exists()
    assert not MembershipInvitation.objects.exists()


# --- Second-factor reset ------------------------------------------------------------------------


@pytest.fixture
def colleague(admin):
    """A colleague of the admin, also active in a second organisation and inactive in a third."""
    membership = MembershipFactory(organisation=admin.organisation, role=Role.VOLUNTEER, user__first_name="Lou")
    MembershipFactory(user=membership.user, organisation=OrganisationFactory(name="CLIC Bêta"))
    MembershipFactory(user=membership.user, organisation=OrganisationFactory(name="Asso Gamma"), is_active=False)
    TOTPDevice.objects.create(user=membership.user, name="app", confirmed=True)
    recovery_codes_replace(user=membership.user)
    return membership


def _reset(client, membership, password=PASSWORD):
    data = {} if password is None else {"password": password}
    url = reverse("core:member_reset_second_factor", args=[membership.organisation_id, membership.pk])
    return client.post(url, data)


def test_second_factor_reset_tells_the_holder_and_every_organisation_they_work_for(
    client, admin, colleague, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _reset(client, colleague)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=colleague.user).exists()
    assert not StaticDevice.objects.filter(user=colleague.user).exists()
    lines = AuditLogEntry.objects.filter(
        changes_text__startswith="Second facteur réinitialisé", object_pk=str(colleague.user.pk)
    )
    assert sorted(line.organisation.name for line in lines) == ["CCAS d'Alpha", "CLIC Bêta"]
    run_task_worker()
    (message,) = mail.outbox
    assert message.to == [colleague.user.email]
    assert "second facteur" in message.subject
    assert "CCAS d'Alpha" in message.body and admin.user.get_full_name() in message.body


def test_admin_cannot_reset_a_colleagues_second_factor_without_their_own_password(client, admin, colleague):
    for password in (None, "mauvais"):
        response = _reset(client, colleague, password=password)
        assert response.status_code == 200
        assert TOTPDevice.objects.filter(user=colleague.user).exists()
    assert "Mot de passe incorrect" in response.content.decode()


def test_admin_cannot_reset_their_own_second_factor(client, admin):
    response = _reset(client, admin)
    assert "Vous ne pouvez pas réinitialiser votre propre second facteur" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin.user).exists()


def test_admin_cannot_reset_an_inactive_colleagues_second_factor(client, admin, colleague):
    Membership.objects.filter(pk=colleague.pk).update(is_active=False)
    assert _reset(client, colleague).status_code == 404
    assert TOTPDevice.objects.filter(user=colleague.user).exists()


def test_a_user_without_account_elsewhere_is_not_reachable_by_a_foreign_admin(client, admin):
    stranger = UserFactory(email="seul@exemple.fr")
    TOTPDevice.objects.create(user=stranger, name="app", confirmed=True)
    _add(client, admin.organisation, "seul@exemple.fr")
    assert not Membership.objects.filter(user=stranger).exists()


def test_password_alone_cannot_accept_an_invitation_for_an_account_with_an_authenticator(client, admin):
    holder = UserFactory(email="sans.structure@exemple.fr")
    TOTPDevice.objects.create(user=holder, name="app", confirmed=True)
    _add(client, admin.organisation, holder.email)
    invitation = MembershipInvitation.objects.get(user=holder)
    password_only = client.__class__()
    password_only.force_login(holder, backend="maillage.core.auth_backends.EmailBackend")
    response = password_only.post(reverse("core:invitation_accept", args=[invitation.pk]))
    # Every account passes its second factor before anything else (decisions.md 23).
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:otp_verify"))
    assert not Membership.objects.filter(user=holder).exists()
