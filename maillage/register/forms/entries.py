"""Forms of the register: the manager's (list filters, registration, consent, edition, suspension,
removal, re-entry of a paper form) and the public ones (the person or a relative online, a third
party's report). Fields in the order of the paper form (`register/pdf/paper_form.html`)."""

from django import forms
from django.utils import timezone

from maillage.casework.forms import refresh_dsfr
from maillage.core.forms import DsfrBaseForm
from maillage.directory.forms import LANGUAGES
from maillage.people import normalise
from maillage.people.enums import ConsentChannel, ConsentGiver, RelationKind
from maillage.people.forms import BirthDateField
from maillage.people.models import validate_birth_date
from maillage.register.enums import EntrySource, EntryStatus, IsolationFactor, LegalCategory, Priority
from maillage.register.models import RegisterEntry
from maillage.register.services.entries import EDITABLE_FIELDS

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CALL_LANGUAGES = [("", "Français")] + [(code, name) for code, name in LANGUAGES if code != "fr"]


def commune_label(commune) -> str:
    """« Saint-Aubin (35140) »: the name and its first postal code (homonyms told apart), never the
    INSEE code (decisions.md 42)."""
    return f"{commune.name} ({commune.postal_codes[0]})" if commune.postal_codes else commune.name


def _phone(value: str, field: str) -> str:
    from django.core.exceptions import ValidationError

    if not value:
        return value
    try:
        return normalise.phone(value, field=field)
    except ValidationError as exc:
        raise forms.ValidationError(exc.message_dict[field]) from None


class EntryFilterForm(DsfrBaseForm):
    q = forms.CharField(
        label="Nom",
        required=False,
        max_length=120,
        help_text="Nom, prénom, date de naissance ou téléphone.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous")] + EntryStatus.choices)
    priority = forms.ChoiceField(label="Priorité", required=False, choices=[("", "Toutes")] + Priority.choices)
    commune = forms.ModelChoiceField(label="Commune", required=False, queryset=None, empty_label="Toutes")
    neighbourhood = forms.CharField(label="Quartier", required=False, max_length=100)
    no_address = forms.BooleanField(
        label="Sans adresse actuelle",
        required=False,
        help_text="Ces personnes ne sont ni dans la transmission au préfet ni dans les campagnes par commune.",
    )

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        self.fields["commune"].label_from_instance = commune_label
        refresh_dsfr(self)


class _EntryFieldsMixin:
    """The register's own fields, shared by every form that writes them."""

    def _setup_entry_fields(self, person=None, callers=None):
        if "isolation_factors" in self.fields:
            self.fields["isolation_factors"] = forms.MultipleChoiceField(
                label="Facteurs d'isolement",
                required=False,
                choices=IsolationFactor.choices,
                widget=forms.CheckboxSelectMultiple,
            )
        if "language" in self.fields:
            self.fields["language"] = forms.ChoiceField(
                label="Langue de l'appel", required=False, choices=CALL_LANGUAGES
            )
        if "known_by" in self.fields:
            relations = (
                person.relations.all()
                if person is not None
                else RegisterEntry.known_by.field.related_model.objects.none()
            )
            self.fields["known_by"].queryset = relations
            self.fields["known_by"].empty_label = "Personne"
        if "known_by_callers" in self.fields:
            self.fields["known_by_callers"] = forms.ModelMultipleChoiceField(
                label="Appelants qui la connaissent déjà",
                required=False,
                queryset=callers,
                widget=forms.CheckboxSelectMultiple,
                help_text="Ils seront choisis en premier pour l'appeler.",
            )
            self.fields["known_by_callers"].label_from_instance = lambda user: user.get_full_name()


# The fields the manager writes on an entry, in the services' order (the page « Modifier »).
ENTRY_CONTACT_FIELDS = list(EDITABLE_FIELDS)


