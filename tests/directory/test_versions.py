"""Optimistic locking of directory services (core.versioning): a colleague's save, or an import,
between reading and saving the form is not overwritten unseen."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from maillage.core.enums import Role
from maillage.directory.interop.services import directory_import
from maillage.directory.models import Service
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.directory.factories import ServiceFactory
from tests.directory.interop_helpers import DATA, communes
from tests.people.form_data import form_data

pytestmark = pytest.mark.django_db


def test_second_save_of_a_service_read_before_the_first_is_refused_with_both_versions(client):
    first = MembershipFactory(role=Role.COORDINATOR, user__first_name="Alice", user__last_name="Martin")
    second = MembershipFactory(role=Role.ADMIN, organisation=first.organisation)
    alice, bob = login_verified(client, first.user), login_verified(Client(), second.user)
    service = ServiceFactory(organisation=first.organisation, name="Portage de repas")
    url = reverse("directory:service_edit", args=[service.pk])
    alice_data = form_data(alice.get(url).context["form"])
    bob_data = form_data(bob.get(url).context["form"])
    assert alice.post(url, {**alice_data, "name": "Portage de repas à domicile"}).status_code == 302

    response = bob.post(url, {**bob_data, "name": "Repas livrés"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "modifiée entre-temps par Alice Martin" in page and "Ce qui est enregistré maintenant" in page
    assert "Repas livrés" in page and "Portage de repas à domicile" in page
    assert Service.objects.get(pk=service.pk).name == "Portage de repas à domicile"
    assert bob.post(url, form_data(response.context["form"])).status_code == 302
    assert Service.objects.get(pk=service.pk).name == "Repas livrés"


def test_a_reimport_that_changes_a_service_bumps_its_version_only(tmp_path):
    communes()
    directory_import(format="hsds", path_or_files=DATA / "hsds_services.json")
    before = dict(Service.objects.values_list("source_id", "version"))
    data = json.loads((DATA / "hsds_services.json").read_text())
    data[0]["description"] = "Repas livrés chaque jour."
    path = tmp_path / "services.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    directory_import(format="hsds", path_or_files=path)
    after = dict(Service.objects.values_list("source_id", "version"))
    changed = data[0]["id"]
    assert after[changed] == before[changed] + 1
    assert {k: v for k, v in after.items() if k != changed} == {k: v for k, v in before.items() if k != changed}
