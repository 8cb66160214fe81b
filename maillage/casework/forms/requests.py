"""Forms of the reception screen (one request, logged in under a minute) and of the request list."""

from django import forms
from django.utils import timezone
from dsfr.widgets import InlineCheckboxSelectMultiple, InlineRadioSelect

from maillage.casework.models.requests import (
    MAX_TIME_SPENT_MINUTES,
    ContactKind,
    RequestChannel,
    RequesterKind,
    RequestOutcome,
    ResponseLevel,
)
from maillage.casework.services.requests import subject_terms
from maillage.core import access
from maillage.core.forms import DsfrBaseForm
from maillage.core.ids import parse_id

ANONYMOUS = "anonymous"


class SubjectsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class SubjectField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class RequestForm(DsfrBaseForm):
    """The request as the reception agent logs it. The person is picked in the search results
    (radio buttons `person`: a person's id, or « anonymous »); the services handed over are ticked
    in the directory results (check boxes `services_given`)."""

    person = forms.CharField(
        label="Personne concernée",
        error_messages={
            "required": "Aucune personne n'est choisie : choisissez la personne dans les résultats de la "
            "recherche, créez sa fiche, ou cochez « Demande anonyme (sans fiche) »."
        },
    )
    requester_kind = forms.ChoiceField(
        label="Qui fait la demande ?",
        choices=[c for c in RequesterKind.choices if c[0] != RequesterKind.ANONYMOUS],
        initial=RequesterKind.PERSON,
        widget=InlineRadioSelect,
    )
    requester_name = forms.CharField(
        label="Nom du demandeur", required=False, max_length=200, help_text="Pour un proche ou un·e professionnel·le."
    )
    requester_organisation = forms.CharField(
        label="Structure du demandeur", required=False, max_length=200, help_text="Pour un·e professionnel·le."
    )
    channel = forms.ChoiceField(
        label="Canal", choices=RequestChannel.choices, initial=RequestChannel.PHONE, widget=InlineRadioSelect
    )
    subjects = SubjectsField(
        label="Objet de la demande",
        queryset=subject_terms(),
        required=False,
        widget=InlineCheckboxSelectMultiple,
        error_messages={"invalid_choice": "« %(value)s » n'est pas un objet de demande possible."},
    )
    level = forms.TypedChoiceField(
        label="Niveau de réponse",
        choices=ResponseLevel.choices,
        coerce=int,
        initial=ResponseLevel.INFORMATION,
        widget=InlineRadioSelect,
    )
    outcome = forms.ChoiceField(label="Suite donnée", choices=RequestOutcome.choices, initial=RequestOutcome.ANSWERED)
    time_spent_minutes = forms.IntegerField(
        label="Temps passé (minutes)",
        initial=5,
        min_value=0,
        max_value=MAX_TIME_SPENT_MINUTES,
        error_messages={
            "required": "Indiquez le temps passé, en minutes (0 si négligeable).",
            "invalid": "Le temps passé s'écrit en minutes, par exemple 10.",
            "min_value": "Le temps passé ne peut pas être négatif.",
            "max_value": f"Le temps passé ne peut pas dépasser {MAX_TIME_SPENT_MINUTES} minutes (10 heures).",
        },
    )
    documents_given = forms.CharField(
        label="Documents remis",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Par exemple : dossier de demande d'APA, plaquette du portage de repas.",
    )
    notes = forms.CharField(label="Remarques", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    received_at = forms.DateTimeField(
        label="Reçue le",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        help_text="Laissez vide pour maintenant.",
        error_messages={"invalid": "Date invalide : écrivez-la au format jj/mm/aaaa hh:mm."},
    )
    services_given = forms.ModelMultipleChoiceField(
        label="Services de l'annuaire remis",
        queryset=None,
        required=False,
        error_messages={"invalid_choice": "Un des services choisis n'est pas disponible dans l'annuaire."},
    )
    follow_up_owner = OwnerField(
        label="Suite confiée à",
        queryset=None,
        required=False,
        empty_label=None,
        help_text="Pour un rappel ou toute autre suite : la personne qui s'en charge.",
        error_messages={"invalid_choice": "Cette personne ne peut pas donner suite aux demandes de la structure."},
    )
    follow_up_due = forms.DateField(
        label="Suite à donner pour le",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="Laissez vide : demain pour un rappel, dans une semaine pour une autre suite.",
        error_messages={"invalid": "Date invalide : écrivez-la au format jj/mm/aaaa."},
    )
    oriented_to = forms.ModelChoiceField(
        label="Service partenaire",
        queryset=None,
        required=False,
        error_messages={"invalid_choice": "Ce service n'est pas disponible dans l'annuaire."},
    )

    # Fields shown in the « suite » group, and those the template draws by hand (search results).
    NEXT_STEP_FIELDS = ("follow_up_owner", "follow_up_due")

    def __init__(self, *args, user, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.organisation = organisation
        self.fields["services_given"].queryset = access.services_visible_to(user)
        self.fields["oriented_to"].queryset = access.services_visible_to(user)
        self.fields["follow_up_owner"].queryset = access.follow_up_owners_for(user, organisation)
        self.fields["follow_up_owner"].initial = user.pk

    def clean_person(self):
        value = (self.cleaned_data["person"] or "").strip()
        if value == ANONYMOUS:
            return None
        person = None
        if parse_id(value):
            person = access.persons_visible_to(self.user, self.organisation).filter(pk=int(value)).first()
        if person is None:
            raise forms.ValidationError("Cette personne est introuvable : relancez la recherche.")
        return person

    def clean(self):
        cleaned = super().clean()
        if self.errors.get("person"):
            return cleaned
        # « Demande anonyme » ticked: the person calls without a record being opened.
        if cleaned.get("person") is None and cleaned.get("requester_kind") == RequesterKind.PERSON:
            cleaned["requester_kind"] = RequesterKind.ANONYMOUS
        if cleaned.get("outcome") == RequestOutcome.ORIENTED and not cleaned.get("oriented_to"):
            self.add_error("oriented_to", "Choisissez dans l'annuaire le service vers lequel la demande est orientée.")
        return cleaned

    SIMPLE_FIELDS = (
        "requester_kind",
        "requester_name",
        "requester_organisation",
        "channel",
        "level",
        "outcome",
        "time_spent_minutes",
        "documents_given",
        "notes",
        "follow_up_owner",
        "follow_up_due",
        "oriented_to",
    )

    def request_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {name: data[name] for name in self.SIMPLE_FIELDS}
        kwargs["received_at"] = data.get("received_at") or timezone.now()
        return {
            "person": data["person"],
            "anonymous": data["person"] is None,  # the « Demande anonyme » radio, explicitly
            "subjects": data["subjects"],
            "services_given": data["services_given"],
            **kwargs,
        }


class RequestEditForm(RequestForm):
    """A request changed after the call: everything but the person and when it was received."""

    def __init__(self, *args, instance, **kwargs):
        self.instance = instance
        initial = {
            name: getattr(instance, name)
            for name in RequestForm.SIMPLE_FIELDS
            if name not in ("follow_up_owner", "oriented_to")
        }
        initial.update(
            follow_up_owner=instance.follow_up_owner_id or kwargs["user"].pk,
            oriented_to=instance.oriented_to_id,
            subjects=list(instance.subjects.all()),
            services_given=list(instance.services_given.all()),
        )
        if instance.requester_kind == RequesterKind.ANONYMOUS:
            initial["requester_kind"] = RequesterKind.PERSON
        super().__init__(*args, initial=initial, **kwargs)
        del self.fields["person"]
        del self.fields["received_at"]

    def clean(self):
        cleaned = super(RequestForm, self).clean()
        if self.instance.person_id is None and cleaned.get("requester_kind") == RequesterKind.PERSON:
            cleaned["requester_kind"] = RequesterKind.ANONYMOUS
        if cleaned.get("outcome") == RequestOutcome.ORIENTED and not cleaned.get("oriented_to"):
            self.add_error("oriented_to", "Choisissez dans l'annuaire le service vers lequel la demande est orientée.")
        return cleaned

    def update_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in self.SIMPLE_FIELDS},
            "subjects": data["subjects"],
            "services_given": data["services_given"],
        }


