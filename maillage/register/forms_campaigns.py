"""Forms of the campaign pages (register manager) and of the caller's screen."""

from django import forms

from maillage.casework.fragility import DEFAULT_GRID
from maillage.core import access
from maillage.core.forms import DsfrBaseForm
from maillage.core.models import User
from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from maillage.people.models import PersonAddress
from maillage.register.enums import CallPurpose, Outcome, Priority
from maillage.register.models import Crisis, RegisterEntry
from maillage.register.models.campaigns import SCRIPT_SECTIONS

# The outcomes a caller picks (« injoignable » follows the last « pas de réponse » by itself).
CALLER_OUTCOMES = [(value, label) for value, label in Outcome.choices if value != Outcome.UNREACHABLE]
# Yearly confirmation (issue 13, point 1): entries not confirmed for that many months.
CONFIRMATION_MONTHS = 12


def callers_of(organisation):
    """The members of the organisation who may take calls (access.may_take_calls), by name."""
    users = User.objects.filter(
        memberships__organisation=organisation, memberships__role__in=access.CALLER_ROLES, is_active=True
    ).distinct()
    return [u for u in users.order_by("last_name", "first_name", "pk") if access.may_take_calls(u, organisation)]


def _name(user) -> str:
    return user.get_full_name() or user.email


