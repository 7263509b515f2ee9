"""Values that look personal but are not: identifiers of things, not of people.

Each detector here has ``lookalike=True`` and no category: a column its values fit is
explained, and is not personal data from its values alone (its name may still say
otherwise: ``email_sha256`` holds a pseudonymous identifier). They yield no span in
text. Covered:

- UUIDs of any version (RFC 9562), with or without dashes or braces;
- hex digests of MD5, SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512 length, and git
  object names (full, or abbreviated to 7-12 hex digits with a letter and a digit);
- EAN-8, EAN-13, UPC-A, ISBN-10 and ISBN-13 product codes, with their check digits
  (GS1 General Specifications §7.9, ISO 2108);
- parcel tracking numbers: UPS ``1Z…``, USPS 20-22 digits starting 9x, UPU S10
  (``RR123456785DE``, ISO/IEC 15459 check digit), DHL ``JJD…``, FedEx 12 or 15 digits
  (weak: a bare 12- or 15-digit number is more often something else);
- user-agent strings (RFC 9110 §10.1.5 product tokens, ``Mozilla/5.0 (…)``);
- infrastructure log lines: timestamped lines with a level (Python, Java, nginx
  errors), syslog lines (RFC 3164, RFC 5424), NCSA access logs, Apache error logs,
  logfmt and JSON log lines. They may contain an IP address or an e-mail, but a
  whole value that is a log line makes a log column;
- semantic versions (``1.4.2``, ``v2.0.0-rc.1``, SemVer 2.0.0).

Password hashes are not look-alikes: a bcrypt, scrypt, argon2, PBKDF2 or crypt(3)
string (``$2b$12$…``, ``$argon2id$…``) is a credential, and :data:`PASSWORD_HASH`
classifies it as ``user.authorization.password``. A bare hex digest is a look-alike:
nothing in it says it was a password.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stdnum import ean, isbn

from tutela.discovery.models import NO_MATCH, Pattern, PatternDetector, Span, ValueScore


def _mixed_hex(value: str) -> bool:
    """True when a hex string has a digit and a letter (a digest, not a number or a word)."""
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _tracking_valid(value: str) -> bool:
    """An S10 code (``RR123456785DE``) needs its check digit; other formats have none."""
    if len(value) == 13 and value[:2].isalpha() and value[-2:].isalpha():
        return _s10_valid(value)
    return True


def _product_code_valid(value: str) -> bool:
    """ISBN-10/13 or EAN-8/UPC-A/EAN-13 check digit (GS1 mod 10, ISO 2108 mod 11)."""
    return isbn.is_valid(value) or ean.is_valid(value)


def _s10_valid(value: str) -> bool:
    """UPU S10 check digit (weights 8 6 4 2 3 5 9 7, mod 11) of ``AA123456785DE``."""
    digits = [int(c) for c in value[2:10]]
    check = 11 - sum(d * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    return int(value[10]) == {10: 0, 11: 5}.get(check, check)


def _anything(value: str) -> bool:
    """Admit every value (no screening)."""
    return True


@dataclass(frozen=True)
class ScreenedDetector(PatternDetector):
    """A :class:`PatternDetector` whose ``admits`` test runs before any pattern.

    ``admits`` looks at a length or a telling character, so most cells of a sampled
    column are screened out in well under a microsecond.
    """

    admits: Callable[[str], bool] = _anything

    def score_value(self, value: str) -> ValueScore:
        """The best validated pattern score, 0 when ``admits`` already rules the value out."""
        return super().score_value(value) if self.admits(value) else NO_MATCH


@dataclass(frozen=True)
class LookalikeDetector(ScreenedDetector):
    """A look-alike: it scores whole values, and finds nothing in text (it has no category)."""

    lookalike: bool = True

    def find_spans(self, text: str) -> Iterator[Span]:
        """Nothing: a look-alike in a text is no personal data to report."""
        return iter(())


_DIGEST_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})
_VERSION_START = frozenset("0123456789vV")

UUID = LookalikeDetector(
    name="uuid",
    category=None,
    patterns=(
        Pattern(
            "uuid", r"\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?", 0.95
        ),
        Pattern("uuid-compact", r"[0-9a-f]{8}[0-9a-f]{4}[1-8][0-9a-f]{3}[89ab][0-9a-f]{15}", 0.7),
    ),
    source="RFC 9562 (UUIDs)",
    admits=lambda value: len(value) in (32, 36, 38),
)
"""UUIDs, any version; a compact 32-hex value with version and variant nibbles set."""

HEX_DIGEST = LookalikeDetector(
    name="hex_digest",
    category=None,
    patterns=(
        Pattern("sha1-git", r"[0-9a-f]{40}", 0.9),
        Pattern(
            "digest", r"(?:[0-9a-f]{32}|[0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})", 0.9
        ),
        Pattern("git-short", r"[0-9a-f]{7,12}", 0.5, flags=0),
    ),
    validate=_mixed_hex,
    source="RFC 1321, FIPS 180-4 digest lengths; git object names",
    admits=lambda value: 7 <= len(value) <= 12 or len(value) in _DIGEST_LENGTHS,
)
"""Hex digests and git object names (abbreviated ones weakly: lower-case hex only)."""

PRODUCT_CODE = LookalikeDetector(
    name="product_code",
    category=None,
    patterns=(
        Pattern("isbn", r"97[89][- ]?\d{1,5}[- ]\d{1,7}[- ]\d{1,7}[- ]\d", 0.95),
        Pattern("isbn10", r"\d{1,5}[- ]\d{1,7}[- ]\d{1,7}[- ][\dX]", 0.9),
        Pattern("ean", r"(?:\d{8}|\d{12,13})", 0.6),
    ),
    validate=_product_code_valid,
    source="GS1 General Specifications §7.9 (EAN/UPC), ISO 2108 (ISBN)",
    chance=1 / 10,
    admits=lambda value: 8 <= len(value) <= 17 and value[0].isdigit(),
)
"""EAN-8, UPC-A, EAN-13 and ISBN codes with valid check digits (bare EANs weakly)."""

TRACKING_NUMBER = LookalikeDetector(
    name="tracking_number",
    category=None,
    patterns=(
        Pattern("ups", r"1Z[0-9A-Z]{16}", 0.95),
        Pattern("s10", r"[A-Z]{2}\d{9}[A-Z]{2}", 0.85),
        Pattern("usps", r"9[1-5]\d{18,20}", 0.8),
        Pattern("dhl", r"(?:JJD\d{16,20}|JVGL\d{8,20})", 0.9),
        Pattern("fedex", r"(?:\d{12}|\d{15})", 0.3),
    ),
    validate=_tracking_valid,
    source="UPS, USPS, FedEx and DHL formats; UPU S10 (ISO/IEC 15459)",
    admits=lambda value: 12 <= len(value) <= 24 and value[-1].isalnum(),
)
"""Parcel tracking numbers (a bare 12- or 15-digit number only weakly)."""


USER_AGENT = LookalikeDetector(
    name="user_agent",
    category=None,
    patterns=(
        Pattern("browser", r"(?:Mozilla|Opera)/\d+\.\d+ .{8,}", 0.95),
        Pattern("client", r"[A-Za-z][\w.\-]{1,40}/v?\d+(?:\.\w+){1,3}(?: [ -~]+)?", 0.7),
    ),
    source="RFC 9110 §10.1.5 User-Agent",
    admits=lambda value: "/" in value,
)
"""User-agent strings: browsers, and ``product/version`` clients (curl, okhttp…)."""

_TIMESTAMP = (
    r"\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?"
)
_LEVEL = (
    r"(?:(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRITICAL|CRIT|FATAL|SEVERE|ALERT"
    r"|EMERG)\b|\[(?:trace|debug|info|notice|warn|warning|error|crit|alert|emerg)\])"
)
_KEY_VALUE = r"[\w.@\-]+=(?:\"(?:[^\"\\]|\\.)*\"|\S*)"
_LOG = re.DOTALL
LOG_LINE = LookalikeDetector(
    name="log_line",
    category=None,
    patterns=(
        Pattern(
            "timestamped", rf"\[?{_TIMESTAMP}\]?[^\n]{{0,80}}?(?<![\w=])\[?{_LEVEL}.*", 0.95, _LOG
        ),
        Pattern(
            "combined",
            r"\S+ \S+ \S+ \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "
            r'"(?:[A-Z]+ \S+ HTTP/[\d.]+|-)" \d{3} .*',
            0.95,
            _LOG,
        ),
        Pattern(
            "syslog",
            r"(?:<\d{1,3}>)?[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \S+ [\w.\-/]+(?:\[\d+\])?: .*",
            0.9,
            _LOG,
        ),
        Pattern(
            "syslog_iso",
            rf"(?:<\d{{1,3}}>\d? ?)?{_TIMESTAMP} \S+ [\w.\-/]+(?:\[\d+\])?(?::| - ) ?.*",
            0.9,
            _LOG,
        ),
        Pattern(
            "apache_error",
            r"\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4}\] "
            r"\[[\w:]+\] .*",
            0.95,
            _LOG,
        ),
        Pattern(
            "key_value",
            rf"(?=.*\b(?:level|lvl|severity)=\w)(?=.*\b(?:ts|time|timestamp|t|date)=\S)"
            rf"{_KEY_VALUE}(?:\s+{_KEY_VALUE}){{2,}}\s*",
            0.9,
            _LOG,
        ),
        Pattern(
            "json",
            r'\{(?=.*"(?:[\w.]*\.)?(?:level|lvl|severity|levelname)"\s*:\s*"?\w)'
            r'(?=.*"(?:ts|time|timestamp|@timestamp|asctime|date)"\s*:).*\}',
            0.9,
            _LOG,
        ),
        Pattern(
            "java_util",
            r"[A-Z][a-z]{2} \d{1,2}, \d{4},? \d{1,2}:\d{2}:\d{2} [AP]M \S+.*",
            0.9,
            _LOG,
        ),
        Pattern("glog", r"[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+ +\d+ [\w.\-]+:\d+\] .*", 0.9, _LOG),
        Pattern("log4j_relative", rf"\d+ \[[^\]]{{1,60}}\] {_LEVEL} +\S.*", 0.85, _LOG),
        Pattern("leveled", rf"{_LEVEL}[:\s]\s*\S.*", 0.6, _LOG),
    ),
    source="RFC 5424 / RFC 3164 syslog; NCSA common and combined log formats; logfmt",
    admits=lambda value: len(value) >= 12,
)
"""Whole log lines (they may contain an IP or an address; the column is a log column).

