"""The import of transmitted lists into the register (issue 13, point 2 and « Bad input »)."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry
from maillage.people.models import Person
from maillage.register.enums import EntrySource, EntryStatus, LegalCategory
from maillage.register.importing import reading
from maillage.register.importing.rows import NEW, Action
from maillage.register.importing.services import ImportRefused, list_import, list_preview
from maillage.register.models import RegisterEntry
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.people.factories import PersonFactory, PersonPhoneFactory
from tests.register.import_factories import (
    HEADER,
    ImportedEntryFactory,
    communes,
    csv_bytes,
    good_rows,
    in_years,
    manager,
    row,
    xlsx_bytes,
)

DATA = Path(__file__).parent / "data"
DEPARTEMENT = EntrySource.DEPARTEMENT_LIST


@pytest.fixture
def place(db):
    return communes()


@pytest.fixture
def boss(place):
    return manager()


def _through(service, membership, content, name="liste.csv", source=DEPARTEMENT, decisions=None):
    return service(
        actor=membership.user,
        organisation=membership.organisation,
        source=source,
        name=name,
        content=content,
        decisions=decisions,
    )


def preview(membership, content, **kwargs):
    return _through(list_preview, membership, content, **kwargs)


def run(membership, content, **kwargs):
    return _through(list_import, membership, content, **kwargs)


def login(client, membership):
    login_verified(client, membership.user)
    return client


# --- Reading files -------------------------------------------------------------------------------


def test_csv_utf8_with_bom_and_semicolons(boss):
    plan = preview(boss, csv_bytes(good_rows(3)))
    assert [r.action for r in plan.rows] == [Action.CREATE] * 3
    assert [r.line for r in plan.rows] == [2, 3, 4]
    assert plan.rows[0].commune.code == "21231"
    assert plan.rows[0].phones == ["+33380123400"]
    assert plan.rows[0].category == LegalCategory.AGED_65


def test_csv_windows_1252_with_commas(boss):
    content = csv_bytes(
        [row(nom="Lefèvre", prenom="Hélène", commune="Chenôve", cp="21300")], encoding="cp1252", delimiter=","
    )
    assert "è".encode("cp1252") in content
    plan = preview(boss, content)
    assert plan.rows[0].action == Action.CREATE
    assert plan.rows[0].data["last_name"] == "Lefèvre"
    assert plan.rows[0].commune.name == "Chenôve"


def test_xlsx_with_date_cells_and_numbers(boss):
    values = row(date=datetime.datetime(1938, 5, 17), cp=21000, tel=380123456)  # noqa: DTZ001 (a spreadsheet: naive dates, numbers)
    plan = preview(boss, xlsx_bytes([values]), name="liste.xlsx")
    assert plan.rows[0].action == Action.CREATE, plan.rows[0].errors
    assert plan.rows[0].data["birth_date"] == datetime.date(1938, 5, 17)
    assert plan.rows[0].phones == ["+33380123456"]


def test_xlsx_written_by_libreoffice(boss):
    """A workbook this code did not write: LibreOffice Calc converted tests/register/data/liste-libreoffice.csv
    (soffice --headless --convert-to xlsx), with its own shared strings, styles and date cells."""
    plan = preview(boss, (DATA / "liste-libreoffice.xlsx").read_bytes(), name="liste-libreoffice.xlsx")
    assert [r.action for r in plan.rows] == [Action.CREATE, Action.CREATE, Action.REJECTED]
    assert plan.rows[0].data["last_name"] == "Lefèvre"
    assert plan.rows[0].data["birth_date"] == datetime.date(1940, 3, 12)
    assert plan.rows[1].commune.code == "21617"
    assert plan.rows[2].line == 4
    assert plan.rows[2].data["last_name"] == "Faux"  # Calc made a boolean of it
    assert "« 31/02/1940 » n'est pas une date" in plan.rows[2].errors[0]


def test_header_variants_are_recognised(boss):
    header = ["NOM", "Prénom(s)", "Date naissance", "ADRESSE", "CP", "Ville", "Tel", "E-mail", "Qualité"]
    values = ["Dupont", "Marie", "01/02/1945", "1 place Darcy", "21000", "DIJON", "0612345678", "m@exemple.fr", "65"]
    plan = preview(boss, csv_bytes([values], header=header))
    assert plan.rows[0].action == Action.CREATE, plan.rows[0].errors
    assert plan.rows[0].email == "m@exemple.fr"
    assert plan.ignored_columns == [] and plan.forbidden_columns == []


def test_benefit_and_health_columns_are_never_read(boss):
    header = [*HEADER, "Prestation", "GIR", "Pathologie", "Observations"]
    values = [*row(), "APA à domicile", "2", "diabète", "rien"]
    content = csv_bytes([values], header=header)
    table = reading.read("liste.csv", content)
    assert table.forbidden == ["Prestation", "GIR", "Pathologie"]
    assert table.ignored == ["Observations"]
    assert all(
        "diabète" not in str(v) and "APA à domicile" not in str(v) for _, values in table.rows for v in values.values()
    )
    run(boss, content)
    person = Person.objects.get()
    assert person.gir is None


# --- Files refused -------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("photo.xlsx", PNG, "n'est ni un tableur XLSX ni un fichier CSV", id="png-renamed-xlsx"),
        pytest.param("vide.csv", b"", "est vide", id="empty"),
        pytest.param("blanc.csv", b"\r\n;;;\r\n", "est vide", id="blank-lines"),
        pytest.param("entete.csv", csv_bytes([]), "n'a que sa ligne d'en-tête", id="header-only"),
        pytest.param(
            "faux.xlsx", b"PK\x03\x04pas vraiment un zip", "n'est pas un tableur XLSX lisible", id="broken-zip"
        ),
        pytest.param(
            "colonnes.csv",
            b"Identifiant;Adresse\r\n1;rue\r\n",
            "il y manque « nom » et « prénom(s) »",
            id="no-name-column",
        ),
        pytest.param(
            "guillemet.csv",
            b'Nom;Pr\xc3\xa9nom\r\n"Martin;Jeanne\r\n',
            "n'est pas un CSV valide (ligne 2) : un guillemet n'est pas refermé",
            id="broken-csv",
        ),
        pytest.param(
            "cellule.csv",
            b"Nom;Pr\xc3\xa9nom\r\nMartin;" + b"x" * 200_000 + b"\r\n",
            "une cellule est beaucoup trop longue",
            id="huge-cell",
        ),
    ],
)
def test_unreadable_files_are_refused_in_french(boss, name, content, message):
    with pytest.raises(reading.FileRefused) as refused:
        preview(boss, content, name=name)
    assert message in refused.value.message


def test_zip_that_is_not_a_workbook(boss):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "bonjour")
    with pytest.raises(reading.FileRefused, match="pas un classeur"):
        preview(boss, buffer.getvalue(), name="liste.xlsx")


def test_zip_bomb_renamed_xlsx(boss):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))
    with pytest.raises(reading.FileRefused, match="archive piégée"):
        preview(boss, buffer.getvalue(), name="liste.xlsx")


def test_too_many_rows(boss, settings):
    settings.REGISTER_IMPORT_MAX_ROWS = 3
    with pytest.raises(reading.FileRefused, match="a 4 lignes : au plus 3 par import. Découpez la liste"):
        preview(boss, csv_bytes(good_rows(4)))


def test_too_large_a_file_is_refused_before_reading(boss, settings):
    settings.REGISTER_IMPORT_MAX_BYTES = 1000
    with pytest.raises(reading.FileRefused, match="au plus 0,0 Mo sont acceptés"):
        preview(boss, b"x" * 1001)


# --- Bad rows ------------------------------------------------------------------------------------

BAD_ROWS = [
    pytest.param({"nom": ""}, "colonne « nom » : vide.", id="no-last-name"),
    pytest.param({"prenom": " "}, "colonne « prénom(s) » : vide.", id="no-first-name"),
    pytest.param(
        {"date": "31/02/1940"}, "colonne « date de naissance » : « 31/02/1940 » n'est pas une date", id="31-feb"
    ),
    pytest.param({"date": "hier"}, "« hier » n'est pas une date", id="not-a-date"),
    pytest.param(
        {"date": in_years(-2)},
        "colonne « date de naissance » : La date de naissance ne peut pas être dans le futur",
        id="future",
    ),
    pytest.param(
        {"date": in_years(12), "categorie": "adulte handicapé"},
        "la personne aurait 12 ans ; le registre est réservé aux adultes",
        id="child",
    ),
    pytest.param({"date": "01/01/1880"}, "plus de", id="too-old"),
    pytest.param(
        {"tel": "12"}, "colonne « téléphone » : « 12 » n'est pas un numéro de téléphone valide", id="short-phone"
    ),
    pytest.param({"tel2": "06 12 34"}, "colonne « téléphone 2 » : « 06 12 34 »", id="bad-second-phone"),
    pytest.param(
        {"cp": "99999", "commune": "Atlantide"}, "« 99999 Atlantide » : commune inconnue", id="unknown-commune"
    ),
    pytest.param(
        {"cp": "", "commune": "Atlantide"}, "colonne « commune » : « Atlantide » : commune inconnue", id="unknown-city"
    ),
    pytest.param({"cp": "21300", "commune": "Dijon"}, "colonne « code postal »", id="postal-code-of-another-commune"),
    pytest.param(
        {"insee": "99999"}, "colonne « code INSEE » : aucune commune n'a le code INSEE « 99999 »", id="unknown-insee"
    ),
    pytest.param({"cp": "", "commune": ""}, "la commune de la personne est nécessaire", id="no-commune"),
    pytest.param(
        {"categorie": "enfant"},
        "colonne « catégorie » : « enfant » n'est pas une catégorie du registre",
        id="category",
    ),
    pytest.param({"date": in_years(62)}, "« 65 ans et plus », mais la personne a 62 ans", id="too-young-for-65"),
    pytest.param(
        {"date": in_years(55), "categorie": "60 ans inapte"},
        "« 60 ans inapte », mais la personne a 55 ans",
        id="too-young-for-60",
    ),
    pytest.param({"date": in_years(62), "categorie": ""}, "colonne « catégorie » : vide", id="category-not-deducible"),
    pytest.param({"courriel": "pas-un-courriel"}, "colonne « courriel » : « pas-un-courriel »", id="email"),
    pytest.param({"nom": "A\x07B"}, "colonne « nom »", id="control-character"),
]


@pytest.mark.parametrize(("values", "message"), BAD_ROWS)
def test_bad_row_is_rejected_with_its_line_and_column(boss, values, message):
    plan = preview(
        boss, csv_bytes([*good_rows(2), row(nom="Zébulon", **values) if "nom" not in values else row(**values)])
    )
    bad = plan.rows[2]
    assert bad.action == Action.REJECTED
    assert bad.line == 4
    assert any(message in error for error in bad.errors), bad.errors
    assert [r.action for r in plan.rows[:2]] == [Action.CREATE, Action.CREATE]
    assert not plan.can_confirm


def test_category_is_deduced_from_age_or_from_the_caf(boss):
    rows = [row(categorie="", date="01/01/1940"), row(nom="Petit", categorie="", date=in_years(40))]
    plan = preview(boss, csv_bytes(rows), source=EntrySource.CAF_LIST)
    assert [r.category for r in plan.rows] == [LegalCategory.AGED_65, LegalCategory.DISABLED_ADULT]


def test_same_person_twice_in_the_file(boss):
    plan = preview(boss, csv_bytes([row(), row(nom="Bernard"), row(nom="MARTIN", prenom="jeanne")]))
    assert plan.rows[2].action == Action.REJECTED
    assert plan.rows[2].errors == ["Même personne que la ligne 2 (mêmes nom, prénom et date de naissance)."]


def test_nine_good_rows_and_one_bad_write_nothing(boss):
    rows = good_rows(9)
    rows.insert(4, row(nom="Faux", date="31/02/1940"))
    with pytest.raises(ImportRefused) as refused:
        run(boss, csv_bytes(rows))
    assert refused.value.message == "Rien n'a été importé : 1 ligne refusée."
    assert [r.line for r in refused.value.plan.rejected] == [6]
    assert Person.objects.count() == 0
    assert RegisterEntry.objects.count() == 0


def test_every_bad_row_is_reported_not_only_the_first(boss):
    rows = good_rows(6)
    rows[1] = row(nom="Un", tel="12")
    rows[3] = row(nom="Deux", cp="99999", commune="Nulle-part")
    rows[5] = row(nom="Trois", date="30/02/1950")
    with pytest.raises(ImportRefused) as refused:
        run(boss, csv_bytes(rows))
    assert [r.line for r in refused.value.plan.rejected] == [3, 5, 7]
    assert refused.value.message == "Rien n'a été importé : 3 lignes refusées."
    assert Person.objects.count() == 0


def test_a_failure_while_writing_rolls_everything_back(boss, monkeypatch):
    from maillage.register.importing import services

    calls = []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise ApplicationError("panne")
        return original(**kwargs)

    original = services.register_entry
    monkeypatch.setattr(services, "register_entry", failing)
    with pytest.raises(ApplicationError):
        run(boss, csv_bytes(good_rows(5)))
    assert Person.objects.count() == 0 and RegisterEntry.objects.count() == 0


# --- Matching existing persons -------------------------------------------------------------------


def test_exact_match_reuses_the_file_and_adds_its_missing_phone(boss):
    person = PersonFactory(
        organisation=boss.organisation,
        last_name="Martin",
        first_names="Jeanne Marie",
        birth_date=datetime.date(1941, 3, 12),
    )
    PersonPhoneFactory(person=person, number="+33612345678")
    result = run(boss, csv_bytes([row(nom="MARTIN", prenom="jeanne", tel="06 12 34 56 78", tel2="03 80 11 22 33")]))
    assert (result.created, result.matched, result.entries) == (0, 1, 1)
    assert Person.objects.count() == 1
    assert sorted(person.phones.values_list("number", flat=True)) == ["+33380112233", "+33612345678"]
    assert RegisterEntry.objects.get().person == person


def test_uncertain_match_waits_for_the_managers_choice(boss):
    person = PersonFactory(
        organisation=boss.organisation, last_name="Martin", first_names="Jeanne", birth_date=datetime.date(1941, 3, 12)
    )
    content = csv_bytes([row(nom="Martinn")])  # a typo: a look-alike, not the same writing
    plan = preview(boss, content)
    assert plan.rows[0].action == Action.CHOOSE
    assert plan.rows[0].candidates == [(person, False)]
    with pytest.raises(ImportRefused, match="1 personne à départager"):
        run(boss, content)
    assert preview(boss, content, decisions={2: str(person.pk)}).rows[0].action == Action.MATCH
    assert preview(boss, content, decisions={2: NEW}).rows[0].action == Action.CREATE
    # A choice that is not one of the candidates is no choice.
    other = PersonFactory(organisation=boss.organisation)
    assert preview(boss, content, decisions={2: str(other.pk)}).rows[0].action == Action.CHOOSE
    result = run(boss, content, decisions={2: NEW})
    assert result.created == 1 and Person.objects.count() == 3


def test_another_organisations_person_is_never_matched(boss):
    PersonFactory(last_name="Martin", first_names="Jeanne", birth_date=datetime.date(1941, 3, 12))
    plan = preview(boss, csv_bytes([row()]))
    assert plan.rows[0].action == Action.CREATE


def test_person_already_on_the_register_is_skipped(boss):
    person = PersonFactory(
        organisation=boss.organisation, last_name="Martin", first_names="Jeanne", birth_date=datetime.date(1941, 3, 12)
    )
    ImportedEntryFactory(person=person)
    content = csv_bytes([row(), row(nom="Bernard")])
    plan = preview(boss, content)
    assert [r.action for r in plan.rows] == [Action.REGISTERED, Action.CREATE]
    result = run(boss, content)
    assert (result.entries, result.skipped) == (1, 1)
    assert RegisterEntry.objects.count() == 2


def test_a_file_with_only_registered_persons_imports_nothing(boss):
    person = PersonFactory(
        organisation=boss.organisation, last_name="Martin", first_names="Jeanne", birth_date=datetime.date(1941, 3, 12)
    )
    ImportedEntryFactory(person=person)
    with pytest.raises(ImportRefused, match="aucune nouvelle inscription"):
        run(boss, csv_bytes([row()]))


# --- The confirmed import ------------------------------------------------------------------------


def test_import_creates_persons_and_pending_entries(boss):
    result = run(
        boss,
        csv_bytes(
            [
                row(tel2="06 11 22 33 44", courriel="jeanne@exemple.fr", complement="Bât. B"),
                row(nom="Dubois", insee="21617", cp="", commune=""),
            ]
        ),
        source=EntrySource.PENSION_FUND_LIST,
    )
    assert (result.entries, result.created) == (2, 2)
    jeanne = Person.objects.get(last_name="Martin")
    assert jeanne.birth_date == datetime.date(1941, 3, 12)
    address = jeanne.addresses.get()
    assert (address.line, address.complement, address.postal_code, address.commune.code) == (
        "3 rue des Lilas",
        "Bât. B",
        "21000",
        "21231",
    )
    assert list(jeanne.phones.values_list("number", "is_preferred")) == [
        ("+33380123456", True),
        ("+33611223344", False),
    ]
    assert jeanne.emails.get().address == "jeanne@exemple.fr"
    assert Person.objects.get(last_name="Dubois").addresses.get().commune.name == "Talant"
    entries = RegisterEntry.objects.all()
    assert {e.status for e in entries} == {EntryStatus.PENDING_CONSENT}
    assert {e.source for e in entries} == {EntrySource.PENSION_FUND_LIST}
    assert {e.received_via for e in entries} == {"import"}
    assert {e.import_batch for e in entries} == {result.batch}
    assert {e.created_by for e in entries} == {boss.user}
    assert all(e.consent_id is None for e in entries)


def test_the_trail_says_who_imported_how_many_from_whom_and_no_personal_value(boss):
    before = AuditLogEntry.objects.count()  # the accounts' own lines (a manager may be called Martin)
    run(boss, csv_bytes(good_rows(3)))
    line = AuditLogEntry.objects.get(object_repr="Import d'une liste transmise au registre")
    assert line.actor == boss.user and line.organisation == boss.organisation
    assert line.changes_text.startswith(
        "Liste transmise par le département : 3 inscriptions en attente créées (3 fiches créées"
    )
    written = AuditLogEntry.objects.order_by("pk")[before:]
    assert len(written) > 3 * 3  # a line per file, address, phone and entry, and the import's
    text = " ".join(f"{entry.object_repr} {entry.changes_text} {entry.changes}" for entry in written)
    assert "Martin" not in text and "Bernard" not in text and "0380" not in text and "+33380" not in text


@pytest.mark.parametrize(
    "role", [Role.RECEPTION_AGENT, Role.VOLUNTEER, Role.COORDINATOR, Role.DIRECTOR, Role.ADMIN, Role.DPO]
)
def test_only_the_register_manager_may_import(place, role):
    member = MembershipFactory(role=role)
    with pytest.raises(ApplicationError):
        run(member, csv_bytes([row()]))


def test_source_must_be_a_transmitter(boss):
    with pytest.raises(ApplicationError, match="qui a transmis la liste"):
        run(boss, csv_bytes([row()]), source=EntrySource.SELF)


# --- The pages -----------------------------------------------------------------------------------


def upload(client, content, name="liste.csv", source=DEPARTEMENT):
    return client.post(
        reverse("register_import:upload"), {"source": source, "file": SimpleUploadedFile(name, content)}
    )


def test_upload_preview_confirm_and_the_batch_page(client, boss):
    login(client, boss)
    page = client.get(reverse("register_import:upload"))
    assert page.status_code == 200 and "Importer une liste transmise au registre" in page.content.decode()
    response = upload(client, csv_bytes(good_rows(2) + [row(nom="Moreau", prenom="Yvonne")], header=[*HEADER, "APA"]))
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert "Aperçu de l'import" in page and "Jeanne MARTIN" in page and "Nouvelle fiche" in page
    assert "La colonne « APA » n'a pas été lue" in page
    assert "Confirmer l'import" in page
    assert Person.objects.count() == 0
    response = client.post(preview_url)
    assert response.status_code == 302
    assert RegisterEntry.objects.pending().count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "Yvonne MOREAU" in page and "En attente du consentement" in page
    assert "Import terminé : 3 inscriptions en attente du consentement (3 fiches créées)." in page
    # The file left the cache: the preview is gone.
    assert client.get(preview_url).status_code == 404
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS, path=preview_url).count() == 1


def test_preview_of_bad_rows_lists_them_and_offers_no_confirmation(client, boss):
    login(client, boss)
    rows = good_rows(9)
    rows.insert(4, row(nom="Faux", date="31/02/1940"))
    preview_url = upload(client, csv_bytes(rows))["Location"]
    page = client.get(preview_url).content.decode()
    assert "Ligne 6 : colonne « date de naissance » : « 31/02/1940 » n&#x27;est pas une date" in page
    assert "Confirmer l&#x27;import" not in page and "Confirmer l'import" not in page
    response = client.post(preview_url)  # forced anyway
    assert response.status_code == 200
    assert "Rien n&#x27;a été importé : 1 ligne refusée." in response.content.decode()
    assert Person.objects.count() == 0


def test_choice_of_the_manager_on_the_page(client, boss):
    person = PersonFactory(
        organisation=boss.organisation, last_name="Martin", first_names="Jeanne", birth_date=datetime.date(1941, 3, 12)
    )
    login(client, boss)
    preview_url = upload(client, csv_bytes([row(nom="Martine")]))["Location"]
    page = client.get(preview_url).content.decode()
    assert 'name="ligne-2"' in page and "Laquelle est-ce ?" in page
    response = client.post(preview_url)
    assert response.status_code == 200 and "Choisissez une fiche ou une nouvelle fiche." in response.content.decode()
    response = client.post(preview_url, {"ligne-2": str(person.pk)})
    assert response.status_code == 302
    assert RegisterEntry.objects.get().person == person


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.xlsx", PNG, "n&#x27;est ni un tableur XLSX ni un fichier CSV"),
        ("vide.csv", b"", "Le fichier envoyé est vide."),
    ],
)
def test_upload_of_an_unreadable_file(client, boss, name, content, message):
    login(client, boss)
    response = upload(client, content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_upload_of_a_50_mb_file_is_refused_by_its_size(client, boss):
    login(client, boss)
    response = upload(client, b"Nom;Prenom\r\n" + b"x" * (50 * 1024 * 1024), name="enorme.csv")
    assert response.status_code == 200
    assert "pèse 50,0 Mo : au plus 5,0 Mo sont acceptés" in response.content.decode()


def test_a_file_above_the_memory_threshold_but_within_the_limit_is_read(client, boss, settings):
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE Django hands a temporary file: read all the same."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 200_000
    header = [*HEADER, "Observations"]
    rows = [[*values, "x" * 100_000] for values in good_rows(10)]
    login(client, boss)
    content = csv_bytes(rows, header=header)
    assert 200_000 < len(content) < 5 * 1024 * 1024
    response = upload(client, content)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Non lues : « Observations »." in page and "x" * 1000 not in page


def test_the_upload_still_checks_the_forms_token(boss):
    from django.test import Client

    client = login(Client(enforce_csrf_checks=True), boss)
    response = upload(client, csv_bytes([row()]))
    assert response.status_code == 403


def test_upload_needs_a_source(client, boss):
    login(client, boss)
    response = client.post(
        reverse("register_import:upload"), {"file": SimpleUploadedFile("l.csv", csv_bytes([row()]))}
    )
    assert "Indiquez qui a transmis la liste." in response.content.decode()


def test_abandon_forgets_the_file(client, boss):
    login(client, boss)
    preview_url = upload(client, csv_bytes([row()]))["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[1]
    assert client.post(reverse("register_import:abandon", kwargs={"token": token})).status_code == 302
    assert client.get(preview_url).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_downloads_are_read_back_as_the_template(client, boss, fmt):
    login(client, boss)
    response = client.get(reverse("register_import:template", kwargs={"fmt": fmt}))
    assert response.status_code == 200
    assert f'filename="modele-liste-registre.{fmt}"' in response["Content-Disposition"]
    with pytest.raises(reading.FileRefused, match="n'a que sa ligne d'en-tête"):
        reading.read(f"modele.{fmt}", response.content)


# --- Attacks -------------------------------------------------------------------------------------


def _uploaded_by(client, membership):
    login(client, membership)
    url = upload(client, csv_bytes([row()]))["Location"]
    client.logout()
    return url


def test_another_user_cannot_open_or_confirm_someone_elses_import(client, boss):
    preview_url = _uploaded_by(client, boss)
    other_boss = manager()
    colleague_manager = manager(organisation=boss.organisation)
    for intruder in (other_boss, colleague_manager):
        login(client, intruder)
        assert client.get(preview_url).status_code == 404
        assert client.post(preview_url).status_code == 404
        client.logout()
    assert RegisterEntry.objects.count() == 0


@pytest.mark.parametrize("role", [Role.RECEPTION_AGENT, Role.VOLUNTEER, Role.COORDINATOR])
def test_other_roles_of_the_organisation_cannot_reach_the_import(client, boss, role):
    preview_url = _uploaded_by(client, boss)
    member = MembershipFactory(organisation=boss.organisation, role=role)
    login(client, member)
    assert client.get(reverse("register_import:upload")).status_code == 404
    assert upload(client, csv_bytes([row()])).status_code == 404
    assert client.get(reverse("register_import:template", kwargs={"fmt": "csv"})).status_code == 404
    assert client.post(preview_url).status_code == 404
    assert RegisterEntry.objects.count() == 0


def test_ended_membership_loses_the_import_even_its_own(client, boss):
    preview_url = _uploaded_by(client, boss)
    login(client, boss)
    boss.is_active = False
    boss.save()
    assert client.post(preview_url).status_code == 404
    assert client.get(reverse("register_import:upload")).status_code == 404
    assert RegisterEntry.objects.count() == 0


def test_without_second_factor_nothing_is_reached(client, boss):
    preview_url = _uploaded_by(client, boss)
    client.force_login(boss.user, backend="maillage.core.auth_backends.EmailBackend")
    assert client.get(reverse("register_import:upload")).status_code in (302, 404)
    response = client.post(preview_url)
    assert response.status_code in (302, 404)
    assert RegisterEntry.objects.count() == 0


def test_batch_page_of_another_organisation_is_absent(client, boss):
    other = manager(organisation=OrganisationFactory())
    entry = ImportedEntryFactory(person__organisation=other.organisation)
    RegisterEntry.objects.filter(pk=entry.pk).update(import_batch="abc")
    login(client, boss)
    assert client.get(reverse("register_import:batch", kwargs={"batch": "abc"})).status_code == 404


# --- The command ---------------------------------------------------------------------------------


def test_command_imports_a_list(boss, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "liste.xlsx"
    path.write_bytes(xlsx_bytes(good_rows(2)))
    out = StringIO()
    call_command(
        "import_register_list",
        "--organisation",
        boss.organisation.siret,
        "--gestionnaire",
        boss.user.email,
        "--source",
        "caf",
        str(path),
        stdout=out,
    )
    assert (
        out.getvalue().strip()
        == "2 inscriptions en attente du consentement (2 fiches créées, 0 fiche existante, 0 personne déjà inscrite)."
    )
    assert set(RegisterEntry.objects.values_list("source", flat=True)) == {EntrySource.CAF_LIST}


def test_command_lists_every_rejected_row_and_writes_nothing(boss, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    rows = good_rows(4)
    rows[0] = row(nom="Un", tel="12")
    rows[2] = row(nom="Deux", date="31/02/1940")
    path = tmp_path / "liste.csv"
    path.write_bytes(csv_bytes(rows, encoding="cp1252"))
    err = StringIO()
    with pytest.raises(CommandError, match="Rien n'a été importé : 2 lignes refusées."):
        call_command(
            "import_register_list",
            f"--organisation={boss.organisation.pk}",
            f"--gestionnaire={boss.user.email}",
            "--source=departement",
            str(path),
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("Ligne 2 : colonne « téléphone »") and lines[1].startswith("Ligne 4 : colonne « date")
    assert Person.objects.count() == 0


def test_command_refuses_an_agent_who_is_not_the_register_manager(place, tmp_path):
    from django.core.management import CommandError, call_command

    agent = MembershipFactory(role=Role.RECEPTION_AGENT)
    path = tmp_path / "liste.csv"
    path.write_bytes(csv_bytes([row()]))
    with pytest.raises(CommandError, match="Seul le gestionnaire du registre"):
        call_command(
            "import_register_list",
            f"--organisation={agent.organisation.pk}",
            f"--gestionnaire={agent.user.email}",
            "--source=caf",
            str(path),
        )


def test_too_many_uncertain_matches_to_decide_on_one_page(client, boss, monkeypatch):
    from maillage.register.importing import rows as rows_module

    monkeypatch.setattr(rows_module, "MAX_DECISIONS", 1)
    for last in ("Martin", "Bernard"):
        PersonFactory(
            organisation=boss.organisation, last_name=last, first_names="Jeanne", birth_date=datetime.date(1941, 3, 12)
        )
    login(client, boss)
    preview_url = upload(client, csv_bytes([row(nom="Martinn"), row(nom="Bernardd")]))["Location"]
    page = client.get(preview_url).content.decode()
    assert "Trop de personnes à départager" in page
    assert 'name="ligne-2"' not in page and "Confirmer l&#x27;import" not in page and "Confirmer l'import" not in page


def test_confirmation_plans_again_with_what_changed_since_the_preview(client, boss):
    login(client, boss)
    preview_url = upload(client, csv_bytes([row(), row(nom="Bernard")]))["Location"]
    assert "Nouvelle fiche" in client.get(preview_url).content.decode()
    # Meanwhile a colleague registered Jeanne Martin.
    person = PersonFactory(
        organisation=boss.organisation, last_name="Martin", first_names="Jeanne", birth_date=datetime.date(1941, 3, 12)
    )
    ImportedEntryFactory(person=person)
    assert client.post(preview_url).status_code == 302
    assert RegisterEntry.objects.count() == 2
    assert Person.objects.filter(last_name="Martin").count() == 1


def test_a_choice_is_kept_when_the_form_comes_back(client, boss):
    for last in ("Martin", "Bernard"):
        PersonFactory(
            organisation=boss.organisation, last_name=last, first_names="Jeanne", birth_date=datetime.date(1941, 3, 12)
        )
    login(client, boss)
    preview_url = upload(client, csv_bytes([row(nom="Martinn"), row(nom="Bernardd")]))["Location"]
    page = client.post(preview_url, {"ligne-2": NEW}).content.decode()
    assert 'id="ligne-2-nouvelle" name="ligne-2" value="new" checked' in page
    assert "1 personne à départager" in page
