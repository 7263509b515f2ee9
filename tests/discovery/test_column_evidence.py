"""Column evidence: check digits beyond chance, log lines, points, profile links, names, spans.

Each rule is proven on columns built here, positive and negative: a check digit passed far
more often than chance beats a shape-only match; log lines veto the IP addresses in them;
coordinates and profile links stored as text are personal; a name whose varied text values
fit it reaches the threshold; and ``--text`` spans say which value they are in.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import sqlalchemy as sa
from stdnum.nl import bsn
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.discovery.columns import classify_column
from tutela.discovery.detectors.coordinates import DETECTOR as COORDINATES
from tutela.discovery.detectors.lookalikes import LOG_LINE
from tutela.discovery.detectors.profile_url import DETECTOR as PROFILES
from tutela.discovery.evidence import binomial_tail
from tutela.discovery.models import NO_CHECK, Span, ValueScore, chance_of
from tutela.discovery.registry import detectors
from tutela.ports import ColumnInfo

NATIONAL_ID = "user.government_id.national_identification_number"
PHONE = "user.contact.phone_number"


def classify(name: str, values: list[object], kind: str = "VARCHAR", *, text: bool = False):  # type: ignore[no-untyped-def]
    return classify_column("t", ColumnInfo(name, kind), values, detectors(), text=text)


def valid_bsns(count: int, seed: int = 3) -> list[int]:
    rng, found = random.Random(seed), []
    while len(found) < count:
        number = rng.randrange(10**8, 10**9)
        if bsn.is_valid(str(number)):
            found.append(number)
    return found


# --- 1. check digits against chance ------------------------------------------------------


@pytest.mark.parametrize("name", ["attr_v", "c3", "phone"])
def test_integers_all_passing_the_11_test_are_bsns_not_bare_digit_phones(name: str) -> None:
    finding = classify(name, valid_bsns(300), "INTEGER")
    assert finding.category == NATIONAL_ID, finding
    assert finding.confidence >= 0.8
    assert any("1 time in 11" in line for line in finding.evidence)


def test_random_nine_digit_integers_are_not_bsns_their_pass_rate_is_chance() -> None:
    rng = random.Random(5)
    finding = classify("c3", [rng.randrange(10**8, 10**9) for _ in range(300)], "INTEGER")
    assert finding.category != NATIONAL_ID


@pytest.mark.parametrize(
    ("passes", "scored", "chance", "significant"),
    [(20, 20, 1 / 11, True), (8, 8, 1 / 11, True), (10, 100, 1 / 11, False), (3, 3, 1 / 11, False)],
)
def test_binomial_tail_separates_check_digits_from_chance(
    passes: int, scored: int, chance: float, significant: bool
) -> None:
    assert (binomial_tail(passes, scored, chance) < 1e-6) is significant


def test_a_plug_in_without_a_chance_attribute_counts_as_no_check() -> None:
    class Plugin:
        name, category, countries, lookalike = "plugin", "user.x", (), False

        def score_value(self, value: str) -> ValueScore:
            return ValueScore(0.0)

    assert chance_of(Plugin()) == NO_CHECK  # type: ignore[arg-type]
    assert chance_of(detectors().by_name("national_id_nl")) == pytest.approx(1 / 11)
    assert chance_of(detectors().by_name("iban")) == pytest.approx(1 / 97)


# --- 2. log lines ------------------------------------------------------------------------

LOG_LINES = [
    "2024-03-01T10:15:02.123Z INFO  [api] request from 10.0.3.17 took 32 ms",
    "2024-03-01 10:15:02,123 - app.views - WARNING - slow query on /api/orders",
    "2024-03-01 10:15:02.123 [main] ERROR com.acme.Db - connection to 172.16.4.2 refused",
    "2024/03/01 10:15:02 [error] 1234#0: *5 connect() failed, client: 192.168.1.20",
    "Mar  1 10:15:02 web01 sshd[4242]: Accepted publickey for deploy from 10.0.0.5 port 51022",
    "<165>1 2003-10-11T22:14:15.003Z host.example.com evntslog - ID47 - An application event",
    '10.1.2.3 - - [01/Mar/2024:10:15:02 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.27"',
    "[Fri Mar 01 10:15:02.123456 2024] [core:error] [pid 1234] [client 10.0.0.9:5123] no file",
    'ts=2024-03-01T10:15:02Z level=info msg="request done" path=/api ip=10.0.0.4',
    '{"ts": "2024-03-01T10:15:02Z", "level": "error", "msg": "timeout", "remote": "10.2.3.4"}',
    "Mar 1, 2024 10:15:02 AM org.apache.catalina.startup.Catalina start",
    "I0301 10:15:02.123456    1234 server.go:42] Listening on 10.0.0.1:8080",
    "ERROR:root:could not connect to 10.0.0.8",
]
NOT_LOG_LINES = [
    "Jan Janssens",
    "Please call me back at 0470 12 34 56",
    "2024-03-01 10:15:02",
    "Kerkstraat 12, 1000 Brussel",
    "Error in order 1234, the customer complained",
    '{"name": "Jan", "email": "jan@example.com"}',
    "a=1 b=2 c=3",
    "2024-03-01 10:15:02 Meeting with Anna about her information request",
]


@pytest.mark.parametrize("line", LOG_LINES)
def test_log_line_formats_are_look_alikes(line: str) -> None:
    assert LOG_LINE.score_value(line).score > 0


@pytest.mark.parametrize("value", NOT_LOG_LINES)
def test_other_values_are_not_log_lines(value: str) -> None:
    assert LOG_LINE.score_value(value).score == 0


@pytest.mark.parametrize("text", [False, True])
def test_a_column_of_log_lines_with_internal_ips_is_not_personal(text: bool) -> None:
    rng = random.Random(2)
    lines = [
        f"2024-03-{1 + n % 28:02d}T10:{n % 60:02d}:02Z {rng.choice(['INFO', 'WARN', 'ERROR'])} "
        f"[worker-{n % 4}] GET /api/v1/items/{n} from 10.{n % 200}.{n % 7}.{1 + n % 250} "
        f"in {rng.randrange(2, 900)} ms"
        for n in range(200)
    ]
    assert classify("line", lines, text=text).category is None


def test_a_column_of_bare_ips_is_ip_addresses() -> None:
    addresses = [f"81.{n % 250}.{n % 7}.{1 + n % 250}" for n in range(200)]
    assert classify("c9", addresses).category == "user.device.ip_address"


# --- 3. coordinates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "point",
    [
        "50.8503, 4.3517",
        "50.8503;4.3517",
        "(50.8503, 4.3517)",
        "-33.8688,151.2093",
        "50.8503° N, 4.3517° E",
        "POINT(4.35 50.85)",
        "SRID=4326;POINT (4.3517 50.8503)",
        "geo:50.8503,4.3517",
        "50°51'N 4°21'E",
        "50°51'01.1\"N 4°21'06.1\"E",
        "N 50° 51.018' E 4° 21.060'",
    ],
)
def test_points_stored_as_text_are_coordinates(point: str) -> None:
    assert COORDINATES.score_value(point).score > 0


@pytest.mark.parametrize(
    "value",
    [
        *("12.50, 3.99", "0.8512;0.9231", "0.0, 0.0", "95.1234, 4.3517", "50.8503, 190.1234"),
        *("50, 4", "1.2.3", "10.0.0.1", "3.14159", "POINT(500 50)", "50°75'N 4°21'E", "2024.11.5"),
    ],
)
def test_prices_shares_versions_and_impossible_points_are_not_coordinates(value: str) -> None:
    assert COORDINATES.score_value(value).score == 0


def test_a_column_of_text_points_is_a_precise_location() -> None:
    rng = random.Random(4)
    points = [f"{rng.uniform(-60, 70):.5f}, {rng.uniform(-170, 170):.5f}" for _ in range(200)]
    finding = classify("c7", points)
    assert finding.category == "user.location.precise"
    assert finding.confidence >= 0.6


def test_coordinates_in_text_need_an_unambiguous_form() -> None:
    text = "Meet at 50.85034, 4.35171 or geo:48.8566,2.3522; it cost 12.50, 3.99 in total."
    found = [text[s.start : s.end] for s in COORDINATES.find_spans(text)]
    assert sorted(found) == ["50.85034, 4.35171", "geo:48.8566,2.3522"]


# --- 5. profile links and names that values fit ------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/jane-doe-123abc",
        "https://be.linkedin.com/in/jdoe/",
        "linkedin.com/in/jdoe",
        "https://www.xing.com/profile/Jane_Doe",
        "https://www.facebook.com/jane.doe",
        "https://x.com/jdoe",
        "https://github.com/jdoe",
        "https://www.indeed.com/r/Jane-Doe/3f2a1b",
        "https://medium.com/@jdoe",
        "https://www.linkedin.example/in/hanswernercallahan",
    ],
)
def test_profile_links_of_people_are_contact_urls(url: str) -> None:
    assert PROFILES.score_value(url).score > 0


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/company/acme",
        "https://www.linkedin.com/jobs/view/123",
        "https://github.com/acme/widgets",
        "https://www.facebook.com/groups/123",
        "https://x.com/search?q=a",
        "https://www.facebook.com/",
        "https://x.com/jdoe/status/123456",
        "https://www.example.test/pricing?ref=12",
        "https://www.boxing.com/in/jdoe",
        "https://docs.python.org/3/library/re.html",
    ],
)
def test_network_pages_repositories_and_other_sites_are_not_profiles(url: str) -> None:
    assert PROFILES.score_value(url).score == 0


@pytest.mark.parametrize("name", ["linkedin_url", "c4"])
def test_a_column_of_profile_links_is_user_contact_url(name: str) -> None:
    links = [f"https://www.linkedin.com/in/person-{n:04d}" for n in range(100)]
    finding = classify(name, links)
    assert finding.category == "user.contact.url"
    assert finding.confidence >= 0.6


def test_a_column_of_page_urls_is_not_personal() -> None:
    pages = [f"https://www.example.com/docs/page-{n}?ref={n % 7}" for n in range(100)]
    assert classify("url", pages).category is None


STREETS = ["Lara Orchard", "Price Islands", "Kerkstraat", "Rue Haute", "Brown Road", "Via Roma"]


@pytest.mark.parametrize(
    ("name", "values", "category", "reaches"),
    [
        ("street", [f"{STREETS[n % 6]} {n}" for n in range(120)], "user.contact.address.street", 1),
        ("billed_address", [f"{STREETS[n % 6]} {n}, 1000 X" for n in range(90)], "", 1),
        ("display_name", [f"handle{n}x" for n in range(80)], "user.account.username", 1),
        ("street", [f"ST{n:04d}" for n in range(120)], "user.contact.address.street", 0),
        ("street", ["Main"] * 50, "user.contact.address.street", 0),
    ],
)
def test_an_unambiguous_name_with_fitting_varied_text_reaches_the_threshold(
    name: str, values: list[object], category: str, reaches: int
) -> None:
    finding = classify(name, values)
    assert finding.category is not None
    if category:
        assert finding.category == category
    assert (finding.confidence >= 0.6) is bool(reaches), finding


# --- 4. spans per sampled value ----------------------------------------------------------

NOTES = [
    "Delivery was late because the warehouse closed early this week, again and again.",
    "Customer Anna asked to be called back on +32 470 12 34 56 before Friday, please.",
    "Please write to anna.peeters@example.org about the refund of order 8812 this week.",
]


def test_text_spans_say_which_value_they_are_in_with_offsets_within_it() -> None:
    finding = classify("note", NOTES * 5, text=True)
    assert finding.spans and len(finding.texts) == 3
    for span in finding.spans:
        assert isinstance(span, Span) and span.value is not None
        assert 0 <= span.start < span.end <= len(finding.texts[span.value])
    found = {finding.texts[s.value][s.start : s.end] for s in finding.spans if s.value is not None}
    assert {"+32 470 12 34 56", "anna.peeters@example.org"} <= found


def test_discover_text_json_gives_each_span_its_value_index_and_text(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE ticket (id INTEGER PRIMARY KEY, body TEXT)"))
        rows = [{"id": n, "body": NOTES[n % 3] + f" Ticket {n}."} for n in range(30)]
        connection.execute(sa.text("INSERT INTO ticket VALUES (:id, :body)"), rows)
    engine.dispose()
    result = CliRunner().invoke(app, ["discover", url, "--format", "json", "--text"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    spans = next(r for r in records if r["column"] == "body")["spans"]
    assert spans
    for span in spans:
        assert isinstance(span["value"], int)
        assert len(span["text"]) == span["end"] - span["start"]
    assert any(s["text"] == "anna.peeters@example.org" for s in spans)
