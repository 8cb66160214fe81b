"""Personal API keys (decision 60): who makes, sees and revokes them, what is stored, what the
trail keeps, and the « Clés d'API » page in both themes."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.core import api_keys
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import ApiKey, AuditLogEntry
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory, api_key_for

pytestmark = pytest.mark.django_db

URL = "/compte/cles-api/"


def _member(role=Role.PARTNER, **kwargs):
    return MembershipFactory(role=role, **kwargs)


# --- The service ---------------------------------------------------------------------------------------


def test_key_is_made_for_its_holder_and_only_its_digest_is_kept():
    member = _member()
    created = api_keys.api_key_create(actor=member.user, organisation=member.organisation, name="Suivi")
    key = created.key
    assert created.secret.startswith("mlg_") and len(created.secret) >= 40
    assert (key.user, key.organisation, key.scope) == (member.user, member.organisation, "referrals")
    assert key.prefix == created.secret[:12]
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    assert created.secret not in {str(v) for v in stored.values()}
    assert key.secret_hash == api_keys.digest(created.secret)
    assert datetime.timedelta(days=89) < key.expires_at - timezone.now() <= datetime.timedelta(days=90)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VOLUNTEER, Role.DPO, Role.REGISTER_MANAGER])
def test_a_role_without_inbox_cannot_make_a_key(role):
    member = _member(role)
    with pytest.raises(ApplicationError):
        api_keys.api_key_create(actor=member.user, organisation=member.organisation, name="Suivi")
    assert not ApiKey.objects.exists()


def test_a_key_cannot_be_made_for_another_organisation():
    member = _member()
    other = _member().organisation
    with pytest.raises(ApplicationError):
        api_keys.api_key_create(actor=member.user, organisation=other, name="Suivi")


@pytest.mark.parametrize("days", [0, 367, 3650])
def test_validity_is_a_year_at_most(days):
    member = _member()
    with pytest.raises(ValidationError) as error:
        api_keys.api_key_create(actor=member.user, organisation=member.organisation, name="Suivi", days=days)
    assert "un an au plus" in str(error.value)
    assert not ApiKey.objects.exists()


def test_name_is_required():
    member = _member()
    with pytest.raises(ValidationError) as error:
        api_keys.api_key_create(actor=member.user, organisation=member.organisation, name="  ")
    assert "name" in error.value.error_dict


def test_authenticate_rechecks_everything_at_each_request():
    member = _member()
    key, secret = api_key_for(member.user, member.organisation)
    assert api_keys.authenticate(f"Bearer {secret}")[0] == key
    assert api_keys.authenticate(f"bearer {secret}")[0] == key
    for header in ("", secret, f"Basic {secret}", "Bearer "):
        with pytest.raises(api_keys.KeyRefused) as refused:
            api_keys.authenticate(header)
        assert refused.value.status == 401
    member.organisation.is_active = False
    member.organisation.save()
    with pytest.raises(api_keys.KeyRefused) as refused:
        api_keys.authenticate(f"Bearer {secret}")
    assert refused.value.status == 403


def test_revocation_by_holder_by_administrator_not_by_a_colleague():
    member = _member()
    colleague = _member(organisation=member.organisation)
    admin = _member(Role.ADMIN, organisation=member.organisation)
    key, _secret = api_key_for(member.user, member.organisation)
    with pytest.raises(ApplicationError):
        api_keys.api_key_revoke(actor=colleague.user, organisation=member.organisation, key=key)
    api_keys.api_key_revoke(actor=admin.user, organisation=member.organisation, key=key)
    key.refresh_from_db()
    assert key.revoked_by == admin.user and key.revoked_at is not None
    with pytest.raises(ApplicationError):
        api_keys.api_key_revoke(actor=member.user, organisation=member.organisation, key=key)
    own, _secret = api_key_for(member.user, member.organisation)
    api_keys.api_key_revoke(actor=member.user, organisation=member.organisation, key=own)
    assert not own.is_in_force()


# --- The page ------------------------------------------------------------------------------------------


def _audit_lines(action):
    return AuditLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ApiKey), action=action)


@pytest.mark.parametrize("theme", ["neutral", "dsfr"])
def test_member_makes_a_key_sees_its_secret_once_and_the_trail_records_it(client, settings, theme):
    settings.MAILLAGE_THEME = theme
    settings.MAILLAGE_STATE_SERVICE = "Ministère des Solidarités"  # the DSFR theme needs the State's service
    member = _member()
    login_verified(client, member.user)
    page = client.get(URL)
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="_form_token"' in content
    assert ("govuk-" in content) is (theme == "neutral") and ("fr-btn" in content) is (theme == "dsfr")
    assert "Aucune clé pour l'instant." in content
    response = client.post(URL, {"name": "Logiciel de l'association", "days": "30"})
    assert response.status_code == 201
    key = ApiKey.objects.get()
    secret = response.context["created"].secret
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]  # the page with the secret is kept by no cache
    assert api_keys.authenticate(f"Bearer {secret}")[0] == key
    assert key.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()
    again = client.get(URL).content.decode()
    assert secret not in again and key.prefix in again and "Logiciel de l&#x27;association" in again
    line = _audit_lines(AuditLogEntry.Action.CREATE).get()
    assert line.actor == member.user
    assert key.secret_hash not in str(line.changes)


def test_bad_input_names_the_field_and_saves_nothing(client):
    member = _member()
    login_verified(client, member.user)
    response = client.post(URL, {"name": "", "days": "400"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Indiquez le nom de la clé" in content
    assert "Choisissez la durée de validité" in content or "Sélectionnez un choix valide" in content
    assert not ApiKey.objects.exists()


def test_administrator_sees_the_organisations_keys_never_a_secret_and_revokes(client):
    member = _member()
    key, secret = api_key_for(member.user, member.organisation, name="Logiciel du portage")
    elsewhere, _s = api_key_for(_member().user, _member().organisation, name="Clé d'ailleurs")
    admin = _member(Role.ADMIN, organisation=member.organisation)
    login_verified(client, admin.user)
    content = client.get(URL).content.decode()
    assert "Logiciel du portage" in content and member.user.get_full_name() in content
    assert secret not in content and key.secret_hash not in content
    assert "Clé d&#x27;ailleurs" not in content
    assert "Créer une clé" not in content  # an administrator receives no referral: no key of their own
    assert client.post(URL, {"name": "X", "days": "90"}).status_code == 404
    response = client.post(reverse("core:api_key_revoke", args=[key.pk]))
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_by == admin.user
    assert _audit_lines(AuditLogEntry.Action.UPDATE).get().actor == admin.user
    assert client.post(reverse("core:api_key_revoke", args=[elsewhere.pk])).status_code == 404


def test_colleague_neither_sees_nor_revokes_anothers_key(client):
    member = _member()
    key, _secret = api_key_for(member.user, member.organisation, name="Clé de ma collègue")
    colleague = _member(organisation=member.organisation)
    login_verified(client, colleague.user)
    assert "Clé de ma collègue" not in client.get(URL).content.decode()
    assert client.post(reverse("core:api_key_revoke", args=[key.pk])).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.DPO, Role.REGISTER_MANAGER])
def test_roles_without_inbox_nor_administration_get_404(client, role):
    login_verified(client, _member(role).user)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"name": "X", "days": "90"}).status_code == 404


def test_without_second_factor_no_key_is_made(client):
    member = _member()
    client.force_login(member.user, backend="maillage.core.auth_backends.EmailBackend")
    response = client.post(URL, {"name": "X", "days": "90"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:otp_setup"))
    assert not ApiKey.objects.exists()


def test_ended_membership_gets_404(client):
    member = _member(is_active=False)
    _member(Role.VOLUNTEER, user=member.user)  # still works elsewhere, in a role without keys
    login_verified(client, member.user)
    assert client.get(URL).status_code == 404


def test_dashboard_links_to_the_keys_page_for_those_who_use_it(client):
    login_verified(client, _member().user)
    assert URL in client.get(reverse("core:dashboard")).content.decode()
    client.logout()
    login_verified(client, _member(Role.VOLUNTEER).user)
    assert URL not in client.get(reverse("core:dashboard")).content.decode()
