"""Forms of the callers' pages. Every message names its field, in French."""

from django import forms

from maillage.core.forms import DsfrBaseForm
from maillage.directory.enums import Weekday
from maillage.volunteers import charter
from maillage.volunteers.languages import LANGUAGES
from maillage.volunteers.services import CHARTER_REFUSED

ACCEPT_LABEL = "J'ai lu la charte et je m'engage à la respecter"


class CharterSignForm(DsfrBaseForm):
    accepted = forms.BooleanField(label=ACCEPT_LABEL, error_messages={"required": CHARTER_REFUSED})
    # The version the page showed: a charter changed meanwhile is not signed unread.
    version = forms.CharField(widget=forms.HiddenInput, initial=charter.VERSION)


def _time(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": f"« {label} » : indiquez une heure.",
            "invalid": f"« {label} » : heure attendue au format 09:30.",
        },
    )


class AvailabilitySlotForm(DsfrBaseForm):
    weekday = forms.TypedChoiceField(
        label="Jour",
        choices=[("", "Choisir un jour"), *Weekday.choices],
        coerce=int,
        error_messages={
            "required": "« Jour » : choisissez un jour de la semaine.",
            "invalid_choice": "« Jour » : choisissez un jour de la semaine.",
        },
    )
    start = _time("Début")
    end = _time("Fin")


class LanguagesForm(DsfrBaseForm):
    languages = forms.MultipleChoiceField(
        label="Langues parlées en plus du français",
        help_text="Le français est toujours compris. Cochez les langues dans lesquelles vous pouvez tenir un appel.",
        choices=LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "« Langues parlées » : cette langue n'est pas dans la liste."},
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, membership):
        return f"{membership.user.get_full_name()} — {membership.get_role_display()}"


class CallerAddForm(DsfrBaseForm):
    membership = MemberChoiceField(
        label="Membre",
        queryset=None,
        empty_label="Choisir un ou une bénévole ou un agent",
        help_text="Les bénévoles et les agents de la structure qui ne sont pas encore sur la liste.",
        error_messages={
            "required": "« Membre » : choisissez la personne à ajouter.",
            "invalid_choice": "« Membre » : cette personne ne peut pas être ajoutée (elle est déjà sur la liste, "
            "ou n'est pas bénévole ou agent de la structure).",
        },
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = members
