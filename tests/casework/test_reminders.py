"""The daily e-mails of casework: the follow-up tasks' digest, and the absolute links of every
reminder, built on settings.MAILLAGE_BASE_URL."""

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import FollowUpTask
from maillage.casework.tasks import send_followup_task_digests, send_review_reminders
from maillage.core.enums import Role
from tests.casework.factories_assessments import CarePlanFactory, FollowUpTaskFactory
from tests.conftest import run_task_worker
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://maillage.example.fr"


@pytest.fixture
def base_url(settings):
    settings.MAILLAGE_BASE_URL = BASE
    return BASE


def _day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def _run_digest():
    send_followup_task_digests.enqueue()
    run_task_worker()  # runs the digest task, which queues the e-mails
    run_task_worker()  # sends them


def test_each_coordinator_gets_one_digest_of_tasks_due_today_or_late(base_url):
    alice = MembershipFactory(role=Role.COORDINATOR, user__first_name="Alice")
    bruno = MembershipFactory(organisation=alice.organisation, role=Role.COORDINATOR)
    odette = PersonFactory(organisation=alice.organisation, first_names="Odette", last_name="Blanc")
    marcel = PersonFactory(organisation=alice.organisation, first_names="Marcel", last_name="Durand")

    def task(assignee, person, offset, **extra):
        return FollowUpTaskFactory(
            person=person,
            assignee=assignee.user,
            due_on=_day(offset),
            title="Rappeler sa fille pour le dossier APA",
            **extra,
        )

    today = task(alice, odette, 0)
    late = task(alice, marcel, -3)
    task(alice, odette, 1)  # tomorrow: not yet
    task(alice, marcel, -1, done_at=timezone.now())  # done
    bruno_task = task(bruno, marcel, 0)

    _run_digest()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.user.email, bruno.user.email])
    message = next(m for m in mail.outbox if m.to == [alice.user.email])
    assert message.subject == "[Maillage] 2 tâches de suivi à faire"
    body = message.body
    assert body.startswith("Bonjour Alice,")
    assert "Odette B. : pour aujourd'hui" in body
    assert f"Marcel D. : prévue le {late.due_on:%d/%m/%Y} (en retard)" in body
    assert "Blanc" not in body and "Durand" not in body  # first names and initials only
    assert "dossier APA" not in body  # never the task's free text
    assert f"{BASE}{reverse('casework:note_list', args=[odette.pk])}" in body
    assert f"{BASE}{reverse('casework:caseload')}" in body
    bruno_message = next(m for m in mail.outbox if m.to == [bruno.user.email])
    assert "Marcel D." in bruno_message.body and "Odette" not in bruno_message.body
    assert set(FollowUpTask.objects.filter(reminded_on=timezone.localdate()).values_list("pk", flat=True)) == {
        today.pk,
        late.pk,
        bruno_task.pk,
    }


def test_the_digest_goes_once_a_day_and_a_late_task_comes_back_the_next_day(base_url):
    alice = MembershipFactory(role=Role.COORDINATOR)
    late = FollowUpTaskFactory(
        person=PersonFactory(organisation=alice.organisation), assignee=alice.user, due_on=_day(-2)
    )
    _run_digest()
    assert len(mail.outbox) == 1
    call_command("casework_reminders")  # the daily command, run twice the same day
    run_task_worker()
    run_task_worker()
    assert len(mail.outbox) == 1

    FollowUpTask.objects.filter(pk=late.pk).update(reminded_on=_day(-1))  # as if sent yesterday
    _run_digest()
    assert len(mail.outbox) == 2
    late.done_at = timezone.now()
    late.save()
    FollowUpTask.objects.filter(pk=late.pk).update(reminded_on=_day(-1))
    _run_digest()
    assert len(mail.outbox) == 2  # done: no more reminders


def test_no_digest_for_a_former_member_or_a_deactivated_account(base_url):
    left = MembershipFactory(role=Role.COORDINATOR, is_active=False)
    FollowUpTaskFactory(person=PersonFactory(organisation=left.organisation), assignee=left.user, due_on=_day(0))
    gone = MembershipFactory(role=Role.COORDINATOR, user__is_active=False)
    FollowUpTaskFactory(person=PersonFactory(organisation=gone.organisation), assignee=gone.user, due_on=_day(0))
    _run_digest()
    assert mail.outbox == []
    assert not FollowUpTask.objects.filter(reminded_on__isnull=False).exists()


def test_the_daily_command_sends_both_reminders_now(base_url):
    alice = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=alice.organisation)
    FollowUpTaskFactory(person=person, assignee=alice.user, due_on=_day(0))
    CarePlanFactory(person=person, coordinator=alice.user, next_review_on=_day(2))
    call_command("casework_reminders", "--now", stdout=io.StringIO())
    run_task_worker()  # sends the two queued e-mails
    assert sorted(m.subject for m in mail.outbox) == [
        "[Maillage] 1 plan à réviser",
        "[Maillage] 1 tâche de suivi à faire",
    ]


def test_review_reminder_links_are_absolute_on_the_base_url(base_url):
    alice = MembershipFactory(role=Role.COORDINATOR)
    plan = CarePlanFactory(
        person=PersonFactory(organisation=alice.organisation), coordinator=alice.user, next_review_on=_day(1)
    )
    send_review_reminders.enqueue()
    run_task_worker()
    run_task_worker()
    (message,) = mail.outbox
    assert f"{BASE}{reverse('casework:plan_detail', args=[plan.person_id, plan.pk])}\n" in message.body


def _setting_in_a_fresh_process(**env):
    environment = {k: v for k, v in os.environ.items() if k != "MAILLAGE_BASE_URL"}
    environment.update({"DJANGO_SETTINGS_MODULE": "maillage.settings.dev", **env})
    code = "import django; django.setup(); from django.conf import settings; print(settings.MAILLAGE_BASE_URL)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )


def test_base_url_comes_from_the_environment_with_a_development_default():
    assert _setting_in_a_fresh_process().stdout.strip() == "http://127.0.0.1:8000"
    result = _setting_in_a_fresh_process(MAILLAGE_BASE_URL="https://maillage.cd21.fr/")
    assert result.stdout.strip() == "https://maillage.cd21.fr"
    refused = _setting_in_a_fresh_process(MAILLAGE_BASE_URL="maillage.cd21.fr")
    assert refused.returncode != 0
    assert "MAILLAGE_BASE_URL vaut « maillage.cd21.fr »" in refused.stderr
