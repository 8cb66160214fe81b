"""Forms of the crises' pages: activate, end, transmit to the prefect, handle an alert."""

import datetime

from django import forms
from django.utils import timezone

from maillage.casework.forms import refresh_dsfr
from maillage.core.forms import DsfrBaseForm
from maillage.register.enums import CrisisKind, CrisisLevel, EscalationHandling


class CommuneChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        postal = obj.postal_codes[0] if obj.postal_codes else ""
        return f"{obj.name} ({postal})" if postal else obj.name


class CrisisActivateForm(DsfrBaseForm):
    kind = forms.ChoiceField(
        label="Événement",
        choices=CrisisKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez l'événement.", "invalid_choice": "Choisissez l'événement."},
    )
    level = forms.TypedChoiceField(
        label="Niveau",
        choices=CrisisLevel.choices,
        coerce=int,
        initial=CrisisLevel.ALERT,
        widget=forms.RadioSelect,
        help_text="Le niveau 3 (alerte) est celui que le préfet déclenche et qui lance les appels du registre.",
        error_messages={"required": "Choisissez le niveau.", "invalid_choice": "Choisissez un niveau de 1 à 4."},
    )
    communes = CommuneChoiceField(
        label="Communes concernées",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choisissez au moins une commune concernée.",
            "invalid_choice": "Choisissez parmi les communes que dessert votre structure.",
            "invalid_pk_value": "Choisissez parmi les communes que dessert votre structure.",
        },
    )
    title = forms.CharField(
        label="Intitulé",
        required=False,
        max_length=150,
        help_text="Facultatif, par exemple « Canicule de juillet ». Sans intitulé : l'événement et sa date.",
    )
    started_on = forms.DateField(
        label="Déclenché le",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Vide : maintenant.",
        error_messages={"invalid": "La date de déclenchement est illisible : écrivez-la jj/mm/aaaa."},
    )
    planned_end_on = forms.DateField(
        label="Fin prévue le",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "La date de fin prévue est illisible : écrivez-la jj/mm/aaaa."},
    )

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].queryset = communes
        only = list(communes[:2])
        if len(only) == 1:
            self.fields["communes"].initial = [only[0].pk]
        refresh_dsfr(self)

    def clean_started_on(self):
        day = self.cleaned_data.get("started_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("La date de déclenchement ne peut pas être dans le futur.")
        return day

    def started_at(self):
        """Now for today (or no date), else the start of the day given."""
        day = self.cleaned_data.get("started_on")
        if day is None or day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class CrisisEndForm(DsfrBaseForm):
    confirm = forms.BooleanField(
        label="Je confirme la levée de la crise",
        error_messages={"required": "Cochez la case de confirmation pour lever la crise."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refresh_dsfr(self)


class TransmissionForm(DsfrBaseForm):
    file_format = forms.ChoiceField(
        label="Format",
        choices=[("csv", "Tableur (CSV)"), ("pdf", "Document à imprimer (PDF)")],
        initial="csv",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le format.", "invalid_choice": "Choisissez le format CSV ou PDF."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refresh_dsfr(self)


class EscalationHandleForm(DsfrBaseForm):
    handling = forms.ChoiceField(
        label="Suite donnée",
        choices=EscalationHandling.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Dites quelle suite a été donnée.",
            "invalid_choice": "Dites quelle suite a été donnée.",
        },
    )
    handling_note = forms.CharField(
        label="Précisions",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour « Autre suite ». Pas de donnée de santé.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refresh_dsfr(self)
