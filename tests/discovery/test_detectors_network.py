"""IP-address detector: device addresses kept, versions, networks and settings rejected."""

from __future__ import annotations

import ipaddress

import pytest
from faker import Faker

from tutela.discovery.detectors.ip_address import DETECTOR as IP
from tutela.discovery.detectors.ip_address import is_netmask
from tutela.discovery.models import Detector
from tutela.plugins import DETECTORS


def spans(text: str) -> list[str]:
    found = list(IP.find_spans(text))
    for span in found:
        assert span.category == "user.device.ip_address"
        assert 0.0 < span.confidence <= 1.0
    return [text[span.start : span.end] for span in sorted(found, key=lambda s: s.start)]


def test_builtin_entry_points_at_the_detector() -> None:
    module, _, attribute = DETECTORS.builtins["ip_address"].partition(":")
    detector = getattr(__import__(module, fromlist=[attribute]), attribute)
    assert isinstance(detector, Detector) and detector.name == "ip_address"


ADDRESSES = [
    ("81.2.69.160", 0.9),
    ("8.8.244.12", 0.9),
    ("192.168.1.10", 0.8),  # private: an end user's device behind a NAT
    ("10.0.0.1", 0.8),
    ("172.16.254.3", 0.8),
    ("203.0.113.7", 0.7),  # RFC 5737 documentation range
    ("2a02:1810:4d02:a00:1c4d:5e2b:9f11:1234", 0.9),
    ("2A02:1810:4D02:A00::1234", 0.9),
    ("2001:db8::1", 0.7),  # RFC 3849 documentation range
    ("fd12:3456:789a:1::1", 0.8),  # unique local
    ("::ffff:81.2.69.160", 0.9),  # IPv4-mapped
    ("2001:0db8:0000:0000:0000:ff00:0042:8329", 0.7),
]
NOT_ADDRESSES = [
    "1.2.3.4",  # single-digit quads: a version
    "01.02.03.04",  # leading zeros: an OID or a dotted number
    "256.1.1.1",
    "1.2.3",
    "1.2.3.4.5",
    "255.255.255.0",  # netmask
    "255.255.0.0",
    "0.0.0.0",
    "255.255.255.255",
    "127.0.0.1",
    "169.254.10.1",
    "224.0.0.251",
    "240.1.2.3",
    "10.0.0.0/8",
    "192.168.0.0/16",
    "::",
    "::1",
    "fe80::1%eth0",
    "ff02::1",
    "12:30:45",
    "00:1a:2b:3c:4d:5e",
    "dead::beef",
    "v1.2.3.40",
    "2024-05-01T10:00:00Z",
]


@pytest.mark.parametrize(("value", "score"), ADDRESSES)
def test_ip_whole_values_score_by_address_kind(value: str, score: float) -> None:
    assert IP.score_value(value).score == score


@pytest.mark.parametrize("value", NOT_ADDRESSES)
def test_ip_rejects_versions_networks_netmasks_and_special_addresses(value: str) -> None:
    assert IP.score_value(value).score == 0.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("255.255.255.0", True),
        ("255.255.255.252", True),
        ("255.0.0.0", True),
        ("255.255.0.255", False),
        ("254.0.0.0", False),
        ("81.2.69.160", False),
    ],
)
def test_netmasks_are_contiguous_ones_from_255(value: str, expected: bool) -> None:
    assert is_netmask(int(ipaddress.IPv4Address(value))) is expected


def test_ip_accepts_generated_addresses() -> None:
    fake = Faker()
    fake.seed_instance(11)
    values = [fake.ipv4_public() for _ in range(300)] + [fake.ipv4_private() for _ in range(300)]
    assert all(IP.score_value(value).score > 0 for value in values)
    v6 = [fake.ipv6() for _ in range(300)]
    assert sum(IP.score_value(value).score > 0 for value in v6) >= 290


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Login from 81.2.69.160 at 12:30:45", ["81.2.69.160"]),
        ("client 2a02:1810:4d02:a00::1234 connected", ["2a02:1810:4d02:a00::1234"]),
        ("GET [2001:db8::5]:443 and 10.1.2.3:8080.", ["2001:db8::5", "10.1.2.3"]),
        ("adresse IP : 192.168.1.10, merci", ["192.168.1.10"]),
        ("version 10.2.3.40 released", []),
        ("build 4.12.130.7 and release 2.14.1.22", []),
        ("1.2.3.4-beta is out", []),
        ("net 10.0.0.0/8 and 192.168.0.0/24", []),
        ("gateway 192.168.1.1, netmask 255.255.255.0, dns 81.2.69.1", []),
        ("OID 1.3.6.1.4.1.311 and 2.5.4.3", []),
        ("mac 00:1a:2b:3c:4d:5e at 10:30:00", []),
        ("localhost 127.0.0.1 and ::1", []),
        ("std::vector<int> a::b", []),
    ],
)
def test_ip_spans_in_text_have_exact_offsets(text: str, expected: list[str]) -> None:
    assert spans(text) == expected


def test_ip_span_confidence_follows_address_kind_and_context() -> None:
    public = next(IP.find_spans("seen 81.2.69.160 today"))
    private = next(IP.find_spans("seen 192.168.1.10 today"))
    near = next(IP.find_spans("ip address: 81.2.69.160"))
    assert near.confidence > public.confidence > private.confidence
