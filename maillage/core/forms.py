import contextlib

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm as _DsfrBaseForm

from maillage.core import emails, ratelimit
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry, Commune, Organisation
from maillage.core.validators import NoControlCharactersValidator
from maillage.ui import themes
from maillage.ui.forms import DSFR_FORM_TEMPLATE, NEUTRAL_FORM_TEMPLATE, ThemedBoundField, style_neutral_fields


def add_validation_errors(form, exc) -> None:
    """Put a service's ValidationError on the form's fields (or on the whole form when no field
    matches), so that the user reads each French message beside the field it concerns."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def run_service(form, call):
    """Run a service (`call`, a function of no argument) for a bound form: what the service refuses
    (`ValidationError`, `ApplicationError`) goes on the form, beside the field it concerns. Returns what the
    service returns, or None when it refused."""
    try:
        return call()
    except ValidationError as exc:
        add_validation_errors(form, exc)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
    return None


class DsfrBaseForm(_DsfrBaseForm):
    """Every form of the project derives from it. It renders in the deployment's theme
    (maillage.ui.forms): in `dsfr`, django-dsfr's base form, marking optional fields (current DSFR
    rule) without its transitional warnings; in `neutral`, GOV.UK Frontend's field groups and an error
    summary."""

    bound_field_class = ThemedBoundField

    def __init__(self, *args, **kwargs):
        if themes.is_dsfr():
            super().__init__(*args, **kwargs)
        else:  # skip django-dsfr's classes
            super(_DsfrBaseForm, self).__init__(*args, **kwargs)
            style_neutral_fields(self)

    @property
    def template_name(self):
        return DSFR_FORM_TEMPLATE if themes.is_dsfr() else NEUTRAL_FORM_TEMPLATE

    def get_context(self):
        context = super(_DsfrBaseForm, self).get_context()
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class LoginForm(DsfrBaseForm, auth_forms.AuthenticationForm):
    """E-mail and password. The French messages never say which of the two was wrong."""

    username = forms.EmailField(
        label="Adresse électronique",
        help_text="Format attendu : nom@domaine.fr",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": (
            "Adresse électronique ou mot de passe incorrect. Après plusieurs essais infructueux, "
            "le compte est bloqué pendant 30 minutes."
        ),
        "inactive": "Ce compte est désactivé. Contactez l'administrateur de votre structure.",
    }


class OTPTokenForm(DsfrBaseForm):
    """The code from the authenticator application (6 digits) or a recovery code."""

    token = forms.CharField(
        label="Code de vérification",
        help_text="Les 6 chiffres affichés par votre application d'authentification, ou un code de secours.",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split()).replace("-", "").lower()


class OTPSetupForm(DsfrBaseForm):
    token = forms.CharField(
        label="Code affiché par l'application",
        help_text="6 chiffres, par exemple 123456.",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={
            "min_length": "Le code doit comporter 6 chiffres.",
            "max_length": "Le code doit comporter 6 chiffres.",
        },
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("Le code ne doit contenir que des chiffres.")
        return token


class TaskPasswordResetForm(DsfrBaseForm, auth_forms.PasswordResetForm):
    """Password reset whose e-mail leaves through the background task, not inside the request."""

    email = forms.EmailField(
        label="Adresse électronique", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        from django.template import loader

        subject = loader.render_to_string(subject_template_name, context)
        body = loader.render_to_string(email_template_name, context)
        # A failure is logged; the page must answer the same whether the address has an account or not.
        with contextlib.suppress(emails.EmailNotQueued):
            emails.send(subject=subject, body=body, to=[to_email])


# Wrong passwords typed in a confirmation form before it refuses every try for a quarter of an hour:
# a stolen session must not become a way to guess the password without the login's lockout.
PASSWORD_CONFIRM_FAILURE_LIMIT = 5
PASSWORD_CONFIRM_WINDOW_SECONDS = 15 * 60


class PasswordConfirmForm(DsfrBaseForm):
    """The user's own password, typed again before a sensitive account action: new recovery codes,
    a new authenticator, a colleague's second factor reset (decisions.md, item 22)."""

    password = forms.CharField(
        label="Votre mot de passe",
        help_text="Par sécurité, confirmez qu'il s'agit bien de vous.",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Mot de passe : saisissez le mot de passe de votre compte pour confirmer."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        key = f"password-confirm:{self.user.pk}"
        limit, window = PASSWORD_CONFIRM_FAILURE_LIMIT, PASSWORD_CONFIRM_WINDOW_SECONDS
        if ratelimit.is_limited(key, limit=limit, window_seconds=window):
            raise forms.ValidationError("Mot de passe : trop d'essais incorrects. Réessayez dans un quart d'heure.")
        if not self.user.check_password(password):
            ratelimit.hit(key, limit=limit, window_seconds=window)
            raise forms.ValidationError("Mot de passe incorrect : saisissez le mot de passe de votre compte.")
        return password


class OTPReplaceForm(OTPSetupForm, PasswordConfirmForm):
    """A verified user pairs a new authenticator: their password, and the code from the new one."""

    field_order = ["password", "token"]


CNIL_RULES_HELP = (
    "Au moins 12 caractères mêlant majuscules, minuscules, chiffres et caractères spéciaux (ou au moins "
    "14 caractères mêlant majuscules, minuscules et chiffres) ; ni trop courant, ni proche de votre nom "
    "ou de votre adresse électronique."
)


class _PlainPasswordHelpMixin:
    """Django gives the password rules as an HTML list, which DSFR puts inside the label: one plain
    sentence instead, read once by screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = CNIL_RULES_HELP


class SetPasswordForm(_PlainPasswordHelpMixin, DsfrBaseForm, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(_PlainPasswordHelpMixin, DsfrBaseForm, auth_forms.PasswordChangeForm):
    pass


class OrganisationSwitchForm(forms.Form):
    organisation = forms.IntegerField()


class OrganisationForm(DsfrBaseForm, forms.ModelForm):
    website = forms.URLField(
        label="Site internet",
        required=False,
        assume_scheme="https",
        help_text="Par exemple https://www.ccas-exemple.fr",
    )
    commune_code = forms.CharField(
        label="Commune du siège (code INSEE)",
        required=False,
        max_length=5,
        help_text="5 caractères, par exemple 35238 pour Rennes.",
    )
    communes_served_codes = forms.CharField(
        label="Communes desservies (codes INSEE)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Codes INSEE séparés par des virgules ou des espaces.",
    )

    class Meta:
        model = Organisation
        fields = ["name", "siret", "email", "phone", "website", "address", "postal_code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["commune_code"].initial = self.instance.commune.code if self.instance.commune else ""
            self.fields["communes_served_codes"].initial = " ".join(
                self.instance.communes_served.order_by("code").values_list("code", flat=True)
            )

    def clean_commune_code(self):
        code = self.cleaned_data["commune_code"].strip().upper()
        if not code:
            return None
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            raise forms.ValidationError(f"La commune de code INSEE « {code} » n'existe pas.")
        return commune

    def clean_communes_served_codes(self):
        raw = self.cleaned_data["communes_served_codes"].replace(",", " ").split()
        codes = sorted({code.strip().upper() for code in raw})
        communes = list(Commune.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {c.code for c in communes})
        if unknown:
            raise forms.ValidationError(f"Codes INSEE inconnus : {', '.join(unknown)}.")
        return communes


class MembershipCreateForm(DsfrBaseForm):
    email = forms.EmailField(label="Adresse électronique")
    first_name = forms.CharField(label="Prénom", max_length=150, validators=[NoControlCharactersValidator("Prénom")])
    last_name = forms.CharField(label="Nom", max_length=150, validators=[NoControlCharactersValidator("Nom")])
    role = forms.ChoiceField(label="Rôle", choices=Role.choices)


class MembershipUpdateForm(DsfrBaseForm):
    role = forms.ChoiceField(label="Rôle", choices=Role.choices)
    is_active = forms.BooleanField(label="Membre actif", required=False)


class MemberFilterForm(DsfrBaseForm):
    q = forms.CharField(label="Nom ou adresse électronique", required=False, max_length=100)
    role = forms.ChoiceField(label="Rôle", required=False, choices=[("", "Tous les rôles"), *Role.choices])


AUDIT_ACTION_CHOICES = [
    ("", "Toutes les actions"),
    (AuditLogEntry.Action.CREATE, "Création"),
    (AuditLogEntry.Action.UPDATE, "Modification"),
    (AuditLogEntry.Action.DELETE, "Suppression"),
    (AuditLogEntry.Action.ACCESS, "Consultation / connexion"),
]


class AuditFilterForm(DsfrBaseForm):
    q = forms.CharField(label="Recherche", required=False, max_length=100, help_text="Personne, objet ou page.")
    action = forms.TypedChoiceField(
        label="Action", required=False, choices=AUDIT_ACTION_CHOICES, coerce=int, empty_value=None
    )
    content_type = forms.ModelChoiceField(
        label="Type d'objet", required=False, queryset=ContentType.objects.none(), empty_label="Tous les types"
    )
    access_path = forms.ChoiceField(
        label="Accès par",
        required=False,
        choices=[
            ("", "Tous les accès"),
            ("organisation", "La structure responsable"),
            ("care_team", "L'équipe autour de la personne"),
            ("break_glass", "Un accès exceptionnel (recherches, ouvertures et consultations)"),
            ("referral", "Une orientation reçue d'une autre structure"),
        ],
    )
    subject = forms.IntegerField(
        label="Dossier n°", required=False, min_value=1, max_value=2**63 - 1, help_text="Le numéro de la fiche."
    )
    date_from = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, content_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content_type"].queryset = (
            content_types if content_types is not None else ContentType.objects.none()
        )
        self.fields["content_type"].label_from_instance = lambda ct: (
            ct.model_class()._meta.verbose_name.capitalize() if ct.model_class() else ct.model
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "La date de fin doit être postérieure ou égale à la date de début.")
        return cleaned


class ApiKeyForm(DsfrBaseForm):
    name = forms.CharField(
        label="Nom de la clé",
        max_length=100,
        help_text="Le logiciel qui l'utilisera, pour la reconnaître dans la liste (par exemple « Logiciel de suivi "
        "de l'association »).",
        error_messages={"required": "Indiquez le nom de la clé : le logiciel qui l'utilisera."},
    )
    days = forms.TypedChoiceField(
        label="Durée de validité",
        coerce=int,
        initial=90,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez la durée de validité de la clé."},
    )

    def __init__(self, *args, **kwargs):
        from maillage.core.api_keys import VALIDITY_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["days"].choices = VALIDITY_CHOICES
