"""Background tasks of the core (Django's task API; django-tasks backport, database backend).

Run them with `manage.py db_worker`; `make run` starts one beside the web server.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_email(*, subject: str, body: str, to: list[str], html_body: str = "", reply_to: list[str] | None = None):
    """Send one e-mail. Arguments are plain text so that the task can be stored and retried.

    A failure is logged (without the addresses) and raised: the task's result records it."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or None,
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    try:
        return message.send()
    except Exception:
        logger.exception("E-mail « %s » not sent (%d recipient(s))", subject[:80], len(to))
        raise


@task()
def apply_retention_rules():
    """The daily retention task: deletes or anonymises what has passed its time (core.retention)."""
    from maillage.core.retention import apply_retention

    return [{"rule": run.rule, "count": run.count} for run in apply_retention()]
