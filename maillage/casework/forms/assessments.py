"""Forms of the four assessments. Each one checks every answer and says, in French, which field is
wrong; the AGGIR form relies on `casework.aggir`, the fragility form on `casework.fragility`."""

from django import forms
from dsfr.widgets import InlineRadioSelect

from maillage.casework import aggir
from maillage.casework.forms import refresh_dsfr
from maillage.casework.fragility import DEFAULT_GRID
from maillage.casework.services.assessments import (
    AGGIR_ILLUSTRATIVE,
    AGGIR_LABELS,
    BURDEN_CHOICES,
    EXHAUSTION_SIGNS,
    NEED_STATUS_CHOICES,
    RESPITE_WISHES,
    SCREENING_MODES,
    VARIABLE_LABELS,
    essential_needs,
)
from maillage.core.forms import DsfrBaseForm
from maillage.core.versioning import VersionedFormMixin

ABC_CHOICES = [("A", "A"), ("B", "B"), ("C", "C")]

ADVERBS_HELP = (
    "A : fait seul·e, spontanément, totalement, correctement et habituellement (S, T, C, H). "
    "B : fait partiellement, ou pas toujours spontanément, totalement, correctement ou habituellement. "
    "C : ne fait pas."
)


def _choice(label, choices, *, help_text="", widget=None, what="une réponse"):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        help_text=help_text,
        widget=widget or InlineRadioSelect,
        error_messages={
            "required": f"« {label} » : choisissez {what}.",
            "invalid_choice": f"« {label} » : « %(value)s » n'est pas une réponse possible.",
        },
    )


