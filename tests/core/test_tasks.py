import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from maillage.core.tasks import send_email
from tests.conftest import run_task_worker

pytestmark = pytest.mark.django_db


def test_send_email_is_queued_then_sent_by_the_worker():
    result = send_email.enqueue(subject="Sujet", body="Corps", to=["a@exemple.fr"], html_body="<p>Corps</p>")
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(id=result.id, status="READY").exists()
    run_task_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Sujet"
    assert message.to == ["a@exemple.fr"]
    assert message.alternatives[0][0] == "<p>Corps</p>"
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
