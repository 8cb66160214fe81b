"""The staff page: upload, background import with progress, export downloads, access."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.core.enums import Role
from maillage.directory.models import ImportJob, Service
from tests.conftest import run_task_worker
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.directory.interop_helpers import DATA, communes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _communes(db):
    communes()


def _upload(client, name, content, fmt="hsds", source=""):
    return client.post(
        reverse("directory:interop"),
        {"format": fmt, "source": source, "file": SimpleUploadedFile(name, content)},
    )


def test_editor_uploads_a_file_and_follows_the_import(member_client):
    client, membership = member_client(role=Role.COORDINATOR)

    response = _upload(client, "services.json", (DATA / "hsds_services.json").read_bytes())

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("directory:import_job", args=[job.pk])
    assert job.status == ImportJob.Status.PENDING and job.organisation == membership.organisation
    page = client.get(response.url)
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert 'aria-live="polite"' in page.content.decode()

    run_task_worker()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.stage
    assert (job.created, job.updated, job.progress) == (3, 0, 100)
    assert set(Service.objects.values_list("organisation", flat=True)) == {membership.organisation.pk}
    fragment = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert "3 services créés" in fragment
    assert "every 2s" not in fragment  # finished: the polling stops


def test_fragment_equals_the_included_part_of_the_page(member_client):
    client, membership = member_client(role=Role.ADMIN)
    job = ImportJob.objects.create(organisation=membership.organisation, format="hsds", file="x.json")
    url = reverse("directory:import_job", args=[job.pk])

    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()

    assert fragment.strip() in client.get(url).content.decode()


def test_refused_import_lists_every_error_in_french(member_client):
    client, _ = member_client(role=Role.RECEPTION_AGENT)
    data = json.loads((DATA / "hsds_services.json").read_text())
    data[0]["attributes"][0]["taxonomy_term"]["code"] = "se-teleporter"
    data[1]["service_areas"][0]["code_insee"] = "99999"

    response = _upload(client, "services.json", json.dumps(data).encode())
    run_task_worker()

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REFUSED
    assert len(job.errors) == 2
    page = client.get(response.url).content.decode()
    assert "Import refusé : rien n'a été enregistré" in page
    assert "se-teleporter" in page and "99999" in page
    assert not Service.objects.exists()


def test_zip_of_the_csv_package_is_accepted(member_client):
    client, _ = member_client(role=Role.PARTNER)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in (DATA / "hsds_csv").iterdir():
            archive.write(path, path.name)

    _upload(client, "paquet.zip", buffer.getvalue())
    run_task_worker()

    assert ImportJob.objects.get().status == ImportJob.Status.SUCCEEDED
    assert Service.objects.count() == 3


def test_latin1_csv_is_refused_with_a_french_message(member_client):
    client, _ = member_client(role=Role.ADMIN)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in (DATA / "hsds_csv").iterdir():
            archive.writestr(path.name, path.read_text(encoding="utf-8").encode("latin-1"))

    _upload(client, "paquet.zip", buffer.getvalue())
    run_task_worker()

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REFUSED
    assert "n'est pas encodé en UTF-8" in job.errors[0]["message"]


def test_service_id_of_another_organisation_is_refused(member_client):
    other = OrganisationFactory()
    from tests.directory.factories import ServiceFactory

    ServiceFactory(organisation=other, source="hsds", source_id="svc-portage")
    client, _ = member_client(role=Role.ADMIN)

    _upload(client, "services.json", (DATA / "hsds_services.json").read_bytes())
    run_task_worker()

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REFUSED
    assert "autre structure" in job.errors[0]["message"]
    assert Service.objects.count() == 1


def test_wrong_file_type_is_refused_by_the_form(member_client):
    client, _ = member_client(role=Role.ADMIN)

    response = _upload(client, "services.xlsx", b"PK")

    assert response.status_code == 200
    assert "Seuls les fichiers .json, .csv et .zip sont acceptés." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_member_of_another_organisation_cannot_see_a_job(member_client):
    job = ImportJob.objects.create(organisation=OrganisationFactory(), format="hsds", file="x.json")
    client, _ = member_client(role=Role.ADMIN)

    assert client.get(reverse("directory:import_job", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.DIRECTOR, Role.DPO, Role.REGISTER_MANAGER])
def test_roles_without_change_service_cannot_import(member_client, role):
    client, _ = member_client(role=role)

    assert client.get(reverse("directory:interop")).status_code == 404
    assert _upload(client, "services.json", b"[]").status_code == 404


@pytest.mark.parametrize(
    ("fmt", "content_type", "files"),
    [
        ("hsds-json", "application/json", None),
        ("hsds-csv", "application/zip", "services.csv"),
        ("datainclusion", "application/zip", "services.json"),
    ],
)
def test_export_downloads_only_the_current_organisation(member_client, fmt, content_type, files):
    from tests.directory.factories import ServiceFactory

    client, membership = member_client(role=Role.ADMIN)
    ServiceFactory(organisation=membership.organisation, name="Notre service")
    # A name no random description holds (« ailleurs » is a French word Faker may write).
    ServiceFactory(organisation=OrganisationFactory(), name="Service Qzxwv d'une autre structure")

    response = client.get(reverse("directory:export", args=[fmt]))

    assert response.status_code == 200 and response["Content-Type"] == content_type
    if files is None:
        body = response.content.decode()
    else:
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            body = archive.read(files).decode()
    assert "Notre service" in body and "Qzxwv" not in body


def test_unknown_export_format_is_404(member_client):
    client, _ = member_client(role=Role.ADMIN)

    assert client.get(reverse("directory:export", args=["xml"])).status_code == 404


def test_page_lists_recent_imports(member_client):
    client, membership = member_client(role=Role.ADMIN)
    ImportJob.objects.create(
        organisation=membership.organisation, format="hsds", file="a.json", original_name="a.json"
    )
    MembershipFactory(organisation=membership.organisation)

    page = client.get(reverse("directory:interop")).content.decode()

    assert "a.json" in page and "Lancer l'import" in page


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("Réseau CLIC 35", "reseau-clic-35"), ("  reseau-clic-35 ", "reseau-clic-35"), ("", "")],
)
def test_the_source_name_is_typed_as_people_write_it_and_kept_as_its_words(typed, kept):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.directory.interop.forms import ImportForm

    form = ImportForm(
        data={"format": "hsds", "source": typed},
        files={"file": SimpleUploadedFile("services.json", b"[]", content_type="application/json")},
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["source"] == kept


def test_a_source_name_without_letters_nor_digits_is_refused_by_name():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.directory.interop.forms import ImportForm

    form = ImportForm(
        data={"format": "hsds", "source": "« — »"},
        files={"file": SimpleUploadedFile("services.json", b"[]", content_type="application/json")},
    )
    assert not form.is_valid()
    assert form.errors["source"] == ["Nom de la source : écrivez-le avec des lettres ou des chiffres."]
