from django import forms

from maillage.core.forms import DsfrBaseForm
from maillage.core.models import Commune
from maillage.core.territories import find_commune
from maillage.core.versioning import VersionedFormMixin
from maillage.core.widgets import Select
from maillage.directory import selectors
from maillage.directory.enums import AccessibilityFeature, FeeKind, OfferKind, Proximity, ServiceStatus
from maillage.directory.models import Service, Taxonomy
from maillage.directory.services import SERVICE_FIELDS


def _commune_from_code(code: str) -> Commune | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    commune = Commune.objects.filter(code=code).first()
    if commune is None:
        raise forms.ValidationError(f"La commune de code INSEE « {code} » n'existe pas.")
    return commune


class TermsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, slug, **kwargs):
        super().__init__(queryset=selectors.terms_of(slug), required=False, **kwargs)


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
    phone = forms.CharField(label="Téléphone", required=False, max_length=20, help_text="Par exemple 03 80 00 00 00")
    address = forms.CharField(label="Adresse du lieu d'accueil", required=False, max_length=250)
    postal_code = forms.RegexField(
        label="Code postal",
        required=False,
        regex=r"^\d{5}$",
        error_messages={"invalid": "Le code postal compte 5 chiffres."},
    )
    commune_code = forms.CharField(
        label="Commune du lieu d'accueil (code INSEE)",
        required=False,
        max_length=5,
        help_text="5 caractères, par exemple 21231 pour Dijon.",
    )
    communes_served_codes = forms.CharField(
        label="Communes desservies (codes INSEE)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Codes INSEE séparés par des virgules ou des espaces.",
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
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates = []
        service = self.instance
        if service.pk:
            self.fields["url"].initial = service.url
            terms = list(service.terms.select_related("taxonomy"))
            for name, slug in (
                ("needs", Taxonomy.NEEDS),
                ("domains", Taxonomy.DOMAINS),
                ("publics", Taxonomy.PUBLICS),
            ):
                self.fields[name].initial = [t.pk for t in terms if t.taxonomy.slug == slug]
            self.fields["accessibility"].initial = list(service.accessibility.values_list("feature", flat=True))
            phone = service.phones.first()
            self.fields["phone"].initial = phone.number if phone else ""
            link = service.service_at_locations.select_related("location__commune").first()
            if link is not None:
                self.fields["address"].initial = link.location.address
                self.fields["postal_code"].initial = link.location.postal_code
                self.fields["commune_code"].initial = link.location.commune.code
            self.fields["communes_served_codes"].initial = " ".join(
                service.communes_served.order_by("code").values_list("code", flat=True)
            )

    def clean_commune_code(self):
        return _commune_from_code(self.cleaned_data["commune_code"])

    def clean_communes_served_codes(self):
        raw = self.cleaned_data["communes_served_codes"].replace(",", " ").split()
        codes = sorted({code.strip().upper() for code in raw})
        communes = list(Commune.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {c.code for c in communes})
        if unknown:
            raise forms.ValidationError(f"Codes INSEE inconnus : {', '.join(unknown)}.")
        return communes

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("address") and not cleaned.get("commune_code"):
            self.add_error("commune_code", "Indiquez la commune du lieu d'accueil.")
        if not cleaned.get("address") and cleaned.get("commune_code"):
            self.add_error("address", "Indiquez l'adresse du lieu d'accueil.")
        commune = cleaned.get("commune_code") or next(iter(cleaned.get("communes_served_codes") or []), None)
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
                "commune": self.cleaned_data["commune_code"],
            }
        elif self.instance.pk:
            location = {}
        return {
            "data": data,
            "terms": [*self.cleaned_data["needs"], *self.cleaned_data["domains"], *self.cleaned_data["publics"]],
            "accessibility": self.cleaned_data["accessibility"],
            "communes_served": self.cleaned_data["communes_served_codes"],
            "phone": self.cleaned_data["phone"],
            "location": location,
        }


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
