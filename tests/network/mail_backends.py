"""Mail backends for tests."""

import time
from typing import Any

from django.core.mail.backends.locmem import EmailBackend


class SlowEmailBackend(EmailBackend):
    """The in-memory outbox behind a mail server that takes its time (SECONDS per message)."""

    SECONDS = 0.5

    def send_messages(self, messages: Any) -> int:
        time.sleep(self.SECONDS)
        return super().send_messages(messages)
