"""Queue the e-mails of the core through the `send_email` task, safely.

- Subjects are one line: a line break in a name put into a subject (an organisation called
  "CCAS\\nBcc: …") would make the message refused at sending time (Django refuses header
  injection), after the user was told it had left. Control characters become spaces.
- A message that cannot be queued raises `EmailNotQueued` (an `ApplicationError` in French), so
  the caller's transaction rolls back and the user is not told that it was sent. With the
  database task backend the message is queued in the caller's transaction: it leaves only if the
  change it announces is committed.
"""

import logging
import re
import unicodedata

from maillage.core.exceptions import ApplicationError
from maillage.core.tasks import send_email

logger = logging.getLogger(__name__)


class EmailNotQueued(ApplicationError):
    pass


def single_line(text: str) -> str:
    """`text` on one line: control characters (line breaks, tabs…) become spaces, runs of spaces
    become one."""
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in str(text))
    return re.sub(r"\s+", " ", cleaned).strip()


def send(*, subject: str, body: str, to: list[str], html_body: str = "", reply_to: list[str] | None = None):
    """Queue one e-mail; raise `EmailNotQueued` when it cannot be queued."""
    try:
        return send_email.enqueue(
            subject=single_line(subject), body=body, to=to, html_body=html_body, reply_to=reply_to or []
        )
    except Exception as exc:
        logger.exception("E-mail not queued (%d recipient(s))", len(to))
        raise EmailNotQueued(
            "Le courriel n'a pas pu être mis en file d'envoi : rien n'a été enregistré. Réessayez dans quelques "
            "minutes ; si le problème continue, prévenez l'équipe technique."
        ) from exc
