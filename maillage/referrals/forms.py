from django import forms

from maillage.core.forms import DsfrBaseForm
from maillage.directory.enums import ServiceStatus
from maillage.directory.models import Service
from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from maillage.people.enums import ConsentChannel, ConsentGiver
from maillage.referrals.enums import FirstContactResult, ReferralOutcome, ReferralUrgency
from maillage.referrals.services import RECIPIENT_EMAIL_REQUIRED
from maillage.referrals.sharing import REFERRAL_TYPE_CHOICES, REFERRAL_TYPES

CONSENT_LABEL = (
    "La personne (ou son représentant légal) a accepté que ces informations, et seulement elles, soient "
    "transmises à ce partenaire"
)


class ConsentFieldsMixin(forms.Form):
    consent_given = forms.BooleanField(
        label=CONSENT_LABEL,
        required=True,
        error_messages={
            "required": "Cochez la case une fois que la personne a accepté ce partage : il est obligatoire."
        },
    )
    consent_given_by = forms.ChoiceField(label="Accord donné par", choices=ConsentGiver.choices)
    consent_channel = forms.ChoiceField(label="Comment", choices=ConsentChannel.choices)


def recipient_email_field() -> forms.EmailField:
    return forms.EmailField(
        label="Adresse électronique du partenaire",
        required=False,
        help_text=(
            "Cette structure n'a pas de compte dans Maillage : elle recevra à cette adresse un lien, puis un code "
            "pour lire l'orientation. Vérifiez l'adresse avec l'annuaire ou par téléphone."
        ),
    )


def require_recipient_email(form: forms.Form, without_account: bool) -> None:
    """The partner's address: required for an organisation without accounts, absent otherwise."""
    if without_account:
        form.fields["recipient_email"].required = True
        form.fields["recipient_email"].error_messages["required"] = RECIPIENT_EMAIL_REQUIRED
    else:
        del form.fields["recipient_email"]


class ReferralForm(ConsentFieldsMixin, DsfrBaseForm):
    referral_type = forms.ChoiceField(
        label="Type d'orientation",
        choices=REFERRAL_TYPE_CHOICES,
        widget=forms.RadioSelect,
        help_text="Le type décide des informations transmises (voir ci-dessous).",
    )
    reason = forms.CharField(
        label="Motif de l'orientation",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ce que la personne demande et pourquoi ce service. Pas d'information de santé.",
    )
    needs = forms.MultipleChoiceField(
        label="Besoins concernés", required=False, choices=ESSENTIAL_NEEDS, widget=forms.CheckboxSelectMultiple
    )
    urgency = forms.ChoiceField(label="Urgence", choices=ReferralUrgency.choices, initial=ReferralUrgency.NORMAL)
    agreed_with_person = forms.CharField(
        label="Ce qui a été convenu avec la personne",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : le partenaire l'appelle le matin ; sa fille sera présente au premier rendez-vous.",
    )
    documents = forms.ModelMultipleChoiceField(
        label="Documents à joindre",
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez un à un les documents utiles au partenaire ; aucun n'est joint sans être coché.",
    )

    field_order = [
        "referral_type", "reason", "needs", "urgency", "agreed_with_person", "documents",
        "consent_given", "consent_given_by", "consent_channel",
    ]  # fmt: skip

    recipient_email = recipient_email_field()

    def __init__(self, *args, documents=None, without_account=False, **kwargs):
        super().__init__(*args, **kwargs)
        require_recipient_email(self, without_account)
        self.fields["documents"].queryset = documents
        self.fields["documents"].label_from_instance = lambda d: f"{d.title} ({d.get_kind_display().lower()})"
        if not documents.exists():
            del self.fields["documents"]
        self.type_help = [(t.label, t.help_text) for t in REFERRAL_TYPES.values()]


class ConsentForm(ConsentFieldsMixin, DsfrBaseForm):
    """Sending a draft: the consent when the partner changed, and the partner's address when it has no
    accounts (a redirection proposed to such an organisation)."""

    recipient_email = recipient_email_field()

    def __init__(self, *args, without_account=False, **kwargs):
        super().__init__(*args, **kwargs)
        require_recipient_email(self, without_account)


class ServiceSearchForm(DsfrBaseForm):
    q = forms.CharField(label="Nom du service ou de la structure", max_length=120, required=False)


