from django import forms
from django.db.models import Q

from maillage.casework.forms import refresh_dsfr
from maillage.casework.models import CarePlan, CarePlanAction, CareTeamMember
from maillage.casework.models.plans import PlanKind
from maillage.casework.services.assessments import essential_needs
from maillage.core import access
from maillage.core.enums import Role
from maillage.core.forms import DsfrBaseForm
from maillage.core.models import Organisation, User
from maillage.core.versioning import VersionedFormMixin

DATE = {"type": "date"}


def _date_widget():
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


class CarePlanForm(VersionedFormMixin, DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = CarePlan
        fields = [
            "kind",
            "title",
            "wishes",
            "status",
            "coordinator",
            "starts_on",
            "next_review_on",
            "agreed_on",
            "agreement_channel",
            "agreement_note",
        ]
        widgets = {
            "starts_on": _date_widget(),
            "next_review_on": _date_widget(),
            "agreed_on": _date_widget(),
            "wishes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = User.objects.filter(
            memberships__organisation=organisation, memberships__is_active=True, memberships__role=Role.COORDINATOR
        ).order_by("last_name", "first_name")
        self.fields["coordinator"].label_from_instance = lambda user: user.get_full_name() or user.email
        self.fields["agreement_channel"].required = False
        kind = self.initial.get("kind") or getattr(self.instance, "kind", PlanKind.CARE_PLAN)
        if kind == PlanKind.LIFE_PROJECT:
            self.fields["wishes"].label = "Le projet de vie de la personne"
            self.fields["title"].help_text = "Par exemple : « Vivre dans mon logement et reprendre une activité »."
        else:
            self.fields["title"].help_text = "Par exemple : « Rester chez moi en sécurité »."
        refresh_dsfr(self)


class ProposedGoalsForm(DsfrBaseForm):
    """The goals a new plan starts from: one per need found « not met » in the last signed needs
    assessment, ticked and worded already; the coordinator unticks or rewrites them."""

    def __init__(self, *args, unmet=(), **kwargs):
        super().__init__(*args, prefix="objectifs", **kwargs)
        self.unmet = list(unmet)
        for term, note in self.unmet:
            self.fields[f"keep_{term.code}"] = forms.BooleanField(
                label=f"Garder l'objectif pour le besoin « {term.name} »", required=False, initial=True
            )
            self.fields[f"text_{term.code}"] = forms.CharField(
                label=f"Objectif — {term.name}",
                max_length=300,
                required=False,
                initial=(f"{term.name} : {note}" if note else term.name)[:300],
            )
        refresh_dsfr(self)

    def groups(self):
        return [(term, self[f"keep_{term.code}"], self[f"text_{term.code}"]) for term, _ in self.unmet]

    def clean(self):
        cleaned = super().clean()
        for term, _ in self.unmet:
            if cleaned.get(f"keep_{term.code}") and not (cleaned.get(f"text_{term.code}") or "").strip():
                self.add_error(
                    f"text_{term.code}",
                    f"Écrivez l'objectif pour « {term.name} », ou décochez-le pour ne pas le garder.",
                )
        return cleaned

    def goals(self) -> list:
        """(need, description) of the goals kept, in the needs' order."""
        return [
            (term, self.cleaned_data[f"text_{term.code}"].strip())
            for term, _ in self.unmet
            if self.cleaned_data.get(f"keep_{term.code}")
        ]


class CarePlanGoalForm(DsfrBaseForm):
    need = forms.ModelChoiceField(
        label="Besoin essentiel", queryset=essential_needs(), required=False, empty_label="Aucun en particulier"
    )
    description = forms.CharField(label="Objectif", max_length=300)


class CarePlanActionForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = CarePlanAction
        fields = [
            "goal",
            "what",
            "what_plain",
            "provider_service",
            "provider_organisation",
            "provider_member",
            "provider_name",
            "contact_phone",
            "starts_on",
            "ends_on",
            "frequency",
            "cost",
            "cost_period",
            "funding",
            "funding_note",
            "status",
        ]
        widgets = {"starts_on": _date_widget(), "ends_on": _date_widget()}

    def __init__(self, *args, plan, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = plan.goals.all()
        # Chosen from a search of the directory (views.plans.plan_action_services), never a list of
        # every service: the form posts the number of the service ticked among those found.
        self.fields["provider_service"].queryset = access.services_visible_to(actor).select_related("organisation")
        self.fields["provider_service"].widget = forms.HiddenInput()
        self.fields["provider_service"].error_messages["invalid_choice"] = (
            "Ce service n'est pas dans l'annuaire (ou plus publié) : cherchez-le de nouveau et choisissez-le dans "
            "la liste."
        )
        # Partners one can name: those the public directory shows, the plan's organisation, and the
        # organisations of the person's care team (never the whole list of the instance's members).
        team_organisations = CareTeamMember.objects.active().filter(person=plan.person).values("organisation_id")
        self.fields["provider_organisation"].queryset = (
            Organisation.objects.active()
            .filter(
                Q(pk__in=access.services_public().values("organisation_id"))
                | Q(pk=plan.organisation_id)
                | Q(pk__in=team_organisations)
            )
            .order_by("name")
        )
        self.fields["provider_member"].queryset = CareTeamMember.objects.active().filter(person=plan.person)
        self.fields["provider_organisation"].help_text = "Une seule réponse parmi service, structure, membre ou autre."
        refresh_dsfr(self)


class CarePlanReviewForm(DsfrBaseForm):
    held_on = forms.DateField(label="Révision faite le", widget=_date_widget())
    note = forms.CharField(label="Ce qui a été constaté et décidé", widget=forms.Textarea(attrs={"rows": 4}))
    next_review_on = forms.DateField(label="Prochaine révision", required=False, widget=_date_widget())
