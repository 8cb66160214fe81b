import pytest
from django.core.exceptions import ValidationError

from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry
from maillage.directory import services
from maillage.directory.models import Service, Taxonomy
from tests.core.factories import CommuneFactory, MembershipFactory
from tests.directory.factories import ServiceFactory, term

pytestmark = pytest.mark.django_db


def _data(**overrides):
    return {"name": "Portage de repas à domicile", "status": "published", "fee_kind": "means_tested", **overrides}


def test_service_create_writes_details_index_and_audit():
    membership = MembershipFactory(role=Role.COORDINATOR)
    commune = CommuneFactory(code="21231", name="Dijon")
    service = services.service_create(
        actor=membership.user,
        organisation=membership.organisation,
        data=_data(),
        terms=[term(Taxonomy.NEEDS, "se-nourrir")],
        accessibility=["step_free", "easy_read"],
        communes_served=[commune],
        phone="03 80 11 22 33",
        location={"address": "1 rue de la Paix", "postal_code": "21000", "commune": commune},
    )
    service.refresh_from_db()
    assert service.organisation == membership.organisation
    assert sorted(service.accessibility.values_list("feature", flat=True)) == ["easy_read", "step_free"]
    assert service.phones.get().number == "03 80 11 22 33"
    assert service.locations.get().commune == commune
    assert "repa" in service.search_text and "nourrir" in service.search_text and "dijon" in service.search_text
    assert AuditLogEntry.objects.filter(object_pk=str(service.pk), action=AuditLogEntry.Action.CREATE).exists()


def test_service_create_refused_to_a_volunteer():
    membership = MembershipFactory(role=Role.VOLUNTEER)
    with pytest.raises(ApplicationError):
        services.service_create(actor=membership.user, organisation=membership.organisation, data=_data())


def test_service_create_rejects_an_inverted_age_band():
    membership = MembershipFactory(role=Role.ADMIN)
    with pytest.raises(ValidationError) as excinfo:
        services.service_create(
            actor=membership.user, organisation=membership.organisation, data=_data(age_min=70, age_max=60)
        )
    assert "âge maximum" in str(excinfo.value)
    assert not Service.objects.exists()


def test_service_update_changes_fields_and_removes_dropped_accessibility():
    membership = MembershipFactory(role=Role.PARTNER)
    service = services.service_create(
        actor=membership.user, organisation=membership.organisation, data=_data(), accessibility=["step_free"]
    )
    services.service_update(actor=membership.user, service=service, data={"name": "Repas livrés"}, accessibility=[])
    service.refresh_from_db()
    assert service.name == "Repas livrés"
    assert not service.accessibility.exists()
    assert AuditLogEntry.objects.filter(object_pk=str(service.pk), action=AuditLogEntry.Action.UPDATE).exists()


def test_service_update_refused_to_another_organisation():
    service = ServiceFactory()
    outsider = MembershipFactory(role=Role.ADMIN)
    with pytest.raises(ApplicationError):
        services.service_update(actor=outsider.user, service=service, data={"name": "Piraté"})


def test_service_mark_verified_records_who_and_when():
    membership = MembershipFactory(role=Role.RECEPTION_AGENT)
    service = ServiceFactory(organisation=membership.organisation, stale=True)
    assert service.needs_verification()
    services.service_mark_verified(actor=membership.user, service=service)
    service.refresh_from_db()
    assert service.last_verified_by == membership.user
    assert not service.needs_verification()


def test_freshness_period_comes_from_settings(settings):
    service = ServiceFactory(stale=True)
    assert service.needs_verification()
    settings.MAILLAGE_DIRECTORY_FRESHNESS_DAYS = 1000
    assert not service.needs_verification()
