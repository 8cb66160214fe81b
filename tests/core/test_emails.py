"""E-mails built from names stay well-formed, and a message that cannot leave is never announced
as sent (issue 10, point 5)."""

import logging
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse

from maillage.core import emails
from maillage.core.enums import Role
from maillage.core.models import Membership, MembershipInvitation, Organisation, User
from tests.conftest import login_verified, run_task_worker
from tests.core.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    admin = MembershipFactory(role=Role.ADMIN)
    Organisation.objects.filter(pk=admin.organisation_id).update(name="CCAS\nBcc: pirate@exemple.org\r\nX: y")
    admin.organisation.refresh_from_db()
    login_verified(client, admin.user)
    return admin


def _add(client, admin, email):
    return client.post(
        reverse("core:member_create", args=[admin.organisation.pk]),
        {"email": email, "first_name": "Inès", "last_name": "Roux", "role": "volunteer"},
        follow=True,
    )


@pytest.mark.parametrize("existing", [True, False], ids=["invitation", "welcome"])
def test_a_line_break_in_the_organisation_name_does_not_break_the_email(client, admin, existing):
    if existing:
        UserFactory(email="ines.roux@exemple.fr")
    _add(client, admin, "ines.roux@exemple.fr")
    run_task_worker()
    (message,) = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "CCAS Bcc: pirate@exemple.org X: y" in message.subject
    assert message.recipients() == ["ines.roux@exemple.fr"]


def test_admin_is_not_told_sent_when_the_email_cannot_be_queued(client, admin, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("file d'attente indisponible")

    monkeypatch.setattr(emails, "send_email", SimpleNamespace(enqueue=broken))
    UserFactory(email="deja@exemple.fr")
    with caplog.at_level(logging.ERROR, logger="maillage.core.emails"):
        for email in ("deja@exemple.fr", "nouveau@exemple.fr"):
            response = _add(client, admin, email)
            body = response.content.decode()
            assert response.status_code == 200
            assert "n&#x27;a pas pu être mis en file d&#x27;envoi" in body
            assert "une invitation lui est envoyée" not in body and "a été ajouté·e" not in body
    assert not MembershipInvitation.objects.exists()
    assert not User.objects.filter(email="nouveau@exemple.fr").exists()
    assert Membership.objects.filter(organisation=admin.organisation).count() == 1
    assert "E-mail not queued" in caplog.text


def test_a_failed_send_is_logged_and_recorded_by_the_task(db, monkeypatch, caplog):
    from django.core.mail import EmailMultiAlternatives
    from django_tasks_db.models import DBTaskResult

    def refuse(self, *args, **kwargs):
        raise OSError("serveur de courriel injoignable")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    emails.send(subject="Essai", body="Corps", to=["a@exemple.fr"])
    with caplog.at_level(logging.ERROR, logger="maillage.core.tasks"):
        run_task_worker()
    assert "not sent" in caplog.text and "a@exemple.fr" not in caplog.text
    assert DBTaskResult.objects.get().status == "FAILED"


def test_single_line_removes_control_characters():
    assert emails.single_line("A\nB\r\nC\tD\x00E\u2028F  G") == "A B C D E F G"
