from django import forms
from django.utils import timezone

from maillage.casework.forms import refresh_dsfr
from maillage.casework.models.followup import DocumentKind, NoteVisibility
from maillage.casework.services.followup import ALLOWED_LABEL, ASSIGNEE_REFUSED
from maillage.core import access
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
    """A task for a colleague who may act on the file (`access.task_assignees_for`). A date in the
    past is asked again: the form is refused until « je confirme » is ticked or the date changed."""

    title = forms.CharField(label="À faire", max_length=250)
    due_on = forms.DateField(label="Pour le", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    assignee = forms.ModelChoiceField(
        label="Pour qui",
        queryset=User.objects.none(),
        error_messages={"invalid_choice": ASSIGNEE_REFUSED},
    )
    confirm_past_date = forms.BooleanField(label="Je confirme cette date passée", required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = access.task_assignees_for(organisation)
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.email
        refresh_dsfr(self)

    asks_past_date = False  # the date given is in the past: the page shows the confirmation box

    def clean(self):
        cleaned = super().clean()
        due_on = cleaned.get("due_on")
        self.asks_past_date = due_on is not None and due_on < timezone.localdate()
        if self.asks_past_date:
            # Shown now, and needed to go on with this date: not « (facultatif) » on the page.
            self.fields["confirm_past_date"].required = True
        if self.asks_past_date and not cleaned.get("confirm_past_date"):
            self.add_error(
                "due_on",
                f"Cette date est passée (le {due_on:%d/%m/%Y}) : choisissez une date à venir, ou cochez "
                "« Je confirme cette date passée ».",
            )
        return cleaned


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
