from django import forms

from maillage.casework.forms import refresh_dsfr
from maillage.casework.models.followup import DocumentKind, NoteVisibility
from maillage.casework.services.followup import ALLOWED_LABEL
from maillage.core.enums import Role
from maillage.core.forms import DsfrBaseForm
from maillage.core.models import User


class NoteForm(DsfrBaseForm):
    body = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000)
    visibility = forms.ChoiceField(
        label="Qui peut lire cette note ?",
        choices=NoteVisibility.choices,
        initial=NoteVisibility.ORGANISATION,
        widget=forms.RadioSelect,
    )


class FollowUpTaskForm(DsfrBaseForm):
    title = forms.CharField(label="À faire", max_length=250)
    due_on = forms.DateField(label="Pour le", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    assignee = forms.ModelChoiceField(label="Pour qui", queryset=User.objects.none())

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            memberships__organisation=organisation, memberships__is_active=True, memberships__role=Role.COORDINATOR
        ).order_by("last_name")
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.email
        refresh_dsfr(self)


class DocumentForm(DsfrBaseForm):
    file = forms.FileField(
        label="Fichier",
        help_text=f"{ALLOWED_LABEL}, 10 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.odt,.docx"}),
    )
    kind = forms.ChoiceField(label="Type de document", choices=DocumentKind.choices)
    title = forms.CharField(
        label="Intitulé", max_length=200, required=False, help_text="Par défaut : le nom du fichier."
    )
    retain_until = forms.DateField(
        label="À conserver jusqu'au",
        required=False,
        help_text="Par défaut : 5 ans.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
