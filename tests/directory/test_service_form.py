"""The staff service form (issue 11, point 15): communes by their names (never an INSEE code typed),
the week's opening hours that « Ouvert maintenant » reads, the languages spoken, and its errors
summed up at the top with links to the fields."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import Role
from maillage.directory.models import RegularSchedule, Service
from tests.core.factories import CommuneFactory, DepartementFactory
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def communes():
    ille = DepartementFactory(code="35", name="Ille-et-Vilaine")
    cote_dor = DepartementFactory(code="21", name="Côte-d'Or")
    return {
        "rennes": CommuneFactory(code="35238", name="Rennes", departement=ille, postal_codes=["35000", "35200"]),
        "aubin_35": CommuneFactory(
            code="35250", name="Saint-Aubin-du-Cormier", departement=ille, postal_codes=["35140"]
        ),
        "aubin_a": CommuneFactory(code="35251", name="Saint-Aubin", departement=ille, postal_codes=["35140"]),
        "aubin_b": CommuneFactory(code="21540", name="Saint-Aubin", departement=cote_dor, postal_codes=["21190"]),
        "apollinaire": CommuneFactory(
            code="21542", name="Saint-Apollinaire", departement=cote_dor, postal_codes=["21850"]
        ),
    }


def payload(**extra):
    data = {"name": "Épicerie solidaire", "status": "published", "offer_kind": "specialised", "fee_kind": "free"}
    data.update(extra)
    return data


def frozen(monkeypatch, moment: datetime) -> None:
    """The server's clock stopped at `moment` (Paris time)."""
    monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(ZoneInfo("UTC")))