class NoteForm(DsfrBaseForm):
    note = forms.CharField(
        label="Précisions (facultatif)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeclineForm(DsfrBaseForm):
    note = forms.CharField(
        label="Motif du refus",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="La structure qui a orienté la personne le lira. Pas d'information de santé.",
        error_messages={"required": "Indiquez le motif du refus : la structure qui a orienté la personne le lira."},
    )


class RedirectForm(DsfrBaseForm):
    """The service to redirect to: validated against every published service of another organisation
    than the sender's, but offered as the few a search found (a département holds tens of thousands)."""

    redirect_to = forms.ModelChoiceField(
        label="Service vers lequel réorienter",
        queryset=Service.objects.none(),
        widget=forms.RadioSelect,
        help_text="La structure qui a orienté la personne vérifiera avec elle avant d'envoyer.",
        error_messages={"required": "Cherchez puis choisissez le service vers lequel réorienter la personne."},
    )
    note = forms.CharField(
        label="Pourquoi ce service", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    SHOWN = 20

    def __init__(self, *args, referral=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = (
            Service.objects.filter(status=ServiceStatus.PUBLISHED, organisation__is_active=True)
            .exclude(pk=referral.to_service_id)
            .exclude(organisation_id=referral.from_organisation_id)
            .select_related("organisation")
            .order_by("name", "pk")
        )
        self.fields["redirect_to"].queryset = self.candidates
        self.fields["redirect_to"].label_from_instance = lambda s: f"{s.name} — {s.organisation.name}"

    def offer(self, query: str) -> None:
        """Before rendering: offer only the services matching `query` (and the one already chosen)."""
        from django.db.models import Q

        query = (query or "").strip()
        chosen = self.data.get("redirect_to") if self.is_bound else None
        condition = (
            Q(pk__in=[])
            if not query
            else (
                Q(name__icontains=query) | Q(alternate_name__icontains=query) | Q(organisation__name__icontains=query)
            )
        )
        ids = list(self.candidates.filter(condition).values_list("pk", flat=True)[: self.SHOWN])
        if chosen and str(chosen).isdigit():
            ids.append(int(chosen))
        self.fields["redirect_to"].queryset = self.candidates.filter(pk__in=ids)


class CloseForm(DsfrBaseForm):
    outcome = forms.ChoiceField(
        label="Issue",
        choices=ReferralOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez l'issue de l'orientation pour la clôturer."},
    )
    note = forms.CharField(
        label="Précisions (facultatif)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FirstContactPlanForm(DsfrBaseForm):
    """The help given to make the first contact (referrals.first_contact.first_contact_plan)."""

    appointment_booked = forms.BooleanField(label="Un rendez-vous a été pris pour la personne", required=False)
    appointment_at = forms.DateTimeField(
        label="Date et heure du rendez-vous",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Saisissez une date et une heure valides, par exemple 14/01/2027 10:30."},
    )
    appointment_place = forms.CharField(
        label="Où ou comment (facultatif)",
        required=False,
        max_length=200,
        help_text="Par exemple : dans les locaux du partenaire, par téléphone, à domicile.",
    )
    accompanied_by = forms.CharField(
        label="Qui accompagne la personne (facultatif)",
        required=False,
        max_length=200,
        help_text="Par exemple : une agente de notre structure, sa fille. Laissez vide si personne.",
    )


class FirstContactResultForm(DsfrBaseForm):
    """Whether the first contact took place (referrals.first_contact.first_contact_result)."""

    result = forms.ChoiceField(
        label="Le premier contact a-t-il eu lieu ?",
        choices=FirstContactResult.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez si le premier contact a eu lieu."},
    )
    reason = forms.CharField(
        label="S'il n'a pas eu lieu, pourquoi",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LinkCodeForm(DsfrBaseForm):
    code = forms.CharField(
        label="Code reçu par courriel (6 chiffres)",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Saisissez le code à 6 chiffres reçu par courriel."},
    )


def _years():
    from django.utils import timezone

    current = timezone.localdate().year
    return [("", "Cette année"), *((year, str(year)) for year in range(current, current - 10, -1))]


class FiguresPeriodForm(DsfrBaseForm):
    """The period of the referrals' figures: a calendar year (this one by default), or two dates."""

    year = forms.TypedChoiceField(
        label="Année",
        choices=_years,
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Année : choisissez une année de la liste."},
    )
    date_from = forms.DateField(
        label="Du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Date de début : saisissez une date valide, par exemple 01/03/2026."},
    )
    date_to = forms.DateField(
        label="Au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Pour une autre période que l'année civile ; laissez vide pour l'année choisie.",
        error_messages={"invalid": "Date de fin : saisissez une date valide, par exemple 31/05/2026."},
    )

    def clean(self):
        from django.utils import timezone

        from maillage.referrals.figures import MAX_PERIOD_DAYS, Period

        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if self.errors:
            return cleaned
        if start or end:
            # One date alone: the other is the start of that date's year, or today.
            end = end or max(start, timezone.localdate())
            start = start or end.replace(month=1, day=1)
            if start > end:
                self.add_error("date_to", "Date de fin : elle doit être le jour de la date de début ou après.")
                return cleaned
            if (end - start).days > MAX_PERIOD_DAYS:
                field_name = "date_to" if cleaned.get("date_to") else "date_from"
                label = "Date de fin" if field_name == "date_to" else "Date de début"
                self.add_error(field_name, f"{label} : la période ne peut pas dépasser cinq ans.")
                return cleaned
            cleaned["period"] = Period(start, end)
        elif cleaned.get("year"):
            cleaned["period"] = Period.year(cleaned["year"])
        else:
            cleaned["period"] = Period.current_year()
        return cleaned
