import datetime

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry, Organisation
from tests.conftest import login_verified
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _edit_payload(organisation, **changes):
    data = {
        "name": organisation.name,
        "siret": organisation.siret,
        "email": organisation.email,
        "phone": "",
        "website": "",
        "address": "",
        "postal_code": "",
        "commune_code": "",
        "communes_served_codes": "",
    }
    data.update(changes)
    return data


def test_a_change_is_logged_with_actor_address_and_organisation(client):
    admin = MembershipFactory(role=Role.ADMIN)
    organisation = admin.organisation
    login_verified(client, admin.user)
    response = client.post(
        reverse("core:organisation_edit", args=[organisation.pk]),
        _edit_payload(organisation, phone="03 80 00 00 00"),
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 302
    entry = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.UPDATE, object_pk=str(organisation.pk)).get()
    assert entry.actor == admin.user
    assert entry.organisation == organisation
    assert entry.remote_addr == "192.0.2.7"
    assert entry.changes["phone"] == ["", "03 80 00 00 00"]


def test_a_bad_edit_changes_nothing_and_names_the_field(client):
    admin = MembershipFactory(role=Role.ADMIN)
    organisation = admin.organisation
    login_verified(client, admin.user)
    before = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.UPDATE).count()
    response = client.post(
        reverse("core:organisation_edit", args=[organisation.pk]),
        _edit_payload(organisation, siret="12345678901234", commune_code="99999", name="Nouveau nom"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "clé de contrôle est fausse" in body
    assert "La commune de code INSEE « 99999 » n&#x27;existe pas" in body
    organisation.refresh_from_db()
    assert organisation.name != "Nouveau nom"
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.UPDATE).count() == before


def test_communes_served_are_saved_from_insee_codes(client):
    admin = MembershipFactory(role=Role.ADMIN)
    dijon = CommuneFactory(code="21231", name="Dijon")
    talant = CommuneFactory(code="21617", name="Talant")
    login_verified(client, admin.user)
    client.post(
        reverse("core:organisation_edit", args=[admin.organisation.pk]),
        _edit_payload(admin.organisation, commune_code="21231", communes_served_codes="21231, 21617"),
    )
    admin.organisation.refresh_from_db()
    assert admin.organisation.commune == dijon
    assert set(admin.organisation.communes_served.all()) == {dijon, talant}


def test_the_audit_trail_cannot_be_modified_or_deleted(db):
    organisation = OrganisationFactory()
    organisation.name = "Renommée"
    organisation.save()
    entry = AuditLogEntry.objects.filter(object_pk=str(organisation.pk)).first()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    # Even bypassing the model, the database refuses (triggers, on SQLite and PostgreSQL).
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=entry.pk).update(object_repr="falsifié")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=entry.pk)._raw_delete(AuditLogEntry.objects.db)
    entry.refresh_from_db()
    assert entry.object_repr != "falsifié"


@pytest.fixture
def dpo_client(client):
    dpo = MembershipFactory(role=Role.DPO)
    login_verified(client, dpo.user)
    return client, dpo


def test_dpo_sees_the_changes_and_openings_of_their_organisation_only(dpo_client):
    client, dpo = dpo_client
    admin = MembershipFactory(role=Role.ADMIN, organisation=dpo.organisation, user__email="admin@alpha.fr")
    other_admin = MembershipFactory(role=Role.ADMIN, user__email="admin@omega.fr")
    AuditLogEntry.objects.create(
        content_type_id=1,
        object_pk="1",
        object_repr="Objet Alpha",
        action=1,
        actor=admin.user,
        actor_email=admin.user.email,
        organisation=dpo.organisation,
    )
    AuditLogEntry.objects.create(
        content_type_id=1,
        object_pk="2",
        object_repr="Objet Oméga",
        action=1,
        actor=other_admin.user,
        actor_email=other_admin.user.email,
        organisation=other_admin.organisation,
    )
    body = client.get(reverse("core:audit_log")).content.decode()
    assert "Objet Alpha" in body
    assert "Objet Oméga" not in body
    assert "admin@omega.fr" not in body
    # Opening the trail is itself in the trail.
    assert AuditLogEntry.objects.filter(
        actor=dpo.user, action=AuditLogEntry.Action.ACCESS, changes_text="Journal d'audit"
    ).exists()


def test_dpo_searches_by_text_action_and_dates(dpo_client):
    client, dpo = dpo_client
    old = AuditLogEntry.objects.create(
        content_type_id=1,
        object_pk="1",
        object_repr="Fiche ancienne",
        action=AuditLogEntry.Action.UPDATE,
        organisation=dpo.organisation,
    )
    AuditLogEntry.objects.create(
        content_type_id=1,
        object_pk="2",
        object_repr="Fiche récente",
        action=AuditLogEntry.Action.CREATE,
        organisation=dpo.organisation,
    )
    # Backdate the old line through the ORM is impossible (append-only): compare with dates instead.
    today = timezone.localdate()
    url = reverse("core:audit_log")
    assert "Fiche récente" not in client.get(url, {"q": "ancienne"}).content.decode()
    assert "Fiche ancienne" in client.get(url, {"q": "ancienne"}).content.decode()
    by_action = client.get(url, {"action": AuditLogEntry.Action.CREATE}).content.decode()
    assert "Fiche récente" in by_action and "Fiche ancienne" not in by_action
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert "Fiche ancienne" not in client.get(url, {"date_from": tomorrow}).content.decode()
    assert (
        "Fiche ancienne"
        in client.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()}).content.decode()
    )
    bad = client.get(url, {"date_from": tomorrow, "date_to": today.isoformat()}).content.decode()
    assert "La date de fin doit être postérieure" in bad
    assert old.pk


def test_audit_htmx_fragment_is_the_page_fragment(dpo_client):
    client, dpo = dpo_client
    AuditLogEntry.objects.create(
        content_type_id=1, object_pk="1", object_repr="Fiche X", action=1, organisation=dpo.organisation
    )
    full = client.get(reverse("core:audit_log"), {"q": "Fiche"}).content.decode()
    fragment = client.get(reverse("core:audit_log"), {"q": "Fiche"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert "Fiche X" in fragment
    # The full page embeds the very same fragment (one source), minus the lines added by the
    # second opening of the page itself.
    assert fragment.split("<tbody>")[0].split("</p>")[1].strip() in full


def test_login_and_member_list_openings_are_logged(client):
    admin = MembershipFactory(role=Role.ADMIN)
    login_verified(client, admin.user)
    client.get(reverse("core:member_list", args=[admin.organisation.pk]))
    entry = AuditLogEntry.objects.get(changes_text="Liste des membres")
    assert entry.actor == admin.user
    assert entry.organisation == admin.organisation
    assert entry.path == reverse("core:member_list", args=[admin.organisation.pk])


def test_organisation_model_is_audited_outside_requests_too(db):
    organisation = Organisation.objects.create(name="Association Test", kind="association")
    assert AuditLogEntry.objects.filter(object_pk=str(organisation.pk), action=AuditLogEntry.Action.CREATE).exists()


@pytest.mark.django_db(transaction=True)
def test_flush_outside_production_empties_the_trail_and_restores_the_triggers(settings):
    from django.core.management import call_command

    OrganisationFactory()
    assert AuditLogEntry.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditLogEntry.objects.exists()
    OrganisationFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLogEntry.objects.all().update(object_repr="falsifié")


def test_flush_is_refused_in_production(settings):
    from django.core.management import CommandError, call_command

    settings.MAILLAGE_ENV = "prod"
    with pytest.raises(CommandError, match="refusé en production"):
        call_command("flush", interactive=False, verbosity=0)
