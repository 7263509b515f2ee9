"""IP addresses (RFC 791 IPv4 dotted quads, RFC 4291/5952 IPv6 text forms).

An address is personal data when it can single out a person's device (CJEU C-582/14
*Breyer*): the client address in a log, a sign-up record, a ticket. Parsed by
:mod:`ipaddress` (so ``01.02.03.04``, with leading zeros, and ``256.1.1.1`` fail).

Kept, by decision: public addresses (0.9); private ones (RFC 1918, RFC 4193 unique
local, 0.8), because an end user's address behind a NAT still identifies a device in
a company's own logs; documentation ranges (RFC 5737, RFC 3849, 0.7), which test data
is full of.

Not personal data: the unspecified address, loopback, link-local, multicast, the
reserved IPv4 block 240/4 (with the broadcast address), netmasks (``255.255.255.0``),
and dotted quads of single digits (``1.2.3.4`` is a version far more often than a
host). In free text also: a
network in CIDR notation (``10.0.0.0/8``), a number after *v*, *version*, *release*,
*build* or *rev*, or followed by ``-beta`` or more dotted numbers (an OID), and an
address next to *gateway*, *netmask*, *subnet*, *dns* or *nameserver* (a setting).
IPv6 candidates must contain a digit and parse as IPv6, so ``12:30:45`` and MAC
addresses (``00:1a:2b:3c:4d:5e``, six groups) are not addresses.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from tutela.discovery.detectors.windows import Window, search, whole
from tutela.discovery.models import (
    CONTEXT_BOOST,
    NO_MATCH,
    Pattern,
    PatternDetector,
    Span,
    ValueScore,
)

CATEGORY = "user.device.ip_address"

_OCTET = r"\d{1,3}"
IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
"""A dotted quad."""

IPV6 = r"(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?:%[\w.]{1,15})?"
"""Colon-separated hex groups, ``::`` compression, an embedded IPv4 tail and a zone."""

_FIRST = frozenset("0123456789abcdefABCDEF:")
_LAST = frozenset("0123456789abcdefABCDEF:") | frozenset("ghijklmnopqrstuvwxyz")  # zone ids
_DOCUMENTATION_V6 = ipaddress.IPv6Network("2001:db8::/32")
_NOT_A_HOST_BEFORE = re.compile(
    r"(?:\b(?:v|ver|version|versie|release|build|rev|revision|gateway|gw|netmask|mask|subnet"
    r"|dns|nameserver|route|oid)\b\W{0,3})$",
    re.IGNORECASE,
)
_NOT_A_HOST_AFTER = re.compile(r"/\d|-(?:alpha|beta|rc|snapshot|dev|pre)", re.IGNORECASE)


def is_netmask(value: int) -> bool:
    """True when the IPv4 address ``value`` is a contiguous netmask from 255 (``255.255.255.0``)."""
    inverted = ~value & 0xFFFFFFFF
    return value >= 0xFF000000 and inverted & (inverted + 1) == 0


def _ranges(*networks: str) -> tuple[tuple[int, int], ...]:
    parsed = (ipaddress.IPv4Network(network) for network in networks)
    return tuple((int(net.network_address), int(net.broadcast_address)) for net in parsed)


_V4_NOT_HOST = _ranges("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3")
_V4_DOCUMENTATION = _ranges("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
_V4_PRIVATE = _ranges("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")


def _ipv4_score(candidate: str) -> float:
    """The IPv4 score from integer ranges (the ``ipaddress`` properties cost far more)."""
    octets = candidate.split(".")
    if len(octets) != 4 or all(len(octet) == 1 for octet in octets):
        return 0.0
    if not all(octet.isdigit() and (octet == "0" or octet[0] != "0") for octet in octets):
        return 0.0  # leading zeros: an OID or a dotted number (``ipaddress`` refuses them too)
    numbers = [int(octet) for octet in octets]
    if max(numbers) > 255:
        return 0.0
    value = numbers[0] << 24 | numbers[1] << 16 | numbers[2] << 8 | numbers[3]
    if is_netmask(value):
        return 0.0
    if any(low <= value <= high for low, high in _V4_NOT_HOST):
        return 0.0
    if any(low <= value <= high for low, high in _V4_DOCUMENTATION):
        return 0.7
    return 0.8 if any(low <= value <= high for low, high in _V4_PRIVATE) else 0.9


def host_score(candidate: str) -> float:
    """How likely ``candidate`` is a device's address: 0 when it is none or infrastructure."""
    if ":" not in candidate:
        return _ipv4_score(candidate)
    if not any(char.isdigit() for char in candidate.split("%")[0]):
        return 0.0
    try:
        address = ipaddress.IPv6Address(candidate)
    except ValueError:
        return 0.0
    if address.is_unspecified or address.is_loopback or address.is_link_local:
        return 0.0
    if address.is_multicast:
        return 0.0
    mapped = address.ipv4_mapped
    if mapped is not None:
        return _ipv4_score(str(mapped))
    if address in _DOCUMENTATION_V6:
        return 0.7
    return 0.8 if address.is_private else 0.9


