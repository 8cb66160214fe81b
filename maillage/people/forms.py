from django import forms

from maillage.core.forms import DsfrBaseForm
from maillage.core.models import Commune, Organisation
from maillage.core.versioning import VersionedFormMixin, VersionField
from maillage.people import normalise
from maillage.people.dates import parse_date
from maillage.people.enums import ConsentChannel, ConsentGiver, ConsentScope, HousingSituation, RelationKind
from maillage.people.models import Person, Relation, validate_birth_date
from maillage.people.services import merge_default_choice

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TYPED_DATE = forms.DateInput(attrs={"autocomplete": "off", "spellcheck": "false"}, format="%d/%m/%Y")


class BirthDateField(forms.DateField):
    """A birth date typed as people write it: « 9/10/41 », « 09/10/1941 », « 9.10.41 » (a
    two-digit year that would be in the future is in the 1900s), or the ISO form."""

    widget = _TYPED_DATE
    default_error_messages = {
        "invalid": "« %(value)s » n'est pas une date : écrivez le jour, le mois et l'année, "
        "par exemple 09/10/1941 ou 9/10/41."
    }

    def __init__(self, **kwargs):
        if not kwargs.get("help_text"):
            kwargs["help_text"] = "Jour, mois, année : par exemple 09/10/1941 ou 9/10/41."
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "year"):
            return value
        parsed = parse_date(str(value))
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})
        return parsed


class PersonSearchForm(DsfrBaseForm):
    q = forms.CharField(
        label="Rechercher une personne",
        required=False,
        max_length=120,
        help_text="Nom (d'usage ou de naissance), prénom, date de naissance (jj/mm/aaaa), téléphone ou commune.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "autofocus": True}),
    )