ISO- or slash-timestamped lines with a level anywhere in the first words (Python
``logging``, log4j/logback, nginx's error log), syslog (RFC 3164, RFC 5424, ISO
timestamps), NCSA common and combined access logs, Apache error logs, logfmt
``key=value`` lines and JSON lines with a time and a level, java.util.logging, glog.
"""

SEMANTIC_VERSION = LookalikeDetector(
    name="semantic_version",
    category=None,
    patterns=(
        Pattern(
            "semver",
            r"v?(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)"
            r"(?:-[0-9A-Za-z.\-]+)?(?:\+[0-9A-Za-z.\-]+)?",
            0.85,
        ),
        Pattern("version", r"v\d+(?:\.\d+){1,3}(?:[\-+][0-9A-Za-z.\-]+)?", 0.8),
    ),
    source="Semantic Versioning 2.0.0",
    admits=lambda value: len(value) <= 64 and "." in value and value[0] in _VERSION_START,
)
"""Version strings: SemVer, and ``v``-prefixed dotted versions."""

PASSWORD_HASH = ScreenedDetector(
    name="password_hash",
    category="user.authorization.password",
    patterns=(
        Pattern("bcrypt", r"\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}", 0.95, flags=0),
        Pattern("argon2", r"\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[\w+/=.$-]+", 0.95),
        Pattern("scrypt", r"\$(?:scrypt|7)\$[\w+/=.$,-]{20,}", 0.9),
        Pattern("pbkdf2", r"pbkdf2_sha(?:1|256|512)\$\d+\$[\w+/=.$-]+", 0.95),
        Pattern("crypt", r"\$(?:1|5|6|y|gy)\$(?:rounds=\d+\$)?[./\w]{1,16}\$[./\w]{22,86}", 0.9),
    ),
    source="OWASP Password Storage Cheat Sheet; crypt(3) modular formats",
    admits=lambda value: value[:1] == "$" or value[:7] == "pbkdf2_",
)
"""Password hashes: credentials (``user.authorization.password``), not look-alikes."""

DETECTORS = [
    UUID,
    HEX_DIGEST,
    PRODUCT_CODE,
    TRACKING_NUMBER,
    USER_AGENT,
    LOG_LINE,
    SEMANTIC_VERSION,
    PASSWORD_HASH,
]
"""The look-alike detectors registered as the built-in ``lookalikes`` (and password hashes)."""
