"""E-mail backend of development (`make run`): no e-mail leaves the machine.

Each message is written to its own file under EMAIL_FILE_PATH (var/mails/ by default; a .eml file
that any mail client opens, its name starts with the date and time) and printed on the standard
output of the process that sends it — the task worker, whose output `make run` shows in its
terminal (and keeps in var/worker.log)."""

import sys
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class DevEmailBackend(BaseEmailBackend):
    def __init__(self, *, file_path=None, stream=None, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.file_path = Path(file_path or settings.EMAIL_FILE_PATH)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages):
        sent = 0
        with self._lock:
            for message in email_messages or []:
                try:
                    data = message.message().as_bytes(linesep="\n")
                    self.file_path.mkdir(parents=True, exist_ok=True)
                    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
                    path = self.file_path / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
                    path.write_bytes(data)
                    self.stream.write(f"Courriel enregistré dans {path} :\n")
                    self.stream.write(data.decode("utf-8", errors="replace") + "\n" + "-" * 79 + "\n")
                    self.stream.flush()
                except Exception:
                    if not self.fail_silently:
                        raise
                else:
                    sent += 1
        return sent
