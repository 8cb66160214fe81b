"""The upload form of a transmitted list: who transmitted it, and the file."""

from django import forms

from maillage.core.forms import DsfrBaseForm
from maillage.register.enums import EntrySource
from maillage.register.importing import reading
from maillage.register.importing.services import TRANSMITTED_SOURCES


class ListUploadForm(DsfrBaseForm):
    source = forms.ChoiceField(
        label="Qui a transmis la liste ?",
        choices=[(s.value, s.label) for s in TRANSMITTED_SOURCES],
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez qui a transmis la liste."},
    )
    file = forms.FileField(
        label="Fichier de la liste",
        help_text=(
            "Au format XLSX ou CSV (séparateur point-virgule ou virgule), la première ligne nommant les colonnes."
        ),
        error_messages={"required": "Choisissez le fichier de la liste.", "empty": "Le fichier envoyé est vide."},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            reading.check_size(upload.name, upload.size)  # before reading a byte of it
        except reading.FileRefused as exc:
            raise forms.ValidationError(exc.message) from None
        return upload

    @property
    def source_label(self) -> str:
        return EntrySource(self.cleaned_data["source"]).label
