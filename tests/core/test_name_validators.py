"""Names are one line of visible text: control characters (newline, tab, NUL, escape, C1, line
separators, bidirectional overrides) are refused in person, relative, member, organisation and
service names, with a French message naming the field; through the forms people use."""

import pytest

from maillage.core.forms import MembershipCreateForm, OrganisationForm
from maillage.directory.forms import ServiceForm
from maillage.people.forms import PersonCreateForm, PersonForm, RelationForm

pytestmark = pytest.mark.django_db

BAD = ["Jean\nMarie", "Jean\r\nMarie", "Jean\tMarie", "A\x1b[31mB", "A\x85B", "A\x7fB", "A\u2028B", "Eve\u202eenoJ"]
REASON = "les caractères de contrôle (retour à la ligne, tabulation, caractère nul…) ne sont pas permis"


def _errors(form, field):
    form.is_valid()
    return " ".join(form.errors.get(field, []))


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize(
    ("form_class", "field", "label"),
    [
        (PersonForm, "last_name", "Nom d'usage"),
        (PersonForm, "birth_name", "Nom de naissance"),
        (PersonForm, "first_names", "Prénom(s)"),
        (PersonCreateForm, "last_name", "Nom d'usage"),
        (RelationForm, "last_name", "Nom"),
        (RelationForm, "first_name", "Prénom"),
        (OrganisationForm, "name", "Nom de la structure"),
        (ServiceForm, "name", "Nom du service"),
        (ServiceForm, "alternate_name", "Autre nom ou sigle"),
        (MembershipCreateForm, "first_name", "Prénom"),
        (MembershipCreateForm, "last_name", "Nom"),
    ],
)
def test_a_name_with_a_control_character_is_refused(form_class, field, label, value):
    form = form_class(data={field: value})
    message = _errors(form, field)
    assert f"{label} : {REASON}" in message


@pytest.mark.parametrize("value", ["Jean-Marie", "Éloïse d'Aubigné", "Ōsaka Ĳssel", "Nguyễn Thị", "O'Brien  Smith"])
def test_ordinary_names_pass(value):
    form = PersonForm(data={"last_name": value, "first_names": value})
    form.is_valid()
    assert "last_name" not in form.errors and "first_names" not in form.errors


def test_the_models_refuse_them_too():
    from django.core.exceptions import ValidationError

    from tests.core.factories import OrganisationFactory, UserFactory

    organisation = OrganisationFactory.build(name="CCAS\nde Dijon")
    with pytest.raises(ValidationError) as exc:
        organisation.full_clean(exclude=["commune"])
    assert "Nom de la structure : les caractères de contrôle" in str(exc.value.message_dict["name"])
    user = UserFactory.build(first_name="Ana\x00is")
    with pytest.raises(ValidationError) as exc:
        user.full_clean(exclude=["password"])
    assert "Prénom : les caractères de contrôle" in " ".join(exc.value.message_dict["first_name"])