class EntryEditForm(_EntryFieldsMixin, DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = RegisterEntry
        fields = [*ENTRY_CONTACT_FIELDS, "known_by_callers"]
        widgets = {"home_professionals": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, person, callers, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_entry_fields(person, callers)
        refresh_dsfr(self)


class EntryCreateForm(EntryEditForm):
    """The manager registers a person whose file is open (at the desk, by phone, by letter)."""

    consent_given = forms.BooleanField(
        label="J'ai lu le texte ci-dessus à la personne (ou à son représentant) et elle est d'accord",
        required=False,
    )
    consent_channel = forms.ChoiceField(
        label="Comment a-t-elle donné son accord ?",
        required=False,
        choices=[("", "—")] + ConsentChannel.choices,
        help_text="Pour une demande de la personne ou de son représentant légal.",
    )

    class Meta(EntryEditForm.Meta):
        fields = [
            "source",
            "requester_name",
            "requester_relationship",
            "requester_contact",
            "requested_on",
            "received_via",
            *ENTRY_CONTACT_FIELDS,
            "known_by_callers",
        ]
        widgets = {**EntryEditForm.Meta.widgets, "requested_on": _DATE}

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("source")
        if source and not EntrySource.needs_consent(source):
            if not cleaned.get("consent_given"):
                self.add_error(
                    "consent_given",
                    "Lisez le texte du consentement à la personne et cochez la case, "
                    "ou choisissez une demande faite par un tiers (l'inscription attendra son accord).",
                )
            if not cleaned.get("consent_channel"):
                self.add_error("consent_channel", "Dites comment la personne a donné son accord.")
        elif source and not cleaned.get("requester_name"):
            self.add_error("requester_name", "Indiquez qui demande l'inscription.")
        return cleaned


class ConsentRecordForm(DsfrBaseForm):
    given_on = forms.DateField(label="Accord donné le", widget=_DATE)
    channel = forms.ChoiceField(label="Comment", choices=ConsentChannel.choices, widget=forms.RadioSelect)
    given_by = forms.ChoiceField(label="Donné par", choices=ConsentGiver.choices, initial=ConsentGiver.PERSON)
    wording = forms.CharField(
        label="Texte présenté à la personne",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Le texte lu ou montré à la personne ; il est gardé avec son accord.",
    )
    subscribes_to_information = forms.BooleanField(
        label="Elle souhaite aussi recevoir les informations de la commune", required=False
    )
    duplicate_checked = forms.BooleanField(
        label="J'ai vérifié : cette fiche n'est pas en double (ou les fiches sont fusionnées)", required=False
    )

    legal_category = forms.ChoiceField(
        label="La personne est inscrite en tant que", choices=LegalCategory.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, possible_duplicate=False, needs_category=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not possible_duplicate:
            del self.fields["duplicate_checked"]
        if not needs_category:
            del self.fields["legal_category"]
        refresh_dsfr(self)

    def clean_given_on(self):
        value = self.cleaned_data["given_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("La date de l'accord ne peut pas être dans le futur.")
        return value


class SuspendForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif de la suspension",
        max_length=250,
        help_text="Par exemple : hospitalisée, absente tout l'été. Aucun appel pendant la suspension.",
    )


class RemoveForm(DsfrBaseForm):
    """Removal: at the person's request (immediate, CASF R121-7) or for another reason (moved,
    deceased), always confirmed on a page of its own."""

    at_persons_request = forms.ChoiceField(
        label="Pourquoi radier cette inscription ?",
        choices=[("yes", "À la demande de la personne"), ("no", "Pour un autre motif")],
        widget=forms.RadioSelect,
        initial="yes",
    )
    reason = forms.CharField(
        label="Motif",
        max_length=250,
        required=False,
        help_text="Obligatoire pour un autre motif : décès, déménagement…",
    )
    confirm = forms.BooleanField(
        label="Je confirme la radiation : la personne ne sera plus appelée",
        error_messages={"required": "Cochez la case pour confirmer la radiation."},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("at_persons_request") == "no" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Indiquez le motif de la radiation.")
        return cleaned


class ConfirmEntryForm(DsfrBaseForm):
    confirmed_on = forms.DateField(label="Confirmée le", widget=_DATE)

    def clean_confirmed_on(self):
        value = self.cleaned_data["confirmed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("La date de la confirmation ne peut pas être dans le futur.")
        return value


# --- The public forms and the paper form's re-entry ----------------------------------------------

WHO_CHOICES = [
    ("self", "Moi-même"),
    ("third_party", "Un proche (parent, ami, voisin)"),
    ("legal_representative", "Une personne dont je suis le représentant légal (tuteur, curateur)"),
]


class _PersonAtHomeMixin:
    """A person named on a public form: the commune they live in (among `communes`), their birth date
    and phone checked as a person's file checks them."""

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        self.fields["commune"].label_from_instance = commune_label
        refresh_dsfr(self)

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value:
            validate_birth_date(value)
        return value

    def clean_phone(self):
        return _phone(self.cleaned_data.get("phone", ""), "phone")


class PublicRequestForm(_PersonAtHomeMixin, DsfrBaseForm):
    """Register oneself or a relative (online; also the paper form's layout)."""

    who = forms.ChoiceField(
        label="Pour qui demandez-vous l'inscription ?", choices=WHO_CHOICES, widget=forms.RadioSelect
    )
    requester_name = forms.CharField(
        label="Votre nom et prénom", required=False, max_length=200, help_text="Si vous inscrivez un proche."
    )
    requester_relationship = forms.CharField(
        label="Votre lien avec la personne", required=False, max_length=100, help_text="Par exemple : fille, voisin."
    )
    requester_contact = forms.CharField(
        label="Votre téléphone ou votre adresse électronique", required=False, max_length=250
    )
    last_name = forms.CharField(label="Nom de la personne à inscrire", max_length=150)
    first_names = forms.CharField(label="Prénom", max_length=150)
    birth_date = BirthDateField(label="Date de naissance")
    address_line = forms.CharField(label="Adresse", max_length=250, help_text="Numéro et rue.")
    complement = forms.CharField(
        label="Complément d'adresse", required=False, max_length=250, help_text="Bâtiment, étage, digicode."
    )
    postal_code = forms.CharField(label="Code postal", required=False, max_length=5)
    commune = forms.ModelChoiceField(label="Commune", queryset=None, empty_label="Choisissez la commune")
    phone = forms.CharField(label="Téléphone de la personne", max_length=30, help_text="Par exemple 02 99 12 34 56.")
    email = forms.EmailField(label="Adresse électronique de la personne", required=False)
    legal_category = forms.ChoiceField(
        label="La personne est inscrite en tant que", choices=LegalCategory.choices, widget=forms.RadioSelect
    )
    isolation_factors = forms.MultipleChoiceField(
        label="Sa situation", required=False, choices=IsolationFactor.choices, widget=forms.CheckboxSelectMultiple
    )
    best_times = forms.CharField(
        label="Meilleurs moments pour l'appeler", required=False, max_length=200, help_text="Par exemple : le matin."
    )
    language = forms.ChoiceField(label="Langue de l'appel", required=False, choices=CALL_LANGUAGES)
    hearing_difficulty = forms.BooleanField(label="Elle entend mal au téléphone", required=False)
    prefers_visit = forms.BooleanField(label="Elle préfère une visite à un appel", required=False)
    home_access = forms.CharField(
        label="Accès au logement", required=False, max_length=250, help_text="Digicode, gardien, voisin qui a une clé."
    )
    home_professionals = forms.CharField(
        label="Professionnels qui viennent déjà chez elle",
        required=False,
        max_length=500,
        help_text="Les noms et les services seulement (aide à domicile, infirmier), sans rien sur sa santé.",
    )
    contact_last_name = forms.CharField(label="Personne à prévenir : nom", required=False, max_length=150)
    contact_first_name = forms.CharField(label="Personne à prévenir : prénom", required=False, max_length=150)
    contact_relationship = forms.CharField(label="Son lien avec la personne", required=False, max_length=100)
    contact_phone = forms.CharField(label="Son téléphone", required=False, max_length=30)
    subscribes_to_information = forms.BooleanField(
        label="Recevoir aussi les informations de la commune", required=False
    )
    consent = forms.BooleanField(
        label="J'ai lu le texte ci-dessus et j'accepte l'inscription",
        required=False,
        help_text="Obligatoire pour vous inscrire vous-même ou en tant que représentant légal. Pour un proche, "
        "le service lui demandera son accord.",
    )

    def clean_contact_phone(self):
        return _phone(self.cleaned_data.get("contact_phone", ""), "contact_phone")

    def clean(self):
        cleaned = super().clean()
        who = cleaned.get("who")
        if who == "self" and not cleaned.get("consent"):
            self.add_error(
                "consent", "Cochez la case pour accepter l'inscription : elle ne se fait qu'avec votre accord."
            )
        if who and who != "self":
            if not cleaned.get("requester_name", "").strip():
                self.add_error("requester_name", "Indiquez votre nom : vous faites la demande pour un proche.")
            if not cleaned.get("requester_contact", "").strip():
                self.add_error("requester_contact", "Indiquez comment vous joindre.")
        if who == "legal_representative" and not cleaned.get("consent"):
            self.add_error("consent", "Cochez la case pour accepter l'inscription au nom de la personne.")
        commune, postal_code = cleaned.get("commune"), cleaned.get("postal_code")
        if commune and postal_code and commune.postal_codes and postal_code not in commune.postal_codes:
            self.add_error(
                "postal_code",
                f"Le code postal {postal_code} ne correspond pas à {commune.name} "
                f"({', '.join(commune.postal_codes)}).",
            )
        if cleaned.get("contact_phone") and not cleaned.get("contact_last_name"):
            self.add_error("contact_last_name", "Indiquez le nom de la personne à prévenir.")
        return cleaned

    # What the services take.
    def person_data(self) -> dict:
        c = self.cleaned_data
        return {"last_name": c["last_name"], "first_names": c["first_names"], "birth_date": c["birth_date"]}

    def address(self) -> dict:
        c = self.cleaned_data
        return {
            "line": c["address_line"],
            "complement": c["complement"],
            "postal_code": c["postal_code"],
            "commune": c["commune"],
        }

    def contact(self) -> dict | None:
        c = self.cleaned_data
        if not c.get("contact_last_name"):
            return None
        return {
            "last_name": c["contact_last_name"],
            "first_name": c["contact_first_name"],
            "relationship": c["contact_relationship"],
            "phone": c["contact_phone"],
            "kind": RelationKind.OTHER,
        }

    def entry_data(self) -> dict:
        c = self.cleaned_data
        own = c["who"] == "self"
        return {
            "source": c["who"],
            "requester_name": "" if own else c["requester_name"],
            "requester_relationship": "" if own else c["requester_relationship"],
            "requester_contact": "" if own else c["requester_contact"],
            "legal_category": c["legal_category"],
            "isolation_factors": c["isolation_factors"],
            "best_times": c["best_times"],
            "language": c["language"],
            "hearing_difficulty": c["hearing_difficulty"],
            "prefers_visit": c["prefers_visit"],
            "home_access": c["home_access"],
            "home_professionals": c["home_professionals"],
            "subscribes_to_information": c["subscribes_to_information"],
        }


class PaperEntryForm(PublicRequestForm):
    """The manager types a paper form received (signed: the consent's date is the signature's)."""

    signed_on = forms.DateField(
        label="Date de la signature", widget=_DATE, required=False, help_text="Pour un formulaire signé."
    )
    requested_on = forms.DateField(label="Formulaire reçu le", widget=_DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].label = "Qui fait la demande (case cochée)"
        self.fields["consent"].label = "La case « J'accepte l'inscription » est cochée et le formulaire est signé"
        self.fields["subscribes_to_information"].label = "La case des informations de la commune est cochée"
        refresh_dsfr(self)

    def clean(self):
        cleaned = super().clean()
        for name in ("signed_on", "requested_on"):
            if cleaned.get(name) and cleaned[name] > timezone.localdate():
                self.add_error(name, "La date ne peut pas être dans le futur.")
        if cleaned.get("who") in ("self", "legal_representative") and not cleaned.get("signed_on"):
            self.add_error("signed_on", "Indiquez la date de la signature du formulaire.")
        return cleaned


REPORTER_KINDS = [
    ("neighbour", "Voisin ou voisine"),
    ("relative", "Membre de la famille ou ami"),
    ("pharmacist", "Pharmacien, commerçant"),
    ("partner", "Professionnel (aide à domicile, infirmier, bailleur, association)"),
    ("other", "Autre"),
]


class ThirdPartyReportForm(_PersonAtHomeMixin, DsfrBaseForm):
    """A neighbour, a pharmacist, a partner reports someone who worries them."""

    reporter_kind = forms.ChoiceField(label="Vous êtes", choices=REPORTER_KINDS, widget=forms.RadioSelect)
    reporter_name = forms.CharField(label="Votre nom et prénom", max_length=200)
    reporter_organisation = forms.CharField(
        label="Votre structure", required=False, max_length=200, help_text="Pour un professionnel."
    )
    reporter_contact = forms.CharField(
        label="Comment vous joindre", max_length=250, help_text="Téléphone ou adresse électronique."
    )
    last_name = forms.CharField(label="Nom de la personne", max_length=150)
    first_names = forms.CharField(label="Prénom", max_length=150)
    birth_date = BirthDateField(label="Date de naissance", required=False, help_text="Si vous la connaissez.")
    address_line = forms.CharField(label="Adresse", max_length=250)
    commune = forms.ModelChoiceField(label="Commune", queryset=None, empty_label="Choisissez la commune")
    phone = forms.CharField(label="Téléphone de la personne", required=False, max_length=30)
    concern = forms.CharField(
        label="Ce qui vous inquiète",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Ce que vous avez remarqué : elle vit seule, ne sort plus, son logement est très chaud… "
        "N'écrivez rien sur sa santé.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reporter_kind") == "partner" and not cleaned.get("reporter_organisation", "").strip():
            self.add_error("reporter_organisation", "Indiquez votre structure.")
        return cleaned
