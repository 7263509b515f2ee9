"""Adapters that tell recipients of a rectification, erasure or restriction (Art. 19, NR-1).

:mod:`tutela.notify.webhook` posts the signed JSON document of
:mod:`tutela.requests.notices` to a recipient's HTTPS endpoint; e-mail goes through
:class:`tutela.requests.mail.SmtpSender`. :func:`tutela.requests.delivery.deliver_due`
drives both.
"""

from tutela.notify.webhook import WebhookError, WebhookSender

__all__ = ["WebhookError", "WebhookSender"]