class RequestCloseForm(DsfrBaseForm):
    note = forms.CharField(
        label="Issue de la demande",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Par exemple : rappelée le 12, rendez-vous pris avec l'assistante sociale.",
        error_messages={"required": "Indiquez l'issue de la demande pour la clore."},
    )


class RequestFilterForm(DsfrBaseForm):
    date_from = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(
        label="Canal", required=False, choices=[("", "Tous les canaux"), *RequestChannel.choices]
    )
    level = forms.TypedChoiceField(
        label="Niveau", required=False, coerce=int, empty_value=None, choices=[("", "Tous"), *ResponseLevel.choices]
    )
    subject = SubjectField(label="Objet", required=False, queryset=subject_terms(), empty_label="Tous les objets")
    anonymous = forms.ChoiceField(
        label="Personne",
        required=False,
        choices=[("", "Toutes les demandes"), ("yes", "Sans fiche (anonymes)"), ("no", "Avec une fiche")],
    )
    follow_up = forms.ChoiceField(
        label="Suites et rappels",
        required=False,
        choices=[
            ("", "Toutes les demandes"),
            ("a_rappeler", "À rappeler"),
            ("ouvertes", "Suites à donner (toutes)"),
            ("miennes", "Mes rappels et suites"),
            ("en_retard", "Suites en retard"),
            ("closes", "Suites closes"),
        ],
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "La date de fin doit être postérieure ou égale à la date de début.")
        return cleaned


class ContactForm(DsfrBaseForm):
    """A contact with the person: visit, call, e-mail, letter, meeting."""

    kind = forms.ChoiceField(label="Type de contact", choices=ContactKind.choices)
    occurred_at = forms.DateTimeField(
        label="Date et heure",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Par défaut : maintenant.",
        required=False,
    )
    duration_minutes = forms.IntegerField(label="Durée (minutes)", min_value=0, max_value=600, initial=0)
    summary = forms.CharField(label="Résumé", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
