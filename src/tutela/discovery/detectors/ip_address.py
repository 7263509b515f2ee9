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
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from tutela.discovery.detectors.windows import Window, whole
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


def _too_few_groups(address: str) -> bool:
    """True when ``address`` (no zone) has no ``::`` and not the 8 groups it then needs.

    :class:`ipaddress.IPv6Address` refuses it too, after building an exception (a clock
    time ``12:30:45`` is an IPv6 candidate: most are turned down here, far cheaper).
    """
    if "::" in address:
        return False
    tail = address.rpartition(":")[2]
    return address.count(":") + ("." in tail) != 7  # an IPv4 tail is two groups


def host_score(candidate: str) -> float:
    """How likely ``candidate`` is a device's address: 0 when it is none or infrastructure."""
    if ":" not in candidate:
        return _ipv4_score(candidate)
    written = candidate.split("%")[0]
    if not any(char.isdigit() for char in written) or _too_few_groups(written):
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
    """:class:`PatternDetector` scoring by address kind, and dropping settings in text.

    Text is searched by :data:`_SCANS`, one per built-in pattern: a detector with other
    patterns is refused (a :class:`PatternDetector` searches any).
    """

    def __post_init__(self) -> None:
        if tuple(pattern.regex for pattern in self.patterns) != (IPV4, IPV6):
            raise ValueError(
                f"{self.name}: IpAddressDetector searches text with its built-in patterns "
                "(IPV4, IPV6); declare other patterns with a PatternDetector"
            )

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
        """Addresses inside ``windows`` of ``text`` (an IPv6 address holds a digit too).

        Each pattern is searched only around its marks (:data:`_SCANS`), in the order and
        with the matches a search of the whole windows gives.
        """
        starts = [window.start for window in windows]
        for pattern in self.patterns:
            scan = _SCANS[pattern.name]
            for start, end, _ in scan.regions(text, windows, starts):
                for match in scan.expression.finditer(text, start, end):
                    span = self._span(text, match, pattern)
                    if span is not None:
                        yield span

    def _span(self, text: str, match: re.Match[str], pattern: Pattern) -> Span | None:
        """The span of a device's address ``match`` found, None for what is none.

        Scored as :class:`PatternDetector` scores (the pattern's score, plus the context
        boost), then with the address kind's score in place of the pattern's.
        """
        score = host_score(match.group(0))
        if not score:
            return None
        start, end = match.span()
        if _NOT_A_HOST_AFTER.match(text, end):
            return None
        if _NOT_A_HOST_BEFORE.search(text, max(0, start - 16), start):
            return None
        found = pattern.score
        if self._has_context(text, start, end):
            found = min(1.0, found + CONTEXT_BOOST)
        boost = found - 0.9  # the context boost the pattern's score got
        return Span(start, end, CATEGORY, min(1.0, score + boost), self.name, pattern.name)


@dataclass(frozen=True)
class _MarkScan:
    """Where a pattern is searched: around the marks every match of it holds.

    ``mark`` finds a character every match holds (the first dot of a dotted quad, a colon
    of an IPv6 address followed by a group and a colon): a match starts at most ``lead``
    characters before such a mark, and it ends, its look-ahead included, at most
    ``reach`` characters after the last one it holds. A search starting ``lead``
    characters before a mark (and not inside the stretch of the previous one) and
    stopping ``reach`` after one finds exactly the matches a search of the whole window
    finds: no match starts or ends in the parts left out. A stretch whose marks
    ``worth`` turns down holds no match that is a host, and is not searched.
    """

    expression: re.Pattern[str]
    mark: re.Pattern[str]
    lead: int
    reach: int
    worth: Callable[[str, list[int]], bool]

    def regions(self, text: str, windows: Sequence[Window], starts: list[int]) -> list[Window]:
        """The stretches of ``windows`` (which start at ``starts``) to search, in order.

        A stretch lies in one window (its search stops where the window's would), and
        stretches never overlap.
        """
        regions: list[Window] = []
        marks: list[int] = []  # the marks of the stretch being built
        start = end = last = -1  # the stretch being built, and its window
        for found in self.mark.finditer(text):
            mark = found.start()
            index = bisect_right(starts, mark) - 1
            if index < 0 or mark >= windows[index].end:
                continue
            window_start, window_end, _ = windows[index]
            if index != last or max(window_start, mark - self.lead) > end:
                if marks and self.worth(text, marks):
                    regions.append(Window(start, end, 0))
                marks, start, last = [], max(window_start, mark - self.lead), index
            marks.append(mark)
            end = min(window_end, mark + self.reach)
        if marks and self.worth(text, marks):
            regions.append(Window(start, end, 0))
        return regions


def _always(text: str, marks: list[int]) -> bool:
    """Every stretch is worth searching."""
    return True


def _may_hold_ipv6(text: str, marks: list[int]) -> bool:
    """Whether ``marks`` can be those of an address :class:`ipaddress.IPv6Address` reads.

    It holds ``::`` (a mark followed by a colon) or, without it, 6 colons at least (its
    colons but the last are marks): :func:`_too_few_groups`.
    """
    return len(marks) >= 5 or any(text[mark + 1] == ":" for mark in marks)


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

_SCANS = {
    "ipv4": _MarkScan(
        re.compile(DETECTOR.patterns[0].bounded.pattern),
        re.compile(r"\.(?=\d{1,3}\.\d{1,3}\.\d)"),
        lead=3,
        reach=14,
        worth=_always,
    ),
    "ipv6": _MarkScan(
        DETECTOR.patterns[1].bounded,
        re.compile(r":(?=[0-9a-f]{0,4}:)", re.IGNORECASE),
        lead=4,
        reach=39,
        worth=_may_hold_ipv6,
    ),
}
"""How each pattern is searched. A dotted quad's first dot is followed by two more dotted
octets; the quad starts at most 3 characters before it and, with the 2 characters its
look-ahead reads, ends 14 after it. Every colon of an IPv6 address but its last is followed
by a group and a colon; the address starts at most 4 characters before the first, and ends
with its look-ahead at most 39 after the one before the last (a group and a colon, an IPv4
tail of 15, a zone of 16, 2 read ahead); a stretch of fewer than 5 such colons and no
``::`` (clock times, ``12:30:45``) holds no address. The dotted-quad expression drops the
case-blind flag: it holds no letter, and no character its classes hold or miss changes
with case."""
