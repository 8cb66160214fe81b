"""A person's call language can always be matched: every language the register's entry form offers
for the call can be declared by a caller (a Tamil speaker's call once waited in the pool for ever,
callers being offered 18 of the directory's 25 languages)."""

from maillage.register.forms.entries import CALL_LANGUAGES
from maillage.volunteers.forms import LanguagesForm
from maillage.volunteers.languages import LANGUAGES


def test_every_call_language_may_be_spoken_by_a_caller():
    call_languages = {code for code, _label in CALL_LANGUAGES if code}
    assert call_languages == {code for code, _label in LANGUAGES}
    assert {"ta", "ps", "bm", "ln", "sq", "hy", "ka"} <= call_languages
    assert "fr" not in call_languages  # French is implied, for the person and for the caller


def test_a_caller_declares_tamil():
    form = LanguagesForm(data={"languages": ["ta", "fsl"]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["languages"] == ["ta", "fsl"]
