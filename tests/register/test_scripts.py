"""The interview guide's default texts (register/scripts.py): every section filled, for every event
and purpose; the emergency numbers always there; the event's own advice and number."""

import pytest

from maillage.register.enums import CallPurpose, CrisisKind
from maillage.register.models.campaigns import SCRIPT_SECTIONS
from maillage.register.scripts import default_script
from tests.core.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

EVENT_MARKS = {
    CrisisKind.HEATWAVE: "0 800 06 66 66",
    CrisisKind.COLD: "monoxyde de carbone",
    CrisisKind.FLOOD: "couper l'électricité et le gaz",
    CrisisKind.EPIDEMIC: "Se laver les mains",
    CrisisKind.OTHER: "consignes de la mairie",
    None: "codes bancaires",
}


@pytest.mark.parametrize("purpose", CallPurpose.values)
@pytest.mark.parametrize("kind", [*CrisisKind.values, None])
def test_every_section_is_filled_with_the_emergency_numbers_and_the_events_advice(purpose, kind):
    organisation = OrganisationFactory(name="CCAS de Rennes", phone="02 23 62 20 00")
    script = default_script(purpose=purpose, crisis_kind=kind, organisation=organisation)
    assert set(script) == {name for name, _ in SCRIPT_SECTIONS}
    assert all(text.strip() for text in script.values())
    for number in ("15", "112", "114", "3977", "02 23 62 20 00"):
        assert number in script["script_numbers"]
    assert EVENT_MARKS[kind] in script["script_advice"]
    assert "le CCAS de Rennes" in script["script_introduction"]
