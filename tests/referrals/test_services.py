"""Creating a referral: the consent is required and recorded, the set is the person's own."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.casework.models import Document
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.people.models import Consent
from maillage.referrals import services
from maillage.referrals.enums import ReferralStatus
from maillage.referrals.models import Referral
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonFactory
from tests.referrals.factories import ReceivingServiceFactory

pytestmark = pytest.mark.django_db


def document_of(person, title="Avis d'imposition"):
    document = Document(
        person=person,
        organisation=person.organisation,
        kind="resources",
        title=title,
        original_name="avis.pdf",
        content_type="application/pdf",
        size=8,
        retain_until="2099-01-01",
        uploaded_by=MembershipFactory(organisation=person.organisation).user,
    )
    document.file.save("avis.pdf", SimpleUploadedFile("avis.pdf", b"%PDF-1.4"), save=False)
    document.save()
    return document


def _create(actor, organisation, person, service, **kwargs):
    values = {
        "referral_type": "support",
        "reason": "Demande d'aide pour un dossier de logement social.",
        "needs": ["organiser-sa-vie-quotidienne"],
        "consent_given": True,
        **kwargs,
    }
    return services.referral_create(actor=actor, organisation=organisation, person=person, service=service, **values)


@pytest.fixture
def sender():
    return MembershipFactory(role=Role.RECEPTION_AGENT)


def test_referral_create_records_the_consent_and_sends(sender):
    person = PersonFactory(organisation=sender.organisation)
    service = ReceivingServiceFactory()
    document = document_of(person)
    referral = _create(sender.user, sender.organisation, person, service, documents=[document])
    assert referral.status == ReferralStatus.SENT and referral.sent_at
    assert (referral.consent.scope, referral.consent.partner, referral.consent.recorded_by) == (
        "referral",
        service.organisation,
        sender.user,
    )
    assert list(referral.shared_documents.all()) == [document]
    assert [e.to_status for e in referral.events.all()] == ["draft", "sent"]


def test_referral_create_without_consent_saves_nothing(sender):
    person = PersonFactory(organisation=sender.organisation)
    with pytest.raises(ValidationError):
        _create(sender.user, sender.organisation, person, ReceivingServiceFactory(), consent_given=False)
    assert not Referral.objects.exists()
    assert not Consent.objects.filter(scope="referral").exists()


def test_referral_create_refuses_another_persons_document(sender):
    person = PersonFactory(organisation=sender.organisation)
    other = PersonFactory(organisation=sender.organisation)
    with pytest.raises(ApplicationError, match="document"):
        _create(sender.user, sender.organisation, person, ReceivingServiceFactory(), documents=[document_of(other)])
    assert not Referral.objects.exists()


def test_referral_create_refuses_a_draft_service_and_ones_own(sender):
    person = PersonFactory(organisation=sender.organisation)
    with pytest.raises(ApplicationError, match="plus publié"):
        _create(sender.user, sender.organisation, person, ReceivingServiceFactory(draft=True))
    with pytest.raises(ApplicationError, match="votre structure"):
        _create(sender.user, sender.organisation, person, ReceivingServiceFactory(organisation=sender.organisation))
    assert not Referral.objects.exists()


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.PARTNER, Role.DIRECTOR, Role.ADMIN, Role.DPO])
def test_roles_that_do_not_change_files_cannot_orient(role):
    membership = MembershipFactory(role=role)
    person = PersonFactory(organisation=membership.organisation)
    with pytest.raises(ApplicationError):
        _create(membership.user, membership.organisation, person, ReceivingServiceFactory())
    assert not Referral.objects.exists()


def test_another_organisations_person_cannot_be_oriented(sender):
    person = PersonFactory()
    with pytest.raises(ApplicationError):
        _create(sender.user, sender.organisation, person, ReceivingServiceFactory())
