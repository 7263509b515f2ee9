"""E-mail addresses: the practical subset of RFC 5322 ``addr-spec`` that people write.

A local part of word characters and ``. % + ' -`` (no leading, trailing or doubled
dot, at most 64 characters, RFC 5321 §4.5.3.1.1), an ``@``, and a domain of labels
(at most 63 characters each, no leading or trailing hyphen) ending in a top-level
domain of 2 to 24 letters or an IDN ``xn--`` label; 254 characters in all.

Not e-mail, by decision:

- an address without a dotted domain (``root@localhost``, ``postgres@db``) or under
  ``.localhost`` / ``.localdomain``: mail for a machine account, not a person;
- a retina image name (``logo@2x.png``) and any "domain" ending in a file extension
  that is no top-level domain (``.png``, ``.jpg``, ``.svg``, ``.css``, ``.json``…);
- in free text, the user of a git or scp remote (``git@github.com:org/repo.git``) and
  the user of a URL (``ssh://git@host/…``, ``https://user@host/…``).

Addresses at ``example.com`` or of a role (``info@``) are still e-mail: test data and
shared inboxes are what a column of addresses holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tutela.discovery.detectors.windows import stretches_with
from tutela.discovery.models import NO_MATCH, Pattern, PatternDetector, Span, ValueScore

_LOCAL = r"[^\W_](?:[\w%+'-]|\.(?!\.))*"
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_TLD = r"(?:[^\W\d_]{2,24}|xn--[a-z0-9-]{1,59})"
ADDRESS = rf"{_LOCAL}@(?:{_LABEL}\.)+{_TLD}"
"""The candidate pattern (validated by :func:`plausible_address`)."""

NOT_DOMAINS = frozenset(
    {
        *("png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "tif", "tiff", "ico", "heic"),
        *("avif", "pdf", "doc", "docx", "xls", "xlsx", "csv", "txt", "log", "json", "xml"),
        *("yaml", "yml", "html", "htm", "css", "js", "mjs", "ts", "tsx", "jsx", "php"),
        *("java", "class", "jar", "war", "tar", "gz", "tgz", "bz2", "xz", "rar", "exe"),
        *("dll", "lock", "bak", "tmp", "localhost", "localdomain", "min", "map", "woff"),
    }
)
"""Last labels that end a file name or a machine name, never a mail domain."""

_AT = re.compile("@")
"""An address holds no whitespace: only the stretches around an ``@`` are searched."""
_RETINA = re.compile(r"\d+(?:\.\d+)?x\.", re.IGNORECASE)
_REMOTE_AFTER = re.compile(r":[\w~./-]")
_URL_BEFORE = re.compile(r"://(?:[^\s/@]*:)?$")


def plausible_address(address: str) -> bool:
    """True when ``address`` has the lengths of RFC 5321 and a domain that can take mail."""
    local, _, domain = address.rpartition("@")
    if len(address) > 254 or len(local) > 64 or local.endswith("."):
        return False
    if _RETINA.match(domain):
        return False
    return domain.rsplit(".", 1)[-1].lower() not in NOT_DOMAINS


@dataclass(frozen=True)
class EmailDetector(PatternDetector):
    """:class:`PatternDetector` that also drops the user of a remote or of a URL in text."""

    def find_spans(self, text: str) -> Iterator[Span]:
        """Validated addresses in ``text``, except ``git@host:path`` and ``scheme://user@``."""
        if "@" not in text:
            return
        for span in self.find_spans_between(text, stretches_with(text, _AT)):
            if _REMOTE_AFTER.match(text, span.end) or self._in_url(text, span.start):
                continue
            yield span

    @staticmethod
    def _in_url(text: str, start: int) -> bool:
        return _URL_BEFORE.search(text, max(0, start - 80), start) is not None

    def score_value(self, value: str) -> ValueScore:
        """The address score of a whole value (0 without an ``@``)."""
        if "@" not in value:
            return NO_MATCH
        return super().score_value(value)


DETECTOR = EmailDetector(
    name="email",
    category="user.contact.email",
    patterns=(Pattern("address", ADDRESS, 0.9),),
    context=(
        *("email", "e-mail", "mail", "courriel", "adresse", "mailadres", "e-mailadres"),
        *("correo", "posta", "contact", "écrire", "schrijf", "schreiben"),
    ),
    validate=plausible_address,
    source="RFC 5322 §3.4.1 addr-spec, RFC 5321 §4.5.3.1",
)
"""The e-mail detector registered as the built-in ``email``."""
