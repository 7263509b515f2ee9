"""The discovery benchmark's labelled database: 26 tables of a SaaS company and its legacy.

Each column carries its label: the fideslang category it holds, ``None`` when it is not
personal data, or :data:`IGNORED` when reasonable people disagree (a ``customer_id`` is a
pointer to a person, not personal data by its values) and it is left out of the scores.
The tables mix what discovery meets in practice:

- clear English names, and French, Dutch, German, Spanish, Italian and Polish ones
  (``courriel``, ``telefoon``, ``geburtsdatum``, ``apellidos``, ``codice_fiscale``);
- opaque names (``c1``, ``fld_07``, ``attr_x``) where only the values can tell;
- misleading names (``mail_sent`` boolean, ``phone_model``, ``archive_zip``,
  ``email_template``, ``ip_version``, ``name_of_file``, a product's ``name``);
- look-alikes (uuids, hashes, EAN-13, ISBN, tracking numbers, user agents, log lines,
  versions and Windows builds shaped like IPs, order numbers, SKUs, CIDR blocks, prices,
  temperatures beside latitudes);
- numbers stored as integers (cards and phones in BIGINT columns), NULLs (10-60 %),
  and free text with and without personal data.

Values come from :mod:`discovery_values` (check digits valid, locales mixed) and the
support texts from :mod:`discovery_text`, seeded, so a run is reproducible.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as sa


def _sibling(name: str) -> ModuleType:
    """The benchmark module ``name`` beside this file (the folder is not put on sys.path)."""
    if name not in sys.modules:
        path = Path(__file__).with_name(f"{name}.py")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


v = _sibling("discovery_values")
texts = _sibling("discovery_text")

IGNORED = "ignored"
"""A label for columns left out of the scores (foreign keys to people)."""

EMAIL = "user.contact.email"
PHONE = "user.contact.phone_number"
NAME, FIRST, LAST = "user.name", "user.name.first", "user.name.last"
STREET = "user.contact.address.street"
CITY = "user.contact.address.city"
POSTCODE = "user.contact.address.postal_code"
COUNTRY = "user.contact.address.country"
ADDRESS = "user.contact.address"
BIRTH = "user.demographic.date_of_birth"
GENDER = "user.demographic.gender"
BANK = "user.financial.bank_account"
CARD = "user.financial.credit_card"
NATIONAL = "user.government_id.national_identification_number"
IP = "user.device.ip_address"
USERNAME = "user.account.username"
PASSWORD = "user.authorization.password"
PRECISE = "user.location.precise"
PRIVATE = "user.content.private"

TYPES: dict[str, Callable[[], Any]] = {
    "int": sa.Integer, "bigint": sa.BigInteger, "str": lambda: sa.String(200),
    "text": sa.Text, "date": sa.Date, "datetime": sa.DateTime, "bool": sa.Boolean,
    "numeric": lambda: sa.Numeric(12, 2), "float": sa.Float,
}  # fmt: skip


@dataclass(frozen=True)
class Col:
    """One labelled column: its name, SQL type, value generator, label and share of NULLs."""

    name: str
    type: str
    make: Callable[[random.Random], object]
    label: str | None
    nulls: float = 0.0


@dataclass(frozen=True)
class Table:
    """A table of labelled columns (an integer ``id`` primary key is added, labelled None)."""

    name: str
    columns: tuple[Col, ...]


def _c(name: str, kind: str, make: Callable[[random.Random], object], label: str | None,
       nulls: float = 0.0) -> Col:  # fmt: skip
    return Col(name, kind, make, label, nulls)


_FR, _NL, _BE, _DE = ("fr_FR",), ("nl_NL",), ("nl_BE",), ("de_DE",)
_ES, _IT, _PL, _GB, _US = ("es_ES",), ("it_IT",), ("pl_PL",), ("en_GB",), ("en_US",)
_BOOL = v.choice(True, False)
_FKEY = lambda rng: rng.randint(1, 50_000)  # noqa: E731


def _int_text(make: Callable[[random.Random], object]) -> Callable[[random.Random], object]:
    return lambda rng: int(str(make(rng)).replace(" ", "").replace("-", ""))


TABLES: tuple[Table, ...] = (
    Table("customers", (
        _c("email", "str", v.email, EMAIL),
        _c("first_name", "str", v.first_name, FIRST),
        _c("last_name", "str", v.last_name, LAST),
        _c("phone", "str", v.phone, PHONE, 0.3),
        _c("date_of_birth", "date", v.birth_date, BIRTH, 0.4),
        _c("gender", "str", v.choice("male", "female", "other", "unspecified"), GENDER, 0.2),
        _c("country", "str", v.country, COUNTRY),
        _c("created_at", "datetime", v.timestamp, None),
        _c("mail_sent", "bool", _BOOL, None),
        _c("loyalty_points", "int", lambda r: r.randint(0, 5000), None),
    )),
    Table("klanten", (
        _c("voornaam", "str", lambda r: v.first_name(r, _NL + _BE), FIRST),
        _c("achternaam", "str", lambda r: v.last_name(r, _NL + _BE), LAST),
        _c("telefoon", "str", lambda r: v.phone(r, ("NL", "BE")), PHONE, 0.15),
        _c("straat", "str", lambda r: v.street(r, _NL + _BE), STREET),
        _c("postcode", "str", lambda r: v.postcode(r, _NL + _BE), POSTCODE),
        _c("woonplaats", "str", lambda r: v.city(r, _NL + _BE), CITY),
        _c("geboortedatum", "date", v.birth_date, BIRTH, 0.25),
        _c("bsn", "str", v.nl_bsn, NATIONAL, 0.5),
        _c("aangemaakt_op", "datetime", v.timestamp, None),
        _c("nieuwsbrief", "bool", _BOOL, None),
    )),
    Table("clients", (
        _c("nom", "str", lambda r: v.last_name(r, _FR), LAST),
        _c("prenom", "str", lambda r: v.first_name(r, _FR), FIRST),
        _c("courriel", "str", lambda r: v.email(r, _FR), EMAIL),
        _c("portable", "str", lambda r: v.phone(r, ("FR",)), PHONE, 0.2),
        _c("adresse", "str", lambda r: v.street(r, _FR), STREET),
        _c("code_postal", "str", lambda r: v.postcode(r, _FR), POSTCODE),
        _c("ville", "str", lambda r: v.city(r, _FR), CITY),
        _c("date_naissance", "str", lambda r: v.birth_text(r, "/"), BIRTH, 0.3),
        _c("numero_secu", "str", v.fr_nir, NATIONAL, 0.6),
        _c("rib", "str", lambda r: v.iban(r, ("FR",)), BANK, 0.4),
        _c("date_creation", "str", lambda r: v.recent_date(r).strftime("%d/%m/%Y"), None),
    )),
    Table("kunden", (
        _c("vorname", "str", lambda r: v.first_name(r, _DE), FIRST),
        _c("nachname", "str", lambda r: v.last_name(r, _DE), LAST),
        _c("anrede", "str", v.choice("Herr", "Frau"), GENDER),
        _c("geburtsdatum", "str", lambda r: v.birth_text(r, "."), BIRTH, 0.2),
        _c("strasse", "str", lambda r: v.street(r, _DE), STREET),
        _c("plz", "str", lambda r: v.postcode(r, _DE), POSTCODE),
        _c("ort", "str", lambda r: v.city(r, _DE), CITY),
        _c("steuer_id", "str", v.de_idnr, NATIONAL, 0.35),
        _c("bankverbindung", "str", lambda r: v.iban(r, ("DE",)), BANK, 0.3),
        _c("erstellt_am", "datetime", v.timestamp, None),
    )),
    Table("clientes", (
        _c("nombre", "str", lambda r: v.first_name(r, _ES), FIRST),
        _c("apellidos", "str", lambda r: v.last_name(r, _ES) + " " + v.last_name(r, _ES), LAST),
        _c("correo_electronico", "str", lambda r: v.email(r, _ES), EMAIL),
        _c("movil", "str", lambda r: v.phone(r, ("ES",)), PHONE),
        _c("dni", "str", v.es_dni, NATIONAL),
        _c("fecha_nacimiento", "date", v.birth_date, BIRTH, 0.1),
        _c("direccion", "str", lambda r: v.street(r, _ES), STREET),
        _c("codigo_postal", "str", lambda r: v.postcode(r, _ES), POSTCODE),
        _c("ciudad", "str", lambda r: v.city(r, _ES), CITY),
    )),
    Table("legacy_import", (
        _c("c1", "str", v.email, EMAIL, 0.1),
        _c("c2", "str", lambda r: v.full_name(r, style="caps"), NAME),
        _c("c3", "bigint", v.phone_digits, PHONE, 0.2),
        _c("c4", "str", v.uuid4, None),
        _c("c5", "bigint", _int_text(v.card_digits), CARD, 0.5),
        _c("c6", "str", v.sha256, None),
        _c("c7", "str", lambda r: v.birth_text(r, "/"), BIRTH, 0.3),
        _c("c8", "str", v.iban, BANK, 0.6),
        _c("c9", "str", v.password_hash, PASSWORD),
    )),
    Table("t_0042", (
        _c("fld_01", "str", v.ipv4, IP),
        _c("fld_02", "str", v.semver, None),
        _c("fld_03", "str", v.ean13, None),
        _c("fld_04", "str", v.it_codice_fiscale, NATIONAL, 0.2),
        _c("fld_05", "str", lambda r: v.postcode(r, _GB), POSTCODE),
        _c("fld_06", "numeric", v.price, None),
        _c("fld_07", "str", lambda r: v.timestamp(r).isoformat(sep=" "), None),
        _c("fld_08", "str", lambda r: v.full_name(r, style="comma"), NAME),
        _c("fld_09", "str", v.order_number, None),
    )),
    Table("attrs", (
        _c("attr_a", "str", v.ipv6, IP),
        _c("attr_b", "str", v.cidr, None),
        _c("attr_x", "str", v.pl_pesel, NATIONAL),
        _c("attr_y", "str", v.lat_lng_text, PRECISE, 0.3),
        _c("attr_z", "str", v.md5, None),
        _c("attr_w", "str", v.tracking_number, None),
        _c("attr_v", "bigint", lambda r: int(v.nl_bsn(r)), NATIONAL, 0.4),
        _c("attr_u", "str", v.gb_nino, NATIONAL),
    )),
    Table("orders", (
        _c("order_number", "str", v.order_number, None),
        _c("customer_id", "int", _FKEY, IGNORED),
        _c("total_price", "numeric", v.price, None),
        _c("currency", "str", v.choice("EUR", "GBP", "USD", "PLN"), None),
        _c("shipped_on", "date", v.recent_date, None, 0.2),
        _c("shipping_address", "str", v.full_address, ADDRESS),
        _c("billing_zip", "str", v.postcode, POSTCODE),
        _c("tracking_number", "str", v.tracking_number, None, 0.2),
        _c("status", "str", v.choice("paid", "shipped", "delivered", "refunded"), None),
    )),
    Table("products", (
        _c("sku", "str", v.sku, None),
        _c("ean", "str", v.ean13, None),
        _c("isbn", "str", v.isbn13, None, 0.6),
        _c("name", "str", v.choice("Blue mug", "Canvas tote", "Wool socks", "Desk lamp",
                                   "Travel adapter", "Phone case", "USB-C cable"), None),
        _c("price", "numeric", v.price, None),
        _c("origin_country", "str", v.choice("CN", "VN", "PT", "DE", "BD", "TR"), None),
        _c("phone_model", "str", v.choice("iPhone 15 Pro", "Galaxy S24", "Pixel 8",
                                          "iPhone 13", "Xperia 10 V"), None, 0.5),
        _c("weight_g", "int", lambda r: r.randint(20, 4000), None),
    )),
    Table("email_campaigns", (
        _c("email_template", "text", lambda r: texts.template_text(r), None),
        _c("subject", "str", v.choice("Spring sale", "Your invoice", "We miss you",
                                      "New arrivals", "Black Friday deals"), None),
        _c("mail_sent", "bool", _BOOL, None),
        _c("sent_at", "datetime", v.timestamp, None, 0.3),
        _c("open_rate", "float", lambda r: round(r.random(), 4), None),
    )),
    Table("attachments", (
        _c("name_of_file", "str", v.file_name, None),
        _c("archive_zip", "str", lambda r: f"backup-{v.recent_date(r)}.zip", None),
        _c("sha256", "str", v.sha256, None),
        _c("size_bytes", "bigint", lambda r: r.randint(100, 10**9), None),
        _c("mime_type", "str", v.choice("application/pdf", "image/png", "text/csv"), None),
        _c("uploaded_from", "str", v.ip_any, IP, 0.1),
    )),
    Table("access_log", (
        _c("ts", "datetime", v.timestamp, None),
        _c("remote_addr", "str", v.ip_any, IP),
        _c("user_agent", "str", v.user_agent, None),
        _c("path", "str", v.choice("/api/v1/orders", "/login", "/static/app.js", "/health"), None),
        _c("status_code", "int", v.choice(200, 201, 301, 404, 500), None),
        _c("ip_version", "int", v.choice(4, 6), None),
        _c("latency_ms", "int", lambda r: r.randint(1, 3000), None),
        _c("log_line", "text", v.log_line, None),
    )),
    Table("devices", (
        _c("phone_model", "str", v.choice("iPhone 15 Pro", "Galaxy S24", "Pixel 8"), None),
        _c("os_build", "str", v.semver, None),
        _c("app_version", "str", lambda r: f"{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randrange(9)}",
           None),
        _c("last_ip", "str", v.ip_any, IP, 0.25),
        _c("push_enabled", "bool", _BOOL, None),
        _c("battery_pct", "int", lambda r: r.randint(1, 100), None),
    )),
    Table("accounts", (
        _c("username", "str", v.username, USERNAME),
        _c("password_hash", "str", v.password_hash, PASSWORD),
        _c("email", "str", v.email, EMAIL),
        _c("last_login_ip", "str", v.ip_any, IP, 0.3),
        _c("created_at", "datetime", v.timestamp, None),
        _c("api_version", "str", v.choice("2023-10-16", "2024-04-10", "v2", "v3"), None),
        _c("is_active", "bool", _BOOL, None),
    )),
    Table("payments", (
        _c("card_number", "str", v.card, CARD, 0.3),
        _c("iban", "str", v.iban, BANK, 0.5),
        _c("amount", "numeric", v.price, None),
        _c("paid_at", "datetime", v.timestamp, None),
        _c("reference", "str", lambda r: f"INV-{r.randint(2019, 2025)}-{r.randint(1, 9999):04d}",
           None),
        _c("card_brand", "str", v.choice("visa", "mastercard", "amex"), None),
        _c("customer_id", "int", _FKEY, IGNORED),
    )),
    Table("employees", (
        _c("full_name", "str", lambda r: v.full_name(r, _BE + _FR), NAME),
        _c("national_number", "str", v.be_national_number, NATIONAL),
        _c("birth_date", "date", v.birth_date, BIRTH),
        _c("hire_date", "date", v.recent_date, None),
        _c("department", "str", v.choice("Sales", "Finance", "R&D", "Support"), None),
        _c("work_phone", "str", lambda r: v.phone(r, ("BE",)), PHONE, 0.1),
        _c("home_address", "str", lambda r: v.street(r, _BE), STREET),
    )),
    Table("support_tickets", (
        _c("subject", "str", v.choice("Cannot log in", "Refund", "Invoice question",
                                      "Delivery late", "Bug report"), None),
        _c("body", "text", texts.ticket_text, PRIVATE),
        _c("created_at", "datetime", v.timestamp, None),
        _c("priority", "int", v.choice(1, 2, 3), None),
        _c("customer_id", "int", _FKEY, IGNORED),
    )),
    Table("changelog", (
        _c("version", "str", v.semver, None),
        _c("notes", "text", texts.release_note, None),
        _c("published_at", "datetime", v.timestamp, None),
    )),
    Table("iscritti", (
        _c("email", "str", lambda r: v.email(r, _IT), EMAIL),
        _c("nome", "str", lambda r: v.first_name(r, _IT), FIRST),
        _c("cognome", "str", lambda r: v.last_name(r, _IT), LAST),
        _c("codice_fiscale", "str", v.it_codice_fiscale, NATIONAL),
        _c("telefono", "str", lambda r: v.phone(r, ("IT",)), PHONE, 0.4),
        _c("cap", "str", lambda r: v.postcode(r, _IT), POSTCODE),
        _c("citta", "str", lambda r: v.city(r, _IT), CITY),
    )),
    Table("uk_members", (
        _c("member_name", "str", lambda r: v.full_name(r, _GB, "upper"), NAME),
        _c("nino", "str", v.gb_nino, NATIONAL),
        _c("postcode", "str", lambda r: v.postcode(r, _GB), POSTCODE),
        _c("mobile", "str", lambda r: v.phone(r, ("GB",)), PHONE),
        _c("dob", "str", lambda r: v.birth_text(r, "-"), BIRTH),
        _c("joined", "str", lambda r: v.recent_date(r).isoformat(), None),
    )),
    Table("us_accounts", (
        _c("holder", "str", lambda r: v.full_name(r, _US), NAME),
        _c("ssn", "str", v.us_ssn, NATIONAL, 0.2),
        _c("street_address", "str", lambda r: v.street(r, _US), STREET),
        _c("zip", "str", lambda r: v.postcode(r, _US), POSTCODE),
        _c("phone_number", "str", lambda r: v.phone(r, ("US",)), PHONE),
        _c("balance", "numeric", v.price, None),
    )),
    Table("klienci", (
        _c("imie", "str", lambda r: v.first_name(r, _PL), FIRST),
        _c("nazwisko", "str", lambda r: v.last_name(r, _PL), LAST),
        _c("pesel", "str", v.pl_pesel, NATIONAL),
        _c("telefon", "str", lambda r: v.phone(r, ("PL",)), PHONE),
        _c("e_mail", "str", lambda r: v.email(r, _PL), EMAIL),
    )),
    Table("geo_events", (
        _c("lat", "float", lambda r: round(r.uniform(36.0, 58.5), 6), PRECISE),
        _c("lng", "float", lambda r: round(r.uniform(-9.0, 24.0), 6), PRECISE),
        _c("accuracy_m", "int", lambda r: r.randint(3, 80), None),
        _c("temperature_c", "float", lambda r: round(r.uniform(-5, 38), 1), None),
        _c("recorded_at", "datetime", v.timestamp, None),
        _c("device_uuid", "str", v.uuid4, IGNORED),
    )),
    Table("settings", (
        _c("allowed_cidr", "str", v.cidr, None),
        _c("smtp_host", "str", v.choice("smtp.mailgun.org", "mail.example.net"), None),
        _c("min_client_version", "str", v.semver, None),
        _c("feature_flag", "str", v.choice("beta_checkout", "dark_mode", "new_search"), None),
        _c("exchange_rate", "float", lambda r: round(r.uniform(0.8, 1.4), 4), None),
    )),
    Table("shipments", (
        _c("tracking_no", "str", v.tracking_number, None),
        _c("carrier", "str", v.choice("bpost", "PostNL", "DHL", "UPS", "DPD"), None),
        _c("recipient", "str", v.full_name, NAME),
        _c("dest_postcode", "str", v.postcode, POSTCODE),
        _c("shipped_on", "date", v.recent_date, None),
        _c("delivered_on", "date", v.recent_date, None, 0.3),
        _c("parcel_ean", "bigint", lambda r: int(v.ean13(r)), None),
    )),
    Table("inwoners", (
        _c("rijksregisternummer", "str", lambda r: v.be_national_number(r, False), NATIONAL),
        _c("naam", "str", lambda r: v.full_name(r, _BE, "upper"), NAME),
        _c("geslacht", "str", v.choice("M", "V"), GENDER),
        _c("gemeente", "str", lambda r: v.city(r, _BE), CITY),
        _c("gsm", "bigint", lambda r: v.phone_digits(r, ("BE",)), PHONE, 0.3),
        _c("gebruikersnaam", "str", v.username, USERNAME, 0.4),
        _c("kaartnummer", "str", v.card, CARD, 0.5),
    )),
)  # fmt: skip


def labels() -> dict[tuple[str, str], str | None]:
    """``(table, column)`` -> label, ``id`` columns included (None)."""
    found: dict[tuple[str, str], str | None] = {}
    for table in TABLES:
        found[(table.name, "id")] = None
        for column in table.columns:
            found[(table.name, column.name)] = column.label
    return found


def metadata() -> tuple[sa.MetaData, dict[str, sa.Table]]:
    """The SQLAlchemy tables (``id`` integer primary key first)."""
    meta = sa.MetaData()
    tables = {
        table.name: sa.Table(
            table.name,
            meta,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            *(sa.Column(col.name, TYPES[col.type]()) for col in table.columns),
        )
        for table in TABLES
    }
    return meta, tables


def rows_of(table: Table, count: int, rng: random.Random) -> list[dict[str, object]]:
    """``count`` rows of ``table`` (NULLs at each column's rate)."""
    rows = []
    for number in range(1, count + 1):
        row: dict[str, object] = {"id": number}
        for col in table.columns:
            row[col.name] = None if col.nulls and rng.random() < col.nulls else col.make(rng)
        rows.append(row)
    return rows


def load(engine: sa.Engine, count: int, seed: int) -> int:
    """Create every table on ``engine`` (replacing them) and fill it; the cells written."""
    meta, tables = metadata()
    meta.drop_all(engine)
    meta.create_all(engine)
    cells = 0
    for table in TABLES:
        rng = random.Random(f"{seed}:{table.name}")
        rows = rows_of(table, count, rng)
        with engine.begin() as connection:
            for start in range(0, len(rows), 1000):
                connection.execute(tables[table.name].insert(), rows[start : start + 1000])
        cells += count * (len(table.columns) + 1)
    return cells


def drop(engine: sa.Engine) -> None:
    """Drop the benchmark's tables."""
    metadata()[0].drop_all(engine)
