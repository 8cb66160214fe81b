import re
from datetime import time

from django import forms
from django.core.exceptions import ValidationError

from maillage.core.forms import DsfrBaseForm
from maillage.core.models import Commune
from maillage.core.territories import find_commune, name_pattern
from maillage.core.versioning import VersionedFormMixin
from maillage.core.widgets import Select
from maillage.directory import selectors
from maillage.directory.enums import AccessibilityFeature, FeeKind, OfferKind, Proximity, ServiceStatus, Weekday
from maillage.directory.languages import LANGUAGE_NAMES, LANGUAGES
from maillage.directory.models import Service, Taxonomy
from maillage.directory.services import SERVICE_FIELDS


class TermsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, slug, **kwargs):
        super().__init__(queryset=selectors.terms_of(slug), required=False, **kwargs)


COMMUNE_LABEL = re.compile(r"^(?P<name>.*\S)\s*\((?P<postal_code>\d{5})\)$")
MAX_COMMUNES_SERVED = 500


def commune_label(commune: Commune) -> str:
    """How the form writes a commune, and what its search list proposes: « Saint-Aubin (35140) ». The
    postal code tells homonyms apart; no INSEE code is shown or asked."""
    postal_codes = commune.postal_codes or []
    return f"{commune.name} ({postal_codes[0]})" if postal_codes else commune.name


def commune_from_label(text: str) -> Commune | None:
    """The commune a person typed or picked from the search list: « Saint-Aubin (35140) » (a label),
    or what the directory's search reads (a name, « st malo », a postal code). None when empty;
    ValidationError in French when nothing or several communes match (core.territories.find_commune)."""
    text = " ".join((text or "").split())
    if not text:
        return None
    if match := COMMUNE_LABEL.match(text):
        postal_code = match["postal_code"]
        named = Commune.objects.filter(name__iregex=name_pattern(match["name"]), postal_codes__icontains=postal_code)
        found = [c for c in named if postal_code in (c.postal_codes or [])]
        if len(found) == 1:
            return found[0]
        return _find_commune(match["name"])  # the name alone: a wrong postal code picks nothing by itself
    return _find_commune(text)


def _find_commune(text: str) -> Commune | None:
    """find_commune, and « St »/« Ste » written out when the short form names nothing (« st malo »)."""
    try:
        return find_commune(text)
    except ValidationError:
        longer = selectors.SAINT.sub(lambda m: "saint" if m[1].lower() == "st" else "sainte", text)
        if longer == text:
            raise
        return find_commune(longer)


class CommuneField(forms.CharField):
    """A commune by its name (a text field that the search list of `directory/service_form.mjs` completes)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 120)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "data-commune-search": ""})

    def clean(self, value):
        text = super().clean(value)
        try:
            return commune_from_label(text)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class CommunesField(forms.CharField):
    """Several communes by their names, one per line (the search list adds them one by one)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"data-commune-search": "multiple"})

    def clean(self, value):
        text = super().clean(value)
        lines = [" ".join(line.split()) for line in re.split(r"[\n;]+", text or "")]
        lines = [line for line in lines if line]
        if len(lines) > MAX_COMMUNES_SERVED:
            raise forms.ValidationError(f"{MAX_COMMUNES_SERVED} communes au plus.")
        communes, problems = [], []
        for line in lines:
            try:
                commune = commune_from_label(line)
            except ValidationError as exc:
                problems.append(" ".join(exc.messages))
                continue
            if commune not in communes:
                communes.append(commune)
        if problems:
            raise forms.ValidationError(problems)
        return communes


WEEKDAY_SHORT = {day.value: day.label for day in Weekday}
SPANS = (1, 2)


def _hours_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Heure attendue au format 09:30."},
    )


def hours_field_name(weekday: int, span: int, end: str) -> str:
    return f"hours_{weekday}_{span}_{end}"


