import pytest
from django.core import mail
from django.urls import reverse

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry, Membership, MembershipInvitation, User
from tests.conftest import login_verified, run_task_worker
from tests.core.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = MembershipFactory(role=Role.ADMIN)
    login_verified(client, admin.user)
    return client, admin


def test_admin_adds_a_newcomer_who_gets_an_invitation(admin_client, django_capture_on_commit_callbacks):
    client, admin = admin_client
    url = reverse("core:member_create", args=[admin.organisation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"email": "Nouvelle.Agente@Exemple.fr", "first_name": "Inès", "last_name": "Roux", "role": "volunteer"},
        )
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle.agente@exemple.fr")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.VOLUNTEER
    assert AuditLogEntry.objects.filter(object_repr__contains="Inès Roux", organisation=admin.organisation).exists()
    run_task_worker()
    assert mail.outbox[0].to == ["nouvelle.agente@exemple.fr"]
    assert "/compte/mot-de-passe/nouveau/" in mail.outbox[0].body


def test_admin_cannot_attach_an_existing_account_without_its_holders_consent(
    admin_client, django_capture_on_commit_callbacks
):
    client, admin = admin_client
    existing = UserFactory(email="deja@exemple.fr")
    client.post(
        reverse("core:member_create", args=[admin.organisation.pk]),
        {"email": "deja@exemple.fr", "first_name": "x", "last_name": "y", "role": "partner"},
    )
    assert not Membership.objects.filter(user=existing, organisation=admin.organisation).exists()
    assert MembershipInvitation.objects.pending().filter(user=existing, organisation=admin.organisation).exists()
    run_task_worker()
    assert [m.to for m in mail.outbox] == [["deja@exemple.fr"]]
    assert "invitation" in mail.outbox[0].subject


def test_adding_a_member_twice_is_refused_in_french(admin_client):
    client, admin = admin_client
    MembershipFactory(organisation=admin.organisation, user__email="double@exemple.fr")
    response = client.post(
        reverse("core:member_create", args=[admin.organisation.pk]),
        {"email": "double@exemple.fr", "first_name": "x", "last_name": "y", "role": "partner"},
    )
    assert response.status_code == 200
    assert "est déjà membre de cette structure" in response.content.decode()


def test_admin_cannot_remove_their_own_administration_right(admin_client):
    client, admin = admin_client
    response = client.post(
        reverse("core:member_edit", args=[admin.organisation.pk, admin.pk]), {"role": "volunteer", "is_active": "on"}
    )
    assert "Vous ne pouvez pas retirer vos propres droits" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_deactivated_member_loses_access_at_once(admin_client, client):
    _, admin = admin_client
    colleague = MembershipFactory(organisation=admin.organisation, role=Role.DIRECTOR)
    admin_client[0].post(reverse("core:member_edit", args=[admin.organisation.pk, colleague.pk]), {"role": "director"})
    colleague.refresh_from_db()
    assert not colleague.is_active
    other = client.__class__()
    login_verified(other, colleague.user)
    assert other.get(reverse("core:member_list", args=[admin.organisation.pk])).status_code == 404
    assert "aucune structure" in other.get(reverse("core:dashboard")).content.decode()


def test_member_list_filters_by_text_and_role(admin_client):
    client, admin = admin_client
    MembershipFactory(organisation=admin.organisation, role=Role.VOLUNTEER, user__last_name="Zébulon")
    MembershipFactory(organisation=admin.organisation, role=Role.PARTNER, user__last_name="Arthaud")
    url = reverse("core:member_list", args=[admin.organisation.pk])
    body = client.get(url, {"q": "zébu"}).content.decode()
    assert "Zébulon" in body and "Arthaud" not in body
    body = client.get(url, {"role": "partner"}).content.decode()
    assert "Arthaud" in body and "Zébulon" not in body
    fragment = client.get(url, {"role": "partner"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Arthaud" in fragment


def test_admin_resets_a_colleagues_second_factor_but_not_their_own(admin_client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client, admin = admin_client
    colleague = MembershipFactory(organisation=admin.organisation, role=Role.VOLUNTEER)
    TOTPDevice.objects.create(user=colleague.user, name="app", confirmed=True)
    client.post(
        reverse("core:member_reset_second_factor", args=[admin.organisation.pk, colleague.pk]),
        {"password": "Un-mot-de-passe-solide-1"},
    )
    assert not TOTPDevice.objects.filter(user=colleague.user).exists()
    assert AuditLogEntry.objects.filter(changes_text__contains="Second facteur réinitialisé").exists()
    response = client.post(
        reverse("core:member_reset_second_factor", args=[admin.organisation.pk, admin.pk]),
        {"password": "Un-mot-de-passe-solide-1"},
    )
    assert "Vous ne pouvez pas réinitialiser votre propre second facteur" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin.user).exists()
