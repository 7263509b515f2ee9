"""tutela's own SMTP listener for small installs: mail to privacy@ handed straight to ingest.

:class:`IngestHandler` is an aiosmtpd handler: each message received is handed, as bytes,
to a callback (``Mailbox.ingest``), and accepted (``250``) only once the callback
returned. When it fails the sender's server is told to try again later (``451``), so
no message is lost: mail servers retry. A message above the size limit is refused at
``DATA`` (``552``), so the sender learns it did not arrive. :func:`listen` starts one on
a host and port; the caller stops it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tutela.requests.inbound import MAX_SIZE

ACCEPTED = "250 2.0.0 Message accepted"
TRY_LATER = "451 4.3.0 The message could not be handled now; try again later"


class IngestHandler:
    """Hands each message received to ``ingest``; accepts it only once ingest returned."""

    def __init__(self, ingest: Callable[[bytes], object]) -> None:
        self.ingest = ingest
        self._lock = threading.Lock()  # one message at a time: the store sees one writer

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Ingest the message's bytes; 250 once handled, 451 (retry later) otherwise."""
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode("utf-8", "replace")
        try:
            with self._lock:
                self.ingest(raw)
        except Exception:  # the sender's server keeps the message and retries
            return TRY_LATER
        return ACCEPTED


def listen(
    ingest: Callable[[bytes], object],
    *,
    host: str = "127.0.0.1",
    port: int = 2525,
    max_size: int = MAX_SIZE,
) -> Any:
    """A started aiosmtpd controller on ``host:port`` handing mail to ``ingest``.

    Call ``stop()`` on it to stop listening. Messages above ``max_size`` bytes are refused.
    """
    from aiosmtpd.controller import Controller

    controller = Controller(
        IngestHandler(ingest), hostname=host, port=port, data_size_limit=max_size
    )
    controller.start()
    return controller