class ServiceForm(VersionedFormMixin, DsfrBaseForm, forms.ModelForm):
    url = forms.URLField(
        label="Site internet", required=False, assume_scheme="https", help_text="Par exemple https://www.exemple.fr"
    )
    needs = TermsField(Taxonomy.NEEDS, label="Besoins essentiels auxquels le service répond")
    domains = TermsField(Taxonomy.DOMAINS, label="Domaines d'information")
    publics = TermsField(Taxonomy.PUBLICS, label="Publics")
    accessibility = forms.MultipleChoiceField(
        label="Accessibilité",
        required=False,
        choices=AccessibilityFeature.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label="Langues parlées à l'accueil",
        required=False,
        choices=LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(label="Téléphone", required=False, max_length=20, help_text="Par exemple 02 99 00 00 00")
    address = forms.CharField(label="Adresse du lieu d'accueil", required=False, max_length=250)
    postal_code = forms.RegexField(
        label="Code postal",
        required=False,
        regex=r"^\d{5}$",
        error_messages={"invalid": "Le code postal compte 5 chiffres."},
    )
    commune = CommuneField(
        label="Commune du lieu d'accueil",
        required=False,
        help_text="Tapez le début de son nom, puis choisissez-la dans la liste : par exemple Rennes ou Saint-Malo.",
    )
    communes_served = CommunesField(
        label="Communes desservies",
        required=False,
        help_text="Une commune par ligne, par son nom ; la liste de recherche ajoute celle que vous choisissez.",
    )
    confirm_not_duplicate = forms.BooleanField(
        label="Je confirme qu'il ne s'agit pas d'un service déjà présent dans l'annuaire", required=False
    )

    class Meta:
        model = Service
        fields = [f for f in SERVICE_FIELDS if f != "url"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "eligibility_description": forms.Textarea(attrs={"rows": 2}),
            "fee_description": forms.Textarea(attrs={"rows": 2}),
            "application_process": forms.Textarea(attrs={"rows": 2}),
            "hours_notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"hours_notes": "Par exemple : fermé en août ; le premier samedi du mois de 9 h à 12 h."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates = []
        service = self.instance
        if service.pk:
            self._initial_from(service)

    def _initial_from(self, service: Service) -> None:
        self.fields["url"].initial = service.url
        terms = list(service.terms.select_related("taxonomy"))
        for name, slug in (
            ("needs", Taxonomy.NEEDS),
            ("domains", Taxonomy.DOMAINS),
            ("publics", Taxonomy.PUBLICS),
        ):
            self.fields[name].initial = [t.pk for t in terms if t.taxonomy.slug == slug]
        self.fields["accessibility"].initial = list(service.accessibility.values_list("feature", flat=True))
        spoken = list(service.languages.values_list("code", "name"))
        # A language an import brought that the list lacks stays ticked (and is kept on saving).
        extra = [(code, name) for code, name in spoken if code not in LANGUAGE_NAMES]
        self.fields["languages"].choices = [*LANGUAGES, *extra]
        self.fields["languages"].initial = [code for code, _ in spoken]
        phone = service.phones.first()
        self.fields["phone"].initial = phone.number if phone else ""
        link = service.service_at_locations.select_related("location__commune").first()
        if link is not None:
            self.fields["address"].initial = link.location.address
            self.fields["postal_code"].initial = link.location.postal_code
            self.fields["commune"].initial = commune_label(link.location.commune)
        self.fields["communes_served"].initial = "\n".join(
            commune_label(c) for c in service.communes_served.order_by("name")
        )
        taken: dict[int, int] = {}
        for schedule in service.regular_schedules.order_by("weekday", "opens_at"):
            span = taken.get(schedule.weekday, 0) + 1
            if span > len(SPANS):
                continue
            taken[schedule.weekday] = span
            self.fields[hours_field_name(schedule.weekday, span, "opens")].initial = schedule.opens_at
            self.fields[hours_field_name(schedule.weekday, span, "closes")].initial = schedule.closes_at

    # --- How the template lays the form out ---------------------------------------------------------

    SECTIONS = [
        ("Le service", ["name", "alternate_name", "description", "status", "offer_kind"]),
        ("Pour le joindre", ["phone", "email", "url"]),
        ("Lieu d'accueil", ["address", "postal_code", "commune"]),
        ("Horaires d'ouverture", ["hours", "hours_notes"]),
        (
            "Comment en bénéficier",
            ["walk_in", "by_appointment", "on_referral_only", "by_phone", "application_process"],
        ),
        ("Pour qui", ["publics", "age_min", "age_max", "eligibility_description", "needs", "domains"]),
        ("Tarif, accessibilité et langues", ["fee_kind", "fee_description", "accessibility", "languages"]),
        ("Zone desservie", ["communes_served"]),
    ]

    def sections(self) -> list[dict]:
        """The form's parts, in order: a heading and its fields (« hours »: the table of opening hours)."""
        placed = {name for _, names in self.SECTIONS for name in names}
        parts = [
            {"title": title, "fields": [n if n == "hours" else self[n] for n in names]}
            for title, names in self.SECTIONS
        ]
        rest = [
            self[name]
            for name in self.fields
            if name not in placed and not name.startswith("hours_") and not self[name].is_hidden
        ]
        parts.append({"title": "", "fields": rest})
        return parts

    def hours_rows(self) -> list[dict]:
        """The week, a row per day: its label and its two spans, each end as {field, widget} (the widget
        described by its error message when it has one)."""

        def cell(name):
            bound = self[name]
            attrs = {"aria-describedby": f"{bound.auto_id}_error"} if bound.errors else None
            return {"field": bound, "widget": bound.as_widget(attrs=attrs)}

        return [
            {
                "day": day,
                "spans": [
                    {
                        "number": span,
                        "opens": cell(hours_field_name(weekday, span, "opens")),
                        "closes": cell(hours_field_name(weekday, span, "closes")),
                    }
                    for span in SPANS
                ],
            }
            for weekday, day in WEEKDAY_SHORT.items()
        ]

    # --- Checks -------------------------------------------------------------------------------------

    def _clean_hours(self, cleaned: dict) -> list[tuple[int, time, time]]:
        """The week's spans, each checked: both ends given, closing after opening, the second span after
        the first. Errors go to the field to correct."""
        spans = []
        for weekday in WEEKDAY_SHORT:
            previous_close = None
            for span in SPANS:
                opens_name = hours_field_name(weekday, span, "opens")
                closes_name = hours_field_name(weekday, span, "closes")
                if opens_name in self.errors or closes_name in self.errors:
                    continue
                opens, closes = cleaned.get(opens_name), cleaned.get(closes_name)
                if opens is None and closes is None:
                    continue
                if closes is None:
                    self.add_error(closes_name, "Indiquez aussi l'heure de fermeture.")
                elif opens is None:
                    self.add_error(opens_name, "Indiquez aussi l'heure d'ouverture.")
                elif closes <= opens:
                    self.add_error(closes_name, "L'heure de fermeture doit suivre l'heure d'ouverture.")
                elif previous_close is not None and opens < previous_close:
                    self.add_error(
                        opens_name,
                        f"La 2e plage doit commencer après la fin de la 1re ({previous_close:%H:%M}).",
                    )
                else:
                    spans.append((weekday, opens, closes))
                    previous_close = closes
        return spans

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("address") and not cleaned.get("commune") and "commune" not in self.errors:
            self.add_error("commune", "Indiquez la commune du lieu d'accueil.")
        if not cleaned.get("address") and cleaned.get("commune"):
            self.add_error("address", "Indiquez l'adresse du lieu d'accueil.")
        cleaned["schedules"] = self._clean_hours(cleaned)
        commune = cleaned.get("commune") or next(iter(cleaned.get("communes_served") or []), None)
        self.duplicates = selectors.service_possible_duplicates(
            name=cleaned.get("name", ""), commune=commune, exclude_pk=self.instance.pk
        )
        if self.duplicates and not cleaned.get("confirm_not_duplicate"):
            self.add_error(
                "confirm_not_duplicate",
                "Un service au nom proche existe déjà dans cette commune : vérifiez-le, puis cochez cette case "
                "s'il s'agit bien d'un autre service.",
            )
        return cleaned

    def service_kwargs(self) -> dict:
        """What the services take, from the cleaned form."""
        data = {f: self.cleaned_data[f] for f in self.Meta.fields}
        data["url"] = self.cleaned_data["url"]
        location = None
        if self.cleaned_data["address"]:
            location = {
                "address": self.cleaned_data["address"],
                "postal_code": self.cleaned_data["postal_code"],
                "commune": self.cleaned_data["commune"],
            }
        elif self.instance.pk:
            location = {}
        names = dict(self.fields["languages"].choices)
        return {
            "data": data,
            "terms": [*self.cleaned_data["needs"], *self.cleaned_data["domains"], *self.cleaned_data["publics"]],
            "accessibility": self.cleaned_data["accessibility"],
            "communes_served": self.cleaned_data["communes_served"],
            "phone": self.cleaned_data["phone"],
            "location": location,
            "schedules": self.cleaned_data["schedules"],
            "languages": [(code, str(names[code])) for code in self.cleaned_data["languages"]],
        }


# The week's table: declared fields (themed by the base form like the others), a pair per span and day.
for _weekday, _day in WEEKDAY_SHORT.items():
    for _span in SPANS:
        _which = "1re plage" if _span == 1 else "2e plage"
        ServiceForm.base_fields[hours_field_name(_weekday, _span, "opens")] = _hours_field(
            f"{_day}, {_which} : ouverture"
        )
        ServiceForm.base_fields[hours_field_name(_weekday, _span, "closes")] = _hours_field(
            f"{_day}, {_which} : fermeture"
        )


class ServiceListFilterForm(DsfrBaseForm):
    status = forms.ChoiceField(label="État", required=False, choices=[("", "Tous les états"), *ServiceStatus.choices])
    stale = forms.BooleanField(label="Seulement les services à vérifier", required=False)


class SearchForm(DsfrBaseForm):
    q = forms.CharField(
        label="Rechercher", required=False, max_length=200, help_text="Par exemple : portage de repas, EHPAD, aidants."
    )
    need = forms.ChoiceField(label="Besoin essentiel", required=False, widget=Select)
    domain = forms.ChoiceField(label="Domaine", required=False, widget=Select)
    public = forms.ChoiceField(label="Public", required=False, widget=Select)
    commune = forms.CharField(
        label="Commune",
        required=False,
        max_length=100,
        help_text="Son nom, son code postal ou son code INSEE : par exemple Rennes, 35000 ou 35238.",
    )
    proximity = forms.ChoiceField(label="Jusqu'à", required=False, choices=Proximity.choices, widget=Select)
    accessibility = forms.ChoiceField(
        label="Accessibilité",
        required=False,
        choices=[("", "Indifférent"), *AccessibilityFeature.choices],
        widget=Select,
    )
    fee = forms.ChoiceField(
        label="Tarif", required=False, choices=[("", "Indifférent"), *FeeKind.choices], widget=Select
    )
    offer_kind = forms.ChoiceField(
        label="Type d'offre", required=False, choices=[("", "Tous les types"), *OfferKind.choices], widget=Select
    )
    age = forms.IntegerField(label="Âge de la personne", required=False, min_value=0, max_value=130)
    open_now = forms.BooleanField(label="Ouvert maintenant", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        terms = {slug: [] for slug in (Taxonomy.NEEDS, Taxonomy.DOMAINS, Taxonomy.PUBLICS)}
        for slug, code, name in selectors.terms_of_many(list(terms)).values_list("taxonomy__slug", "code", "name"):
            terms[slug].append((code, name))  # the three vocabularies in one query
        self.fields["need"].choices = [("", "Tous les besoins"), *terms[Taxonomy.NEEDS]]
        self.fields["domain"].choices = [("", "Tous les domaines"), *terms[Taxonomy.DOMAINS]]
        self.fields["public"].choices = [("", "Tous les publics"), *terms[Taxonomy.PUBLICS]]

    def clean_commune(self):
        return find_commune(self.cleaned_data["commune"])

    def filters(self) -> dict:
        """The valid fields only: a wrong field is reported and left out, the search still runs."""
        self.is_valid()
        return dict(self.cleaned_data)


SELECTION_QUERY_MAX = 4000


class SelectionEmailForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Adresse électronique du destinataire",
        help_text="Format attendu : nom@domaine.fr",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = forms.CharField(
        label="Message",
        required=False,
        max_length=1000,
        help_text="Quelques mots pour accompagner la sélection (1 000 caractères au plus).",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    selection = forms.CharField(required=False, max_length=SELECTION_QUERY_MAX, widget=forms.HiddenInput)


class PublicSelectionEmailForm(SelectionEmailForm):
    """The public directory's form: the selection goes with the site's fixed text only (a message
    field would let anyone mail any text to anyone)."""

    message = None
