from pathlib import Path

from django import forms

from maillage.core.forms import DsfrBaseForm
from maillage.directory.interop.duplicates import LINK, NEW, SKIP
from maillage.directory.models import ImportJob

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ACCEPTED_SUFFIXES = {".json", ".csv", ".zip"}


class ImportForm(DsfrBaseForm):
    format = forms.ChoiceField(label="Format du fichier", choices=ImportJob.Format.choices)
    source = forms.SlugField(
        label="Nom de la source",
        max_length=50,
        required=False,
        help_text=(
            "HSDS seulement : un nom court pour reconnaître ces services lors d'un prochain import, "
            "par exemple « reseau-clic-35 ». Par défaut « hsds »."
        ),
    )
    file = forms.FileField(
        label="Fichier à importer",
        help_text=(
            "HSDS : un fichier JSON de services, ou une archive zip du paquet CSV. data·inclusion : une archive "
            "zip contenant structures.json et services.json. Encodage UTF-8, 50 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,.zip"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError("Seuls les fichiers .json, .csv et .zip sont acceptés.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Le fichier dépasse 50 Mo.")
        return upload


class DuplicateDecisionsForm(DsfrBaseForm):
    """For each probable duplicate of an import (interop.duplicates): skip it, link it to the service
    found (the file then updates that service) or import it as a new service."""

    def __init__(self, *args, duplicates: list[dict], **kwargs):
        self.duplicates = duplicates
        fields = {}
        for index, duplicate in enumerate(duplicates):
            choices = [(SKIP, "Ne pas l'importer")]
            for candidate in duplicate["candidates"]:
                choices.append(
                    (
                        f"{LINK}:{candidate['pk']}",
                        f"Le relier à « {candidate['name']} » ({candidate['organisation']}) : le fichier mettra ce "
                        "service à jour",
                    )
                )
            choices.append((NEW, "L'importer quand même comme un nouveau service"))
            reasons = "; ".join(f"« {c['name']} » : {c['reason']}" for c in duplicate["candidates"])
            fields[f"doublon_{index}"] = forms.ChoiceField(
                label=f"« {duplicate['name']} »" + (f" ({duplicate['position']})" if duplicate["position"] else ""),
                help_text=f"Ressemble à {reasons}.",
                choices=choices,
                initial=SKIP,
                widget=forms.RadioSelect,
            )
        # Declared before the base form builds its fields, so that the theme styles them like any other.
        self.base_fields = {**self.base_fields, **fields}
        super().__init__(*args, **kwargs)

    def decisions(self) -> dict:
        """{file identifier: skip | new | link:<service id>}."""
        return {d["key"]: self.cleaned_data[f"doublon_{i}"] for i, d in enumerate(self.duplicates)}