def valid_host(candidate: str) -> bool:
    """True when ``candidate`` is an address that can be a person's device."""
    return host_score(candidate) > 0.0


@dataclass(frozen=True)
class IpAddressDetector(PatternDetector):
    """:class:`PatternDetector` scoring by address kind, and dropping settings in text."""

    def score_value(self, value: str) -> ValueScore:
        """The address score of a whole value: public 0.9, private 0.8, documentation 0.7."""
        if not 2 <= len(value) <= 45 or value[0] not in _FIRST or value[-1] not in _LAST:
            return NO_MATCH
        kind = "ipv6" if ":" in value else "ipv4"
        pattern = _IPV6_VALUE if kind == "ipv6" else _IPV4_VALUE
        if pattern.fullmatch(value) is None:
            return NO_MATCH
        score = host_score(value)
        return ValueScore(score, kind) if score else NO_MATCH

    def find_spans(self, text: str) -> Iterator[Span]:
        """Addresses in ``text``, except versions, OIDs, CIDR networks and settings."""
        return self.find_spans_within(text, whole(text))

    def find_spans_within(self, text: str, windows: Sequence[Window]) -> Iterator[Span]:
        """Addresses inside ``windows`` of ``text`` (an IPv6 address holds a digit too)."""
        for span in self._candidates(text, windows):
            if _NOT_A_HOST_AFTER.match(text, span.end):
                continue
            if _NOT_A_HOST_BEFORE.search(text, max(0, span.start - 16), span.start):
                continue
            boost = span.confidence - 0.9  # the context boost PatternDetector added
            score = min(1.0, host_score(text[span.start : span.end]) + boost)
            yield replace(span, confidence=score)

    def _candidates(self, text: str, windows: Sequence[Window]) -> Iterator[Span]:
        """Valid hosts inside ``windows``, scored 0.9 plus the context boost."""
        for pattern in self.patterns:
            separator, fewest = _SEPARATORS[pattern.name]
            where = [w for w in windows if text.count(separator, w.start, w.end) >= fewest]
            for match in search(pattern.bounded, text, where):
                if not valid_host(match.group(0)):
                    continue
                start, end = match.span()
                score = pattern.score
                if self._has_context(text, start, end):
                    score = min(1.0, score + CONTEXT_BOOST)
                yield Span(start, end, CATEGORY, score, self.name, pattern.name)


_SEPARATORS = {"ipv4": (".", 3), "ipv6": (":", 2)}
"""A window holding fewer of these than an address of the pattern (a dotted quad, two colons
at least) holds no address of it."""
_IPV4_VALUE = re.compile(IPV4)
_IPV6_VALUE = re.compile(IPV6, re.IGNORECASE)

DETECTOR = IpAddressDetector(
    name="ip_address",
    category=CATEGORY,
    patterns=(Pattern("ipv4", IPV4, 0.9), Pattern("ipv6", IPV6, 0.9)),
    context=(
        *("ip", "ip address", "adresse ip", "ip-adres", "ip-adresse", "dirección ip"),
        *("client", "remote", "remote_addr", "from", "login", "connexion", "connected"),
    ),
    validate=valid_host,
    source="RFC 791, RFC 4291, RFC 5952; CJEU C-582/14 Breyer",
)
"""The IP-address detector registered as the built-in ``ip_address``."""
