from django import forms

from maillage.casework.forms import refresh_dsfr
from maillage.core.forms import DsfrBaseForm


class ConfirmForm(DsfrBaseForm):
    """The confirmation of an action that cannot be undone (sign an assessment, take someone out of
    the care team): a box to tick on a page of its own, which works without JavaScript and with the
    keyboard. The view refuses the action when the box is not ticked."""

    confirm = forms.BooleanField(required=True)

    def __init__(self, *args, label: str, refused: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = label
        self.fields["confirm"].error_messages["required"] = refused
        refresh_dsfr(self)


class SignForm(ConfirmForm):
    """The signature of an assessment's version: the number signed, so that a version written
    meanwhile is never signed unread."""

    number = forms.IntegerField(widget=forms.HiddenInput)
