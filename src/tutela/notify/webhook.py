"""Posting a signed Art. 19 message to a recipient's webhook, with :mod:`httpx`.

:class:`WebhookSender` sends the body and headers :func:`tutela.requests.notices.webhook_request`
made, to an ``https://`` URL (``http://`` only to localhost, for tests). It follows no
redirect (a redirect could carry the message elsewhere) and raises :class:`WebhookError`
on anything but a 2xx reply, a timeout or a connection failure. Errors name the host
and the status, never the body, the path (it may hold a token) or the secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from tutela.errors import ConnectorError
from tutela.programme.recipients import webhook_url_problem

_RETRYABLE = frozenset({408, 425, 429})


class WebhookError(ConnectorError):
    """A webhook that refused the message or could not be reached; no secret is in it."""


@dataclass(frozen=True)
class WebhookSender:
    """Posts messages to webhooks, waiting at most ``timeout`` seconds for each."""

    timeout: float = 10.0

    def __post_init__(self) -> None:
        """Refuse a timeout that is not a positive number of seconds."""
        if not self.timeout > 0:
            raise WebhookError("a webhook timeout is a positive number of seconds")

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """POST ``body`` with ``headers`` to ``url``; :class:`WebhookError` unless a 2xx reply."""
        host = _host(url)
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                reply = client.post(url, content=body, headers=dict(headers))
        except httpx.TimeoutException:
            raise WebhookError(
                f"the webhook did not answer within {self.timeout:g} s", system=host, retryable=True
            ) from None
        except httpx.HTTPError as error:
            raise WebhookError(
                f"cannot reach the webhook ({type(error).__name__})", system=host, retryable=True
            ) from None
        if not 200 <= reply.status_code < 300:
            status = reply.status_code
            retry = status >= 500 or status in _RETRYABLE
            raise WebhookError(f"the webhook answered HTTP {status}", system=host, retryable=retry)


def _host(url: str) -> str:
    """The host of ``url`` as errors name it; WebhookError when the URL may not be used."""
    problem = webhook_url_problem(url)
    if problem:
        raise WebhookError(problem, retryable=False)
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
