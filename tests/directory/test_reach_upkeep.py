"""The reach rows follow the two writes that do not go through the directory's services: a new
edition of the territories (a commune changes EPCI) and an edit in the technical administration."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from maillage.core import territories
from maillage.core.models import EPCI
from maillage.directory.models import Location, Service, ServiceAtLocation, ServiceReach
from maillage.directory.services import service_reindex
from tests.core.factories import CommuneFactory, DepartementFactory, UserFactory
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def reach(service):
    return set(ServiceReach.objects.filter(service=service).values_list("commune__code", "epci__code"))


def test_a_new_edition_of_the_territories_moves_the_reach_to_the_new_epci():
    cote_dor = DepartementFactory(code="21", name="Côte-d'Or")
    old = EPCI.objects.create(code="200000001", name="Ancienne communauté", kind="CC")
    commune = CommuneFactory(code="21054", name="Beaune", departement=cote_dor, epci=old)
    service = ServiceFactory(commune=commune, communes_served=[commune])
    service_reindex(service)
    assert reach(service) == {("21054", "200000001")}

    territories.load_territories(
        {
            "departements": [{"code": "21", "nom": "Côte-d'Or", "region": "27"}],
            "epci": [{"code": "200006682", "nom": "Beaune Côte et Sud", "type": "CA", "membres": ["21054"]}],
            "communes": [
                {"code": "21054", "nom": "Beaune", "type": "commune-actuelle", "departement": "21", "population": 1}
            ],
        },
        departement_codes={"21"},
    )
    assert reach(service) == {("21054", "200006682")}


def test_an_edit_in_the_technical_administration_keeps_search_text_and_reach():
    cote_dor = DepartementFactory(code="21")
    dijon = CommuneFactory(code="21231", name="Dijon", departement=cote_dor)
    beaune = CommuneFactory(code="21054", name="Beaune", departement=cote_dor)
    service = ServiceFactory(name="Portage de repas", communes_served=[dijon])
    service_reindex(service)
    assert reach(service) == {("21231", None)}
    request = RequestFactory().post("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)

    service_admin = admin.site._registry[Service]
    Service.objects.filter(pk=service.pk).update(name="Livraison de repas à domicile")
    service.refresh_from_db()
    service.communes_served.set([beaune])
    form = type("SavedForm", (), {"instance": service, "save_m2m": lambda self: None})()  # saved already
    service_admin.save_related(request, form, [], change=True)
    service.refresh_from_db()
    assert "livraison" in service.search_text.lower()
    assert reach(service) == {("21054", None)}

    place = Location.objects.create(organisation=service.organisation, commune=dijon, address="1 rue de la Gare")
    ServiceAtLocation.objects.create(service=service, location=place)
    service_reindex(service)
    assert reach(service) == {("21054", None), ("21231", None)}
    place.commune = beaune
    admin.site._registry[Location].save_model(request, place, None, change=True)
    assert reach(service) == {("21054", None)}
