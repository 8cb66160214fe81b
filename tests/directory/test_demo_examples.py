"""The examples a form gives are from the demo's own département, Ille-et-Vilaine (35): a newcomer
reads « 02 99 … » and « Cesson-Sévigné », not a Dijon number or code."""

import html

import pytest
from django.urls import reverse

from maillage.core.enums import Role
from maillage.directory.forms import ServiceForm
from maillage.people.forms import CommuneCodeField


def test_service_form_phone_example_is_a_number_of_ille_et_vilaine():
    assert ServiceForm.base_fields["phone"].help_text == "Par exemple 02 99 00 00 00"


def test_person_commune_example_is_a_commune_of_ille_et_vilaine_named_first():
    help_text = CommuneCodeField().help_text
    assert help_text.startswith("Nom de la commune (par exemple Cesson-Sévigné)")
    assert "21231" not in help_text


@pytest.mark.django_db
def test_import_page_names_the_organisation_with_its_article(member_client):
    client, _membership = member_client(role=Role.COORDINATOR, organisation__name="CCAS de Rennes")
    text = html.unescape(client.get(reverse("directory:interop")).content.decode())
    assert "Les services importés sont rattachés au CCAS de Rennes." in text
    assert "« Réseau CLIC 35 »" in text and "reseau-clic" not in text