class _AssessmentForm(VersionedFormMixin, DsfrBaseForm):
    assessed_on = forms.DateField(
        label="Date de l'évaluation",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indiquez la date de l'évaluation.", "invalid": "Date de l'évaluation invalide."},
    )
    summary = forms.CharField(label="Synthèse", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    answer_fields: tuple[str, ...] = ()

    def answers(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.answer_fields}

    def field_groups(self):
        """(legend, [bound fields]) for the template's fieldsets."""
        return [("Réponses", [self[name] for name in self.answer_fields])]


class NeedsAssessmentForm(_AssessmentForm):
    """The ten essential needs of the VISA guide (directory taxonomy), each met, partly met or not
    met, with a note."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.terms = list(essential_needs())
        names = []
        for term in self.terms:
            self.fields[f"need_{term.code}"] = _choice(term.name, NEED_STATUS_CHOICES, what="une réponse")
            self.fields[f"note_{term.code}"] = forms.CharField(
                label=f"Précisions — {term.name}", required=False, max_length=500
            )
            names += [f"need_{term.code}", f"note_{term.code}"]
        self.answer_fields = tuple(names)
        refresh_dsfr(self)

    def answers(self) -> dict:
        return {
            term.code: {
                "status": self.cleaned_data[f"need_{term.code}"],
                "note": self.cleaned_data[f"note_{term.code}"],
            }
            for term in self.terms
        }

    def field_groups(self):
        return [(term.name, [self[f"need_{term.code}"], self[f"note_{term.code}"]]) for term in self.terms]

    @staticmethod
    def initial_from(answers: dict) -> dict:
        initial = {}
        for code, value in answers.items():
            initial[f"need_{code}"] = value.get("status")
            initial[f"note_{code}"] = value.get("note", "")
        return initial


class AggirForm(_AssessmentForm):
    """The national AGGIR grid (CASF annexe 2-1): 17 sub-variables and 7 illustrative variables,
    each coded A, B or C with the adverbs S/T/C/H."""

    answer_fields = aggir.ALL_SUB_VARIABLES + tuple(AGGIR_ILLUSTRATIVE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.answer_fields:
            label, help_text = AGGIR_LABELS[name]
            self.fields[name] = _choice(label, ABC_CHOICES, help_text=help_text, what="A, B ou C")
        refresh_dsfr(self)

    def clean(self):
        cleaned = super().clean()
        missing = [AGGIR_LABELS[name][0] for name in self.answer_fields if name in self.errors]
        if missing:
            raise forms.ValidationError(
                "La grille est incomplète ou contient des réponses invalides : " + ", ".join(missing) + "."
            )
        try:
            self.levels = aggir.variable_levels({k: cleaned[k] for k in aggir.ALL_SUB_VARIABLES})
            self.gir = aggir.compute_gir(self.levels)
        except aggir.AggirError as exc:
            for key, reason in exc.errors.items():
                label = AGGIR_LABELS.get(key, (key, ""))[0]
                self.add_error(key if key in self.fields else None, f"« {label} » : {reason}.")
        return cleaned

    def field_groups(self):
        groups = []
        for variable, subs in aggir.SUB_VARIABLES.items():
            groups.append((VARIABLE_LABELS[variable], [self[name] for name in subs]))
        groups.append(("Variables illustratives", [self[name] for name in AGGIR_ILLUSTRATIVE]))
        return groups

    def preview(self):
        """For the live preview: the levels of the variables answered so far, and the GIR once the
        17 sub-variables are answered. Never raises."""
        data = {name: self.data.get(name) for name in aggir.ALL_SUB_VARIABLES}
        levels = {}
        for variable, subs in aggir.SUB_VARIABLES.items():
            codes = tuple(data[name] for name in subs)
            if all(code in ("A", "B", "C") for code in codes):
                rule = aggir.COMBINATION_RULES.get(variable)
                levels[variable] = rule[codes] if rule else codes[0]
        missing = [AGGIR_LABELS[name][0] for name, value in data.items() if value not in ("A", "B", "C")]
        gir = aggir.compute_gir(levels) if not missing else None
        rows = [(VARIABLE_LABELS[v], levels.get(v)) for v in aggir.VARIABLES]
        return {"rows": rows, "gir": gir, "missing": missing}


class FragilityForm(_AssessmentForm):
    """The phone (or home visit) fragility screening of the VISA guide, default grid."""

    mode = _choice("Repérage fait", SCREENING_MODES, what="le mode de repérage")

    def __init__(self, *args, grid=DEFAULT_GRID, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = grid
        for question in grid.questions:
            self.fields[question.key] = _choice(
                question.label,
                [(option.key, option.label) for option in question.options],
                widget=forms.RadioSelect,
            )
        self.answer_fields = ("mode", *(q.key for q in grid.questions))
        refresh_dsfr(self)

    def field_groups(self):
        return [("Mode", [self["mode"]]), ("Questions", [self[q.key] for q in self.grid.questions])]


class CarerForm(_AssessmentForm):
    """The carer's situation (guide VISA, « La situation des proches aidants »: isolation,
    exhaustion, respite)."""

    answer_fields = ("relation", "burden", "exhaustion_signs", "respite_wishes", "note")

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relation"] = forms.ModelChoiceField(
            label="Aidant·e concerné·e",
            queryset=person.relations.all(),
            empty_label="Choisir dans l'entourage",
            error_messages={
                "required": "« Aidant·e concerné·e » : choisissez l'aidant·e dans l'entourage de la personne.",
                "invalid_choice": "« Aidant·e concerné·e » : ce proche n'est pas dans l'entourage de la personne.",
            },
        )
        self.fields["burden"] = _choice("Charge ressentie par l'aidant·e", BURDEN_CHOICES, widget=forms.RadioSelect)
        self.fields["exhaustion_signs"] = forms.MultipleChoiceField(
            label="Signes d'épuisement", choices=EXHAUSTION_SIGNS, required=False, widget=forms.CheckboxSelectMultiple
        )
        self.fields["respite_wishes"] = forms.MultipleChoiceField(
            label="Souhaits de répit", choices=RESPITE_WISHES, required=False, widget=forms.CheckboxSelectMultiple
        )
        self.fields["note"] = forms.CharField(
            label="Ce que dit l'aidant·e", required=False, widget=forms.Textarea(attrs={"rows": 4})
        )
        refresh_dsfr(self)

    def answers(self) -> dict:
        data = super().answers()
        data["relation"] = data["relation"].pk
        return data

    def field_groups(self):
        return [
            ("Aidant·e", [self["relation"], self["burden"]]),
            ("Épuisement et répit", [self["exhaustion_signs"], self["respite_wishes"], self["note"]]),
        ]


FORMS = {"needs": NeedsAssessmentForm, "aggir": AggirForm, "fragility": FragilityForm, "carer": CarerForm}