class CampaignForm(DsfrBaseForm):
    title = forms.CharField(
        label="Intitulé", max_length=150, help_text="Par exemple « Canicule de juillet : premier appel »."
    )
    purpose = forms.ChoiceField(
        label="Type d'appels",
        choices=CallPurpose.choices,
        initial=CallPurpose.EVALUATION,
        widget=forms.RadioSelect,
        help_text=(
            "« Confirmation de l'inscription » appelle les personnes dont l'inscription n'a pas été confirmée "
            f"depuis {CONFIRMATION_MONTHS} mois."
        ),
    )
    crisis = forms.ModelChoiceField(
        label="Crise en cours",
        queryset=Crisis.objects.none(),
        required=False,
        empty_label="Aucune (campagne hors crise)",
        help_text="Les textes proposés pour le guide d'entretien dépendent de l'événement.",
    )
    priority = forms.TypedChoiceField(
        label="Personnes à appeler",
        choices=[("", "Toutes les personnes inscrites"), (str(Priority.HIGH), "Les personnes prioritaires seulement")],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    communes = forms.MultipleChoiceField(
        label="Communes",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune case cochée : toutes les communes.",
    )
    neighbourhoods = forms.MultipleChoiceField(
        label="Quartiers",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune case cochée : tous les quartiers.",
    )
    callers = forms.MultipleChoiceField(
        label="Appelants",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les membres de la structure qui peuvent prendre des appels. Vous pourrez en ajouter plus tard.",
    )
    max_attempts = forms.IntegerField(
        label="Nombre d'essais avant de signaler la personne injoignable", min_value=1, max_value=10
    )
    retry_delays = forms.CharField(
        label="Délais avant chaque nouvel essai, en minutes",
        help_text="Séparés par des virgules, croissants de préférence. Par exemple : 60, 180.",
        max_length=100,
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["crisis"].queryset = Crisis.objects.in_progress().filter(organisation=organisation)
        active = RegisterEntry.objects.active().filter(organisation=organisation)
        communes = (
            PersonAddress.objects.filter(is_current=True, person__register_entries__in=active)
            .values_list("commune__code", "commune__name")
            .distinct()
            .order_by("commune__name")
        )
        self.fields["communes"].choices = [(code, name) for code, name in communes]
        neighbourhoods = active.exclude(neighbourhood="").values_list("neighbourhood", flat=True).distinct()
        self.fields["neighbourhoods"].choices = [(n, n) for n in sorted(set(neighbourhoods))]
        self.caller_users = {str(u.pk): u for u in callers_of(organisation)}
        self.fields["callers"].choices = [(pk, _name(u)) for pk, u in self.caller_users.items()]
        for name in ("communes", "neighbourhoods"):
            if not self.fields[name].choices:
                del self.fields[name]

    def clean_retry_delays(self):
        raw = self.cleaned_data["retry_delays"]
        try:
            delays = [int(part) for part in raw.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(
                "Écrivez des nombres entiers de minutes séparés par des virgules, par exemple : 60, 180."
            ) from None
        if not delays or any(d < 1 or d > 10080 for d in delays):
            raise forms.ValidationError("Chaque délai va de 1 minute à 7 jours (10 080 minutes).")
        return delays

    def selection(self) -> dict:
        data = self.cleaned_data
        selection = {
            "priority": data.get("priority"),
            "communes": data.get("communes") or [],
            "neighbourhoods": data.get("neighbourhoods") or [],
        }
        if data.get("purpose") == CallPurpose.CONFIRMATION:
            selection["unconfirmed_months"] = CONFIRMATION_MONTHS
        return {k: v for k, v in selection.items() if v}

    def chosen_callers(self) -> list:
        return [self.caller_users[pk] for pk in self.cleaned_data.get("callers") or []]


class CallersForm(DsfrBaseForm):
    callers = forms.MultipleChoiceField(label="Appelants", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.caller_users = {str(u.pk): u for u in callers_of(organisation)}
        self.fields["callers"].choices = [(pk, _name(u)) for pk, u in self.caller_users.items()]

    def chosen_callers(self) -> list:
        return [self.caller_users[pk] for pk in self.cleaned_data.get("callers") or []]


class ScriptForm(DsfrBaseForm):
    """The interview guide, one text per section (models.campaigns.SCRIPT_SECTIONS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, title in SCRIPT_SECTIONS:
            self.fields[name] = forms.CharField(
                label=title, required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
            )


GRID_PREFIX = "grille_"


class OutcomeForm(DsfrBaseForm):
    """What the caller noted: the outcome, the needs found, the phone fragility grid (optional, when
    the person is reached), a danger, a note; the version of the call they read."""

    outcome = forms.ChoiceField(
        label="Issue de l'appel",
        choices=CALLER_OUTCOMES,
        widget=forms.RadioSelect,
        help_text=(
            "Pas de réponse : un nouvel essai est prévu plus tard ; après le dernier, la personne est signalée "
            "injoignable au gestionnaire du registre."
        ),
    )
    needs = forms.MultipleChoiceField(
        label="Besoins repérés",
        choices=ESSENTIAL_NEEDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Si la personne est jointe et a besoin d'aide : cochez chaque besoin qu'elle exprime.",
    )
    danger = forms.BooleanField(
        label="Danger immédiat : prévenir le gestionnaire du registre tout de suite",
        required=False,
        help_text="Malaise, chute, détresse, maltraitance… En cas d'urgence vitale, appelez aussi le 15 ou le 112.",
    )
    note = forms.CharField(
        label="Remarques",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Ce qui aide à la suite : un meilleur moment pour rappeler, un proche à joindre. Aucune donnée de santé."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, spacing: bool = False, **kwargs):
        """`spacing`: the sponsor has a spacing of the calls to announce during this call."""
        super().__init__(*args, **kwargs)
        if spacing:
            self.fields["spacing_announced"] = forms.BooleanField(
                label="J'ai annoncé l'espacement des appels",
                required=False,
                help_text="Seulement si la personne est jointe. Sinon, l'annonce sera à faire lors du prochain appel.",
            )
        for question in DEFAULT_GRID.questions:
            self.fields[GRID_PREFIX + question.key] = forms.ChoiceField(
                label=question.label,
                choices=[(o.key, o.label) for o in question.options],
                required=False,
                widget=forms.RadioSelect,
            )

    @property
    def grid_fields(self):
        return [self[GRID_PREFIX + q.key] for q in DEFAULT_GRID.questions]

    @property
    def grid_errors(self) -> bool:
        return any(self.errors.get(GRID_PREFIX + q.key) for q in DEFAULT_GRID.questions)

    def clean(self):
        data = super().clean()
        answers = {q.key: data.get(GRID_PREFIX + q.key) for q in DEFAULT_GRID.questions}
        given = {k: v for k, v in answers.items() if v}
        if given and len(given) < len(answers):
            for key, value in answers.items():
                if not value:
                    self.add_error(GRID_PREFIX + key, "Répondez à cette question, ou laissez toute la grille vide.")
        data["fragility_answers"] = given if len(given) == len(answers) else {}
        if data.get("outcome") == Outcome.NEEDS_FOUND and not data.get("needs"):
            self.add_error("needs", "Cochez au moins un des besoins repérés.")
        return data


class ReentryRowForm(DsfrBaseForm):
    """One call of a paper sheet, typed in again by the register manager."""

    outcome = forms.ChoiceField(label="Issue", choices=[("", "Pas encore appelé")] + CALLER_OUTCOMES, required=False)
    needs = forms.MultipleChoiceField(
        label="Besoins repérés", choices=ESSENTIAL_NEEDS, required=False, widget=forms.CheckboxSelectMultiple
    )
    danger = forms.BooleanField(label="Danger immédiat signalé", required=False)
    note = forms.CharField(label="Remarques", required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)
