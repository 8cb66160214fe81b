import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import Document, FollowUpTask, Note
from maillage.casework.services.followup import DOCUMENT_MAX_BYTES
from maillage.core import access
from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry
from tests.casework.factories import CareTeamMemberFactory, ContactFactory, care_team_place
from tests.casework.factories_assessments import CarePlanFactory, FollowUpTaskFactory, NoteFactory
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.fixture
def team(db):
    """A person of organisation A; an author and a colleague of A; a care-team member of B; an
    outsider of B."""
    author = MembershipFactory(role=Role.COORDINATOR)
    organisation = author.organisation
    colleague = MembershipFactory(organisation=organisation, role=Role.RECEPTION_AGENT)
    partner = MembershipFactory(role=Role.COORDINATOR)
    outsider = MembershipFactory(organisation=partner.organisation, role=Role.COORDINATOR)
    person = PersonFactory(organisation=organisation)
    care_team_place(person, partner)
    notes = {
        visibility: NoteFactory(person=person, author=author.user, visibility=visibility, body=f"note-{visibility}")
        for visibility in ("author", "organisation", "care_team")
    }
    return {
        "person": person,
        "notes": notes,
        "author": author,
        "colleague": colleague,
        "partner": partner,
        "outsider": outsider,
    }


VISIBILITY = [
    pytest.param("author", {"author", "organisation", "care_team"}, id="author"),
    pytest.param("colleague", {"organisation", "care_team"}, id="same-organisation"),
    pytest.param("partner", {"care_team"}, id="care-team-other-organisation"),
    pytest.param("outsider", set(), id="other-organisation"),
]


@pytest.mark.parametrize(("who", "visible"), VISIBILITY)
def test_note_visibility_matrix(team, client, who, visible):
    from tests.conftest import login_verified

    membership = team[who]
    qs = access.notes_visible_to(membership.user, membership.organisation, team["person"])
    assert {note.visibility for note in qs} == visible
    login_verified(client, membership.user)
    response = client.get(reverse("casework:note_list", args=[team["person"].pk]))
    if not visible:
        assert response.status_code == 404
        return
    body = response.content.decode()
    for visibility, note in team["notes"].items():
        assert (note.body in body) == (visibility in visible)


def test_care_team_member_writes_a_note_outsider_cannot(team, client):
    from tests.conftest import login_verified

    url = reverse("casework:note_list", args=[team["person"].pk])
    login_verified(client, team["partner"].user)
    assert client.post(url, {"body": "Passage infirmier ok", "visibility": "care_team"}).status_code == 302
    assert Note.objects.filter(body="Passage infirmier ok", organisation=team["partner"].organisation).exists()
    login_verified(client, team["colleague"].user)  # reception agent: reads, does not write
    assert client.post(url, {"body": "Non", "visibility": "organisation"}).status_code == 404
    login_verified(client, team["outsider"].user)
    assert client.post(url, {"body": "Non", "visibility": "organisation"}).status_code == 404
    assert not Note.objects.filter(body="Non").exists()


def test_tasks_are_created_and_closed(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    person = PersonFactory(organisation=membership.organisation)
    due = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    url = reverse("casework:task_create", args=[person.pk])
    assert (
        client.post(url, {"title": "Relancer la CAF", "due_on": due, "assignee": membership.user.pk}).status_code
        == 302
    )
    task = FollowUpTask.objects.get()
    assert task.assignee == membership.user
    client.post(reverse("casework:task_complete", args=[person.pk, task.pk]))
    task.refresh_from_db()
    assert task.done_at is not None
    refused = client.post(url, {"title": "", "due_on": "", "assignee": membership.user.pk})
    assert "Ce champ est obligatoire" in refused.content.decode()


def upload(client, person, name, content, content_type="application/octet-stream"):
    return client.post(
        reverse("casework:document_list", args=[person.pk]),
        {"file": SimpleUploadedFile(name, content, content_type=content_type), "kind": "identity", "title": ""},
    )


def test_upload_and_download_through_the_authorised_view_only(member_client, settings):
    client, membership = member_client(role=Role.COORDINATOR)
    person = PersonFactory(organisation=membership.organisation)
    for name, content in (("avis.pdf", PDF), ("photo.png", PNG), ("courrier.odt", odt_bytes())):
        assert upload(client, person, name, content).status_code == 302, name
    document = Document.objects.get(original_name="avis.pdf")
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    assert document.file.path.startswith(str(settings.MEDIA_ROOT))
    assert "avis" not in document.file.name  # random name on disk
    assert document.retain_until > timezone.localdate() + datetime.timedelta(days=4 * 365)
    response = client.get(reverse("casework:document_download", args=[person.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert 'filename="avis.pdf"' in response["Content-Disposition"]
    assert AuditLogEntry.objects.filter(
        action=AuditLogEntry.Action.ACCESS, changes_text__startswith="Téléchargement", object_pk=str(document.pk)
    ).exists()


def test_another_organisation_cannot_download(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    owner = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=owner.organisation)
    from maillage.casework.services.followup import document_upload

    document = document_upload(
        actor=owner.user,
        organisation=owner.organisation,
        person=person,
        upload=SimpleUploadedFile("a.pdf", PDF),
        kind="other",
        title="Secret",
    )
    assert client.get(reverse("casework:document_download", args=[person.pk, document.pk])).status_code == 404


REFUSALS = [
    pytest.param("gros.pdf", PDF + b"0" * DOCUMENT_MAX_BYTES, "la limite est de 10 Mo", id="too-large"),
    pytest.param("script.exe", b"MZ\x90\x00" + b"\x00" * 50, "Type de fichier non autorisé", id="forbidden-type"),
    pytest.param("page.html", b"<html><script>alert(1)</script></html>", "Type de fichier non autorisé", id="html"),
    pytest.param(
        "photo.pdf", PNG, "L&#x27;extension « .pdf » ne correspond pas au contenu du fichier (PNG)", id="disguised"
    ),
    pytest.param("virus.pdf", b"MZ\x90\x00" + b"\x00" * 50, "Type de fichier non autorisé", id="exe-named-pdf"),
    pytest.param("faux.docx", b"PK\x03\x04" + b"\x00" * 50, "Type de fichier non autorisé", id="broken-zip"),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSALS)
def test_upload_refusals(member_client, name, content, message):
    client, membership = member_client(role=Role.COORDINATOR)
    person = PersonFactory(organisation=membership.organisation)
    response = upload(client, person, name, content, content_type="application/pdf")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Document.objects.exists()


def test_caseload_lists_referent_and_created_persons(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    organisation, user = membership.organisation, membership.user
    referent_of = PersonFactory(organisation=organisation, last_name="Referente")
    CareTeamMemberFactory(person=referent_of, user=user, organisation=organisation, is_referent=True)
    created = PersonFactory(organisation=organisation, last_name="Creee", created_by=user)
    PersonFactory(organisation=organisation, last_name="Autre")
    today = timezone.localdate()
    CarePlanFactory(person=referent_of, coordinator=user, next_review_on=today + datetime.timedelta(days=10))
    FollowUpTaskFactory(person=created, assignee=user, organisation=organisation)
    ContactFactory(person=created, organisation=organisation)
    response = client.get(reverse("casework:caseload"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "REFERENTE" in body and "CREEE" in body and "AUTRE" not in body
    assert (today + datetime.timedelta(days=10)).strftime("%d/%m/%Y") in body
    assert "1 (prochaine le" in body
    rows = list(access.caseload_persons_for(user, organisation))
    assert {p.last_name for p in rows} == {"Referente", "Creee"}