class CommuneCodeField(forms.CharField):
    """A commune typed as its INSEE code (5 characters) or as its exact name."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("help_text", "Nom de la commune (par exemple Cesson-Sévigné) ou son code INSEE (35051).")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        value = value.strip()
        commune = Commune.objects.filter(code=value.upper()).first()
        if commune is None:
            matches = list(Commune.objects.filter(name__iexact=value)[:3])
            if len(matches) == 1:
                commune = matches[0]
            elif len(matches) > 1:
                codes = ", ".join(f"{c.name} ({c.code})" for c in matches)
                raise forms.ValidationError(
                    f"Plusieurs communes s'appellent « {value} » : {codes}. Indiquez le code INSEE."
                )
        if commune is None:
            raise forms.ValidationError(f"La commune « {value} » n'existe pas (code INSEE ou nom exact).")
        return commune


class PersonForm(VersionedFormMixin, DsfrBaseForm, forms.ModelForm):
    lives_alone = forms.NullBooleanField(
        label="Vit seul·e",
        required=False,
        widget=forms.Select(choices=[("unknown", "Non renseigné"), ("true", "Oui"), ("false", "Non")]),
    )

    class Meta:
        model = Person
        fields = [
            "last_name",
            "birth_name",
            "first_names",
            "sex",
            "birth_date",
            "birth_place",
            "languages",
            "lives_alone",
            "legal_protection",
            "social_security_scheme",
            "pension_funds",
            "gir",
            "gir_assessed_on",
        ]
        widgets = {"gir_assessed_on": _DATE}
        field_classes = {"birth_date": BirthDateField}

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value:
            validate_birth_date(value)
        return value


class PersonCreateForm(PersonForm):
    """Identity plus the first contact details, as a reception agent takes them."""

    address_line = forms.CharField(
        label="Adresse",
        required=False,
        max_length=250,
        help_text="Numéro et rue ; laissez vide si seule la commune est connue.",
    )
    postal_code = forms.CharField(label="Code postal", required=False, max_length=5)
    commune = CommuneCodeField(label="Commune", required=False)
    housing = forms.ChoiceField(label="Situation de logement", choices=HousingSituation.choices, initial="unknown")
    phone = forms.CharField(label="Téléphone", required=False, max_length=30, help_text="Par exemple 06 12 34 56 78.")
    email = forms.EmailField(label="Adresse électronique", required=False)
    not_a_duplicate = forms.BooleanField(
        label="J'ai vérifié : ce n'est aucune des personnes proposées ci-dessus",
        required=False,
    )

    class Meta(PersonForm.Meta):
        fields = ["last_name", "birth_name", "first_names", "sex", "birth_date", "lives_alone", "languages"]

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        if value:
            from django.core.exceptions import ValidationError

            try:
                return normalise.phone(value, field="phone")
            except ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["phone"]) from None
        return value

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("address_line") or cleaned.get("postal_code")) and not cleaned.get("commune"):
            self.add_error("commune", "Indiquez la commune de l'adresse.")
        return cleaned


class AddressForm(DsfrBaseForm):
    line = forms.CharField(
        label="Adresse", required=False, max_length=250, help_text="Laissez vide si seule la commune est connue."
    )
    complement = forms.CharField(label="Complément (bâtiment, étage, digicode)", required=False, max_length=250)
    postal_code = forms.CharField(label="Code postal", required=False, max_length=5)
    commune = CommuneCodeField(label="Commune")
    housing = forms.ChoiceField(label="Situation de logement", choices=HousingSituation.choices, initial="unknown")
    since = forms.DateField(label="Depuis", required=False, widget=_DATE)


class PhoneForm(DsfrBaseForm):
    number = forms.CharField(label="Numéro", max_length=30, help_text="Par exemple 06 12 34 56 78 ou +32 …")
    kind = forms.ChoiceField(
        label="Type",
        choices=[("", "D'après le numéro"), ("mobile", "Mobile"), ("landline", "Fixe"), ("other", "Autre")],
        required=False,
        help_text="« D'après le numéro » : un 01 à 05 ou 09 est enregistré comme fixe, un 06 ou 07 comme mobile.",
    )
    is_preferred = forms.BooleanField(label="Numéro à privilégier", required=False)
    accepts_sms = forms.BooleanField(label="Accepte les SMS", required=False)
    note = forms.CharField(label="Précisions", required=False, max_length=200)


class RelationForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Relation
        fields = [
            "kind",
            "first_name",
            "last_name",
            "relationship",
            "organisation_name",
            "phone",
            "email",
            "address",
            "is_emergency_contact",
            "lives_with_person",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3}), "kind": forms.Select(choices=RelationKind.choices)}


class ConsentForm(DsfrBaseForm):
    """A consent; the partner of a consent to share is chosen from a search list
    (`core.selectors.organisation_search`), never typed: the form posts its number."""

    PARTNER_REQUIRED = (
        "Cherchez la structure par son nom, son SIRET ou sa commune, puis choisissez-la dans la liste : "
        "un consentement au partage nomme le partenaire."
    )

    # A referral's consent is recorded with the referral itself (referrals.services), never here.
    scope = forms.ChoiceField(
        label="Objet du consentement", choices=[c for c in ConsentScope.choices if c[0] != ConsentScope.REFERRAL]
    )
    partner = forms.ModelChoiceField(
        label="Partenaire (pour un partage)",
        required=False,
        queryset=Organisation.objects.active(),
        widget=forms.HiddenInput,  # rendered by the template as the list of organisations found
        error_messages={
            "invalid_choice": "Cette structure n'existe pas ou n'est plus active : cherchez-la de nouveau et "
            "choisissez-la dans la liste."
        },
    )
    given_by = forms.ChoiceField(label="Donné par", choices=ConsentGiver.choices)
    channel = forms.ChoiceField(label="Comment", choices=ConsentChannel.choices)
    given_on = forms.DateField(label="Recueilli le", widget=_DATE)
    note = forms.CharField(label="Précisions", required=False, max_length=250)

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None:  # sharing with the person's own organisation means nothing
            self.fields["partner"].queryset = Organisation.objects.active().exclude(pk=person.organisation_id)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("scope") == ConsentScope.SHARING
            and not cleaned.get("partner")
            and "partner" not in self.errors
        ):
            self.add_error("partner", self.PARTNER_REQUIRED)
        if cleaned.get("scope") not in (None, ConsentScope.SHARING) and cleaned.get("partner"):
            self.add_error(
                "partner", "Seul un consentement au partage nomme un partenaire : ne choisissez pas de structure."
            )
        return cleaned


class ConsentWithdrawForm(DsfrBaseForm):
    reason = forms.CharField(label="Motif du retrait", required=False, max_length=250)


class MergeSearchForm(DsfrBaseForm):
    q = forms.CharField(
        label="Chercher la fiche en double",
        required=False,
        max_length=120,
        help_text="Nom (d'usage ou de naissance), prénom ou date de naissance (jj/mm/aaaa).",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class MergeForm(DsfrBaseForm):
    """The merge's confirmation: for each identity field that differs, which value stays; the two
    files' versions as compared (a file changed since is refused)."""

    kept_version = VersionField()
    duplicate_version = VersionField()
    confirm = forms.BooleanField(
        label="Je confirme la fusion : la fiche en double disparaît des listes et tout son contenu rejoint la fiche "
        "gardée",
        required=True,
        error_messages={"required": "Cochez la case de confirmation pour fusionner les deux fiches."},
    )

    def __init__(self, *args, kept, duplicate, differences, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.update({"kept_version": kept.version, "duplicate_version": duplicate.version})
        for name in differences:
            label = Person._meta.get_field(name).verbose_name
            default = merge_default_choice(kept, duplicate, name)
            self.fields[f"choice_{name}"] = forms.ChoiceField(
                label=f"{label[:1].upper()}{label[1:]} : valeur à garder",
                choices=[
                    ("kept", f"Celle de la fiche gardée (n° {kept.pk}) : {_shown(kept, name)}"),
                    ("duplicate", f"Celle de la fiche en double (n° {duplicate.pk}) : {_shown(duplicate, name)}"),
                ],
                widget=forms.RadioSelect,
                initial=default,
                error_messages={"required": f"Choisissez la valeur à garder pour le champ « {label} »."},
            )

        self.fields["confirm"] = self.fields.pop("confirm")  # after the choices

    def choices(self) -> dict[str, str]:
        return {k.removeprefix("choice_"): v for k, v in self.cleaned_data.items() if k.startswith("choice_")}


def _shown(person: Person, name: str) -> str:
    """A field's value as a reader sees it (choice label, date, oui/non); « (vide) » if empty, which
    needs no agreement with the field's gender."""
    value = getattr(person, name)
    display = getattr(person, f"get_{name}_display", None)
    if value in (None, ""):
        return "(vide)"
    if display is not None:
        return str(display())
    if isinstance(value, bool):
        return "oui" if value else "non"
    if hasattr(value, "strftime"):
        return f"{value:%d/%m/%Y}"
    return str(value)


class BreakGlassSearchForm(DsfrBaseForm):
    last_name = forms.CharField(label="Nom (d'usage ou de naissance)", max_length=150)
    birth_date = BirthDateField(label="Date de naissance")


class BreakGlassForm(DsfrBaseForm):
    person = forms.TypedChoiceField(
        label="Personne concernée",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez une personne parmi les résultats de la recherche.",
            "invalid_choice": "Choisissez une personne parmi les résultats de la recherche.",
        },
    )
    scope = forms.ChoiceField(
        label="Ce que l'urgence demande",
        choices=[
            (
                "minimal",
                "Les informations d'urgence : identité, coordonnées, représentant légal et personnes à "
                "prévenir, équipe autour de la personne, intervenants du plan en cours",
            ),
            ("full", "Le dossier complet (évaluations, plans, notes, documents)"),
        ],
        initial="minimal",
        required=False,
        widget=forms.RadioSelect,
        help_text=(
            "Le dossier complet n'est ouvert qu'à un·e coordinateur·rice, avec un motif de 60 caractères au moins."
        ),
    )
    reason = forms.CharField(
        label="Motif de l'accès exceptionnel",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Situation d'urgence qui justifie d'ouvrir ce dossier : ce motif est transmis au délégué à la "
            "protection des données."
        ),
        max_length=1000,
    )

    def __init__(self, *args, full_allowed: bool = False, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Minimal data only until an access is granted: name, birth year, organisation.
        self.fields["person"].choices = [
            (
                p.pk,
                f"{p.first_names} {p.last_name.upper()}, {p.born} en {p.birth_date:%Y} "
                f"— suivi·e par {p.organisation.name}",
            )
            for p in candidates
        ]
        if candidates:
            self.fields["person"].initial = candidates[0].pk
        if not full_allowed:
            del self.fields["scope"]

    def clean_scope(self):
        return self.cleaned_data.get("scope") or "minimal"