def test_staff_form_takes_communes_by_name_hours_and_languages(member_client, communes, monkeypatch):
    client, membership = member_client(role=Role.RECEPTION_AGENT)
    response = client.post(
        reverse("directory:service_create"),
        payload(
            address="2 rue de la Paix",
            postal_code="35000",
            commune="rennes",
            communes_served="Saint-Aubin (21190)\nst apollinaire\nRennes (35200)",
            hours_1_1_opens="09:00",
            hours_1_1_closes="12:00",
            hours_1_2_opens="14:00",
            hours_1_2_closes="17:30",
            hours_notes="Fermé en août.",
            languages=["fr", "ar"],
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    service = Service.objects.get(name="Épicerie solidaire")
    assert service.locations.get().commune == communes["rennes"]
    assert set(service.communes_served.all()) == {communes["aubin_b"], communes["apollinaire"], communes["rennes"]}
    spans = list(service.regular_schedules.values_list("weekday", "opens_at", "closes_at"))
    assert [(d, f"{o:%H:%M}", f"{c:%H:%M}") for d, o, c in spans] == [(1, "09:00", "12:00"), (1, "14:00", "17:30")]
    assert service.hours_notes == "Fermé en août."
    assert sorted(service.languages.values_list("code", "name")) == [("ar", "Arabe"), ("fr", "Français")]

    # « Ouvert maintenant » finds it on Tuesday at 10:30, not at 13:00 nor on Wednesday.
    def open_now_names(moment):
        frozen(monkeypatch, moment)
        content = client.get(reverse("directory:public_search"), {"open_now": "on"}).content.decode()
        return "Épicerie solidaire" in content

    assert open_now_names(datetime(2026, 12, 8, 10, 30, tzinfo=PARIS))
    assert not open_now_names(datetime(2026, 12, 8, 13, 0, tzinfo=PARIS))
    assert open_now_names(datetime(2026, 12, 8, 17, 0, tzinfo=PARIS))
    assert not open_now_names(datetime(2026, 12, 9, 10, 30, tzinfo=PARIS))


def test_a_name_several_communes_bear_is_refused_with_the_choices(member_client, communes):
    client, _ = member_client(role=Role.COORDINATOR)
    response = client.post(reverse("directory:service_create"), payload(communes_served="Saint-Aubin"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Plusieurs communes s&#x27;appellent « Saint-Aubin »" in content
    assert "Saint-Aubin</textarea>" in content
    assert not Service.objects.exists()


def test_errors_are_summed_up_at_the_top_with_links_to_their_fields(member_client, communes):
    client, _ = member_client(role=Role.COORDINATOR)
    response = client.post(
        reverse("directory:service_create"),
        payload(
            name="",
            hours_0_1_opens="14:00",
            hours_0_1_closes="12:00",
            hours_2_1_opens="09:00",
            hours_2_2_opens="11:00",
            hours_2_2_closes="12:00",
            hours_2_1_closes="11:30",
        ),
    )
    content = response.content.decode()
    assert "Le formulaire contient 3 erreurs" in content
    summary = content[content.index("Le formulaire contient") : content.index("</ul>", content.index("Le formulaire"))]
    assert re.search(r'href="#id_name"[^>]*>Nom du service : ', summary)
    assert 'href="#id_hours_0_1_closes"' in summary
    assert (
        "Lundi, 1re plage : fermeture : L&#x27;heure de fermeture doit suivre l&#x27;heure d&#x27;ouverture."
        in summary
    )
    assert 'href="#id_hours_2_2_opens"' in summary
    assert "Mercredi, 2e plage : ouverture : La 2e plage doit commencer après la fin de la 1re (11:30)." in summary
    # Each error is also written beside its field, which points to it; what was typed is kept.
    assert 'id="id_hours_0_1_closes_error"' in content
    assert re.search(r'<input[^>]*aria-describedby="id_hours_0_1_closes_error"[^>]*id="id_hours_0_1_closes"', content)
    assert re.search(r'name="hours_0_1_opens" value="14:00"', content)
    assert not RegularSchedule.objects.exists()


def test_edit_form_shows_communes_hours_and_languages_in_words(member_client, communes):
    client, membership = member_client(role=Role.ADMIN)
    service = ServiceFactory(
        organisation=membership.organisation, commune=communes["rennes"], communes_served=[communes["aubin_b"]]
    )
    RegularSchedule.objects.create(service=service, weekday=4, opens_at="08:30", closes_at="12:00")
    service.languages.create(code="uk", name="Ukrainien")
    service.languages.create(code="tzm", name="Tamazight")  # from an import: kept although not in the list
    content = client.get(reverse("directory:service_edit", args=[service.pk])).content.decode()
    assert re.search(r'name="commune" value="Rennes \(35000\)"', content)
    assert "Saint-Aubin (21190)</textarea>" in content
    assert re.search(r'name="hours_4_1_opens" value="08:30"', content)
    assert re.search(r'value="uk"[^>]*checked', content) and re.search(r'value="tzm"[^>]*checked', content)
    assert "35238" not in content  # no INSEE code shown


def test_commune_search_list_proposes_names_with_postal_codes(member_client, communes):
    client, _ = member_client(role=Role.VOLUNTEER)
    url = reverse("directory:commune_suggestions")
    labels = [c["label"] for c in client.get(url, {"q": "saint-au"}).json()["communes"]]
    assert sorted(labels) == ["Saint-Aubin (21190)", "Saint-Aubin (35140)", "Saint-Aubin-du-Cormier (35140)"]
    assert [c["label"] for c in client.get(url, {"q": "St Apol"}).json()["communes"]] == ["Saint-Apollinaire (21850)"]
    assert [c["label"] for c in client.get(url, {"q": "352"}).json()["communes"]] == ["Rennes (35000)"]
    assert client.get(url, {"q": "r"}).json() == {"communes": []}


def test_a_label_with_a_wrong_postal_code_is_read_by_the_name_alone(communes):
    from django.core.exceptions import ValidationError

    from maillage.directory.forms import commune_from_label

    assert commune_from_label("Rennes (35400)") == communes["rennes"]
    assert commune_from_label("Saint-Aubin (35140)") == communes["aubin_a"]
    with pytest.raises(ValidationError, match="Plusieurs communes s'appellent « Saint-Aubin »"):
        commune_from_label("Saint-Aubin (35999)")
    with pytest.raises(ValidationError, match="Aucune commune ne s'appelle « Trifouillis »"):
        commune_from_label("Trifouillis (35400)")
