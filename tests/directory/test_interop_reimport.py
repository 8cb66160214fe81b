"""Re-importing a source: only what changed is written, and every change has its audit line.
The checking gives the models' own verdicts and messages without full_clean per row."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from maillage.core.audit import MASK
from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry
from maillage.directory.interop.records import CHILD_RULES, LOCATION_RULES, SCHEDULE_RULES, SERVICE_RULES
from maillage.directory.interop.services import directory_import
from maillage.directory.models import Contact, Location, Phone, RegularSchedule, Service, ServiceCapacity
from tests.core.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.directory.interop_helpers import DATA, canonical_dump, communes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _communes(db):
    communes()


def _file(tmp_path, mutate=None):
    data = json.loads((DATA / "hsds_services.json").read_text())
    if mutate:
        mutate(data)
    path = tmp_path / "services.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _lines(since: int, model=None):
    lines = AuditLogEntry.objects.filter(pk__gt=since).order_by("pk")
    return [e for e in lines if model is None or e.content_type.model_class() is model]


def _last_line_pk() -> int:
    return AuditLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_reimport_of_the_same_file_writes_nothing(tmp_path):
    directory_import(format="hsds", path_or_files=DATA / "hsds_services.json")
    stamps = dict(Service.objects.values_list("pk", "updated_at"))
    phones = set(Phone.objects.values_list("pk", flat=True))
    before, mark = canonical_dump(), _last_line_pk()

    report = directory_import(format="hsds", path_or_files=DATA / "hsds_services.json")

    assert (report.created, report.updated, report.unchanged, report.audit_lines) == (0, 0, 3, 0)
    assert "3 inchangés" in report.summary()
    assert dict(Service.objects.values_list("pk", "updated_at")) == stamps
    assert set(Phone.objects.values_list("pk", flat=True)) == phones  # not deleted and inserted again
    assert canonical_dump() == before
    assert _lines(mark) == []


def test_reimport_rewrites_only_the_changed_service_and_the_changed_kind_of_detail(tmp_path):
    directory_import(format="hsds", path_or_files=DATA / "hsds_services.json")
    portage = Service.objects.get(source_id="svc-portage")
    other_phone = Phone.objects.get(service__source_id="svc-clic-info").pk
    schedules = set(RegularSchedule.objects.filter(service=portage).values_list("pk", flat=True))
    stamp_other = Service.objects.get(source_id="svc-clic-info").updated_at
    mark = _last_line_pk()

    def mutate(data):
        data[0]["phones"][0]["number"] = "03 80 00 00 01"
        data[0]["description"] = "Repas livrés chaque jour."

    report = directory_import(format="hsds", path_or_files=_file(tmp_path, mutate))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    portage.refresh_from_db()
    assert portage.description == "Repas livrés chaque jour."
    assert list(portage.phones.values_list("number", flat=True)) == ["03 80 00 00 01"]
    assert "livre chaque jour" in portage.search_text
    assert set(RegularSchedule.objects.filter(service=portage).values_list("pk", flat=True)) == schedules
    assert Phone.objects.filter(pk=other_phone).exists()
    assert Service.objects.get(source_id="svc-clic-info").updated_at == stamp_other
    # One line for the service, with its changed field and its phones before → after; none per phone.
    (line,) = _lines(mark)
    assert line.content_type.model_class() is Service and line.object_id == portage.pk
    assert line.action == AuditLogEntry.Action.UPDATE
    assert line.organisation_id == portage.organisation_id
    assert line.changes["description"][1] == "Repas livrés chaque jour."
    assert line.changes["téléphones"] == ["03 80 44 81 00 (Accueil)", "03 80 00 00 01 (Accueil)"]
    assert line.changes_text == "Import HSDS 3 (source « hsds »)"
    assert {label for label, _, _ in line.change_summary["values"]} >= {"description", "téléphones"}


def test_removed_details_and_moved_place_are_in_the_trail(tmp_path):
    directory_import(format="hsds", path_or_files=DATA / "hsds_services.json")
    mark = _last_line_pk()

    def mutate(data):
        data[0]["phones"] = []
        data[0]["contacts"][0]["name"] = "Another Person"
        data[2]["service_at_locations"][0]["location"]["addresses"][0]["code_insee"] = "21231"

    report = directory_import(format="hsds", path_or_files=_file(tmp_path, mutate))

    assert report.errors == []
    portage = Service.objects.get(source_id="svc-portage")
    assert not portage.phones.exists()
    by_object = {(e.content_type.model_class(), e.object_id): e for e in _lines(mark)}
    line = by_object[(Service, portage.pk)]
    assert line.changes["téléphones"] == ["03 80 44 81 00 (Accueil)", ""]
    assert line.changes["personnes à contacter"] == [MASK, MASK]  # a named person: no value kept
    assert "Another Person" not in json.dumps(line.changes)
    place = Location.objects.get(import_refs__source_id="loc-asso-beaune")
    assert by_object[(Location, place.pk)].changes["commune"] == ["Beaune", "Dijon"]


def test_first_import_writes_one_line_per_service_and_place_for_the_owner():
    owner_user, organisation = UserFactory(), OrganisationFactory()
    MembershipFactory(user=owner_user, organisation=organisation, role=Role.ADMIN)
    mark = _last_line_pk()

    report = directory_import(
        actor=owner_user,
        format="hsds",
        path_or_files=DATA / "hsds_services.json",
        organisation=organisation,
        source="ccas",
    )

    assert report.errors == [] and report.audit_lines == 3 + Location.objects.count()
    services = _lines(mark, Service)
    assert {e.object_id for e in services} == set(Service.objects.values_list("pk", flat=True))
    assert all(e.action == AuditLogEntry.Action.CREATE for e in services)
    assert all(e.organisation_id == organisation.pk and e.actor_id == owner_user.pk for e in services)
    assert all(e.changes is None and e.changes_text == "Import HSDS 3 (source « ccas »)" for e in services)
    assert len(_lines(mark, Location)) == Location.objects.count()
    assert _lines(mark, Phone) == [] and _lines(mark, Contact) == []


def test_rejected_reimport_changes_nothing(tmp_path):
    directory_import(format="hsds", path_or_files=DATA / "hsds_services.json")
    before, mark = canonical_dump(), _last_line_pk()

    def mutate(data):
        data[0]["phones"][0]["number"] = "03 80 00 00 01"
        data[1]["minimum_age"] = "soixante"

    report = directory_import(format="hsds", path_or_files=_file(tmp_path, mutate))

    assert [(e.position, e.field) for e in report.errors] == [("élément 1", "minimum_age")]
    assert canonical_dump() == before
    assert _lines(mark) == []


# --- The checking: same verdicts and messages as full_clean ------------------------------------


def _full_clean_messages(instance, exclude):
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return {name: [m for e in errors for m in e.messages] for name, errors in exc.error_dict.items()}
    return {}


SERVICE_EXCLUDE = ["organisation", "last_verified_by", "search_text"]


@pytest.mark.parametrize(
    ("rules", "model", "exclude", "values"),
    [
        (
            SERVICE_RULES,
            Service,
            SERVICE_EXCLUDE,
            {"name": "", "status": "published", "source": "s", "source_id": "1"},
        ),
        (SERVICE_RULES, Service, SERVICE_EXCLUDE, {"name": "x" * 201, "status": "ouvert", "url": "pas une url"}),
        (SERVICE_RULES, Service, SERVICE_EXCLUDE, {"name": "A", "email": "a@", "age_min": "soixante"}),
        (SERVICE_RULES, Service, SERVICE_EXCLUDE, {"name": "A", "age_max": 200, "last_verified_at": "hier"}),
        (SERVICE_RULES, Service, SERVICE_EXCLUDE, {"name": "A", "age_min": 70, "age_max": "60"}),
        (SERVICE_RULES, Service, SERVICE_EXCLUDE, {"name": "A", "source_id": "1", "source": ""}),
        (SERVICE_RULES, Service, SERVICE_EXCLUDE, {"name": "A", "offer_kind": "autre", "walk_in": "peut-être"}),
        (SERVICE_RULES, Service, SERVICE_EXCLUDE, {"name": "Bon", "status": "draft", "age_min": "12"}),
        (LOCATION_RULES, Location, ["organisation", "commune"], {"address": "", "latitude": "91", "longitude": "x"}),
        (LOCATION_RULES, Location, ["organisation", "commune"], {"address": "1 rue", "postal_code": "210000"}),
        (
            SCHEDULE_RULES,
            RegularSchedule,
            ["service", "location"],
            {"weekday": 9, "opens_at": "9h", "closes_at": None},
        ),
        (
            SCHEDULE_RULES,
            RegularSchedule,
            ["service", "location"],
            {"weekday": 0, "opens_at": "17:00", "closes_at": "09:00"},
        ),
        (CHILD_RULES[Phone], Phone, ["service"], {"number": "0" * 21, "description": ""}),
        (CHILD_RULES[Contact], Contact, ["service"], {"name": "", "email": "pas@", "phone": ""}),
        (CHILD_RULES[ServiceCapacity], ServiceCapacity, ["service"], {"unit": "places", "maximum": 2, "available": 3}),
        (
            CHILD_RULES[ServiceCapacity],
            ServiceCapacity,
            ["service"],
            {"unit": "places", "maximum": -1, "available": None},
        ),
    ],
)
def test_rules_give_the_messages_of_full_clean(rules, model, exclude, values):
    rules.reset()
    expected = _full_clean_messages(model(**values), exclude)

    for _ in range(2):  # the second time from the per-value cache
        cleaned, errors = rules.errors(values)
        assert errors == expected

    if not expected:
        instance = model(**values)
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        assert all(getattr(instance, name) == value for name, value in cleaned.items())


def test_rules_convert_values_as_full_clean_does():
    SCHEDULE_RULES.reset()
    cleaned, errors = SCHEDULE_RULES.errors({"weekday": "2", "opens_at": "09:00", "closes_at": "12:30"})

    assert errors == {}
    assert cleaned == {"weekday": 2, "opens_at": datetime.time(9, 0), "closes_at": datetime.time(12, 30)}
