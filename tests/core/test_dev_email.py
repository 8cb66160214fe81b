"""Development e-mails (maillage.core.mail_backends.DevEmailBackend, the default of settings.dev): each
is written to its own .eml file under var/mails/ and printed, and nothing leaves the machine."""

import email
import email.policy
import io

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from maillage.core.mail_backends import DevEmailBackend


def test_dev_settings_write_e_mails_under_var_mails():
    from maillage.settings import dev

    assert dev.EMAIL_BACKEND == "maillage.core.mail_backends.DevEmailBackend"
    assert str(dev.VAR_DIR / "mails") == dev.EMAIL_FILE_PATH


def test_each_e_mail_is_written_to_its_own_file_and_printed(tmp_path):
    out = io.StringIO()
    backend = DevEmailBackend(file_path=tmp_path / "mails", stream=out)
    first = EmailMultiAlternatives("Vous êtes ajouté·e à l'équipe", "Bonjour Mme Le Gall,", to=["a@example.org"])
    first.attach_alternative("<p>Bonjour Mme Le Gall,</p>", "text/html")
    second = mail.EmailMessage("Plans à réviser", "Deux plans à réviser.", to=["b@example.org"])

    assert backend.send_messages([first, second]) == 2

    files = sorted((tmp_path / "mails").glob("*.eml"))
    assert len(files) == 2
    parsed = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    subjects = {m["Subject"] for m in parsed}
    assert subjects == {"Vous êtes ajouté·e à l'équipe", "Plans à réviser"}
    added = next(m for m in parsed if m["To"] == "a@example.org")
    assert added.get_body(("plain",)).get_content().strip() == "Bonjour Mme Le Gall,"
    printed = out.getvalue()
    assert printed.count("Courriel enregistré dans ") == 2
    assert str(files[0]) in printed and str(files[1]) in printed
    assert "Bonjour Mme Le Gall," in printed  # readable in the terminal, not encoded


def test_a_failure_is_raised_unless_silent(tmp_path):
    blocker = tmp_path / "mails"
    blocker.write_text("not a folder")
    message = mail.EmailMessage("Objet", "Corps", to=["a@example.org"])
    with pytest.raises(OSError):
        DevEmailBackend(file_path=blocker, stream=io.StringIO()).send_messages([message])
    assert DevEmailBackend(file_path=blocker, stream=io.StringIO(), fail_silently=True).send_messages([message]) == 0
