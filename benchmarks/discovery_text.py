"""Labelled texts for the discovery benchmark: support tickets and notes in en, fr, nl, de.

A document is written from a template whose ``{slots}`` are filled with values from
:mod:`discovery_values`; a personal slot (``{email}``, ``{phone}``, ``{iban}``, ``{card}``,
``{nid}``, ``{ip}``, ``{name}``, ``{address}``, ``{postcode}``) records a gold span at its
offsets, a hard negative (``{order}``, ``{version}``, ``{ts}``, ``{price}``, ``{tracking}``,
``{hash}``, ``{url}``, ``{uuid}``, ``{sku}``, ``{build}``) records nothing. Scoring: a
predicted span is a true positive when its category equals a gold span's or is its parent
or child (``user.name`` and ``user.name.first``) and their offsets overlap; a gold span is
found when such a prediction exists. The floor is one combined regular expression.
"""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType


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

Gold = tuple[int, int, str]

NAME, EMAIL, PHONE = "user.name", "user.contact.email", "user.contact.phone_number"
BANK, CARD = "user.financial.bank_account", "user.financial.credit_card"
NATIONAL = "user.government_id.national_identification_number"
IP, ADDRESS = "user.device.ip_address", "user.contact.address"
POSTCODE = "user.contact.address.postal_code"

LANGS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"locales": ("en_GB", "en_US"), "phones": ("GB", "US"), "ids": ("gb", "us")},
    "fr": {"locales": ("fr_FR",), "phones": ("FR", "BE"), "ids": ("fr", "be")},
    "nl": {"locales": ("nl_NL", "nl_BE"), "phones": ("NL", "BE"), "ids": ("nl", "be")},
    "de": {"locales": ("de_DE",), "phones": ("DE",), "ids": ("de",)},
}

TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (
        "Hi, this is {name}. I changed my e-mail to {email} but order {order} still goes to the "
        "old one. Can you call me on {phone}? Thanks.",
        "Customer {name} ({email}) asked for a refund of {price} EUR on {ts}. Tracking {tracking}.",
        "Please update the payout account to {iban}. Reference {order}, invoice total {price}.",
        "The card {card} was declined twice yesterday, order {order}. App version {version}.",
        "Login from {ip} flagged as suspicious for {email}; session {uuid} revoked at {ts}.",
        "New address: {address}. Please ship order {order} there, not to the office.",
        "My National Insurance number is {nid} and my date of birth is on file. Ticket {order}.",
        "Spoke with {name} by phone ({phone}). Build {build} fixes the sync bug, see {url}.",
        "Postcode {postcode} is not accepted at checkout, SKU {sku}, cart hash {hash}.",
        "Escalated by {name}: duplicate charge on {card}, {price} EUR, {ts}.",
    ),
    "fr": (
        "Bonjour, je suis {name}, mon adresse mail est {email}. La commande {order} n'est "
        "toujours pas arrivée. Merci de me rappeler au {phone}.",
        "Merci de verser le remboursement de {price} € sur le compte {iban}. Réf. {order}.",
        "Client {name} : paiement refusé avec la carte {card} le {ts}.",
        "Connexion depuis {ip} pour {email}, version de l'app {version}, session {uuid}.",
        "Nouvelle adresse de livraison : {address}. Colis {tracking}.",
        "Mon numéro de sécurité sociale est le {nid}, pour le dossier {order}.",
        "Appel de {name} au {phone} au sujet de la facture {order} ({price} €).",
        "Le code postal {postcode} est refusé au paiement, produit {sku}, voir {url}.",
        "Mise à jour {build} déployée le {ts}, empreinte {hash}.",
    ),
    "nl": (
        "Goedemorgen, met {name}. Mijn e-mailadres is gewijzigd naar {email}, bestelling "
        "{order}. Bel me gerust op {phone}.",
        "Graag het bedrag van {price} euro terugstorten op {iban}. Kenmerk {order}.",
        "Klant {name} meldt dat kaart {card} geweigerd werd op {ts}.",
        "Aanmelding vanaf {ip} voor {email} geblokkeerd, app-versie {version}.",
        "Nieuw adres: {address}. Pakket {tracking} werd teruggestuurd.",
        "Mijn BSN/rijksregisternummer is {nid}, zie dossier {order}.",
        "{name} belde ({phone}) over factuur {order} van {price} euro.",
        "Postcode {postcode} wordt niet aanvaard bij het afrekenen, artikel {sku}, {url}.",
        "Versie {build} uitgerold op {ts}, checksum {hash}, sessie {uuid}.",
    ),
    "de": (
        "Guten Tag, hier ist {name}. Meine neue E-Mail-Adresse lautet {email}, Bestellung "
        "{order}. Rückruf bitte unter {phone}.",
        "Bitte erstatten Sie {price} EUR auf das Konto {iban}. Vorgang {order}.",
        "Kunde {name}: Zahlung mit Karte {card} am {ts} abgelehnt.",
        "Anmeldung von {ip} für {email} gesperrt, App-Version {version}, Sitzung {uuid}.",
        "Neue Lieferadresse: {address}. Sendung {tracking}.",
        "Meine Steuer-ID ist {nid}, bitte im Vorgang {order} ergänzen.",
        "{name} hat angerufen ({phone}) wegen Rechnung {order} über {price} EUR.",
        "Die PLZ {postcode} wird an der Kasse abgelehnt, Artikel {sku}, siehe {url}.",
        "Version {build} am {ts} ausgerollt, Prüfsumme {hash}.",
    ),
}

RELEASE_NOTES = (
    "Release {version}: faster sync, fixed crash on launch (build {build}). Hash {hash}.",
    "Deployed {build} to production on {ts}; rollback plan in {url}.",
    "SKU {sku} price changed to {price}; catalogue export {uuid} regenerated.",
    "Carrier API now returns tracking numbers like {tracking}; order {order} reprocessed.",
)


def _national(rng: random.Random, lang: str) -> str:
    return v.NATIONAL_IDS[rng.choice(LANGS[lang]["ids"])](rng)


def _slots(lang: str) -> dict[str, tuple[str | None, Callable[[random.Random], object]]]:
    locales, phones = LANGS[lang]["locales"], LANGS[lang]["phones"]
    return {
        "name": (NAME, lambda r: v.full_name(r, locales, r.choice(("plain", "plain", "initial")))),
        "email": (EMAIL, lambda r: v.email(r, locales)),
        "phone": (PHONE, lambda r: v.phone(r, phones)),
        "iban": (BANK, v.iban),
        "card": (CARD, v.card),
        "nid": (NATIONAL, lambda r: _national(r, lang)),
        "ip": (IP, v.ip_any),
        "address": (ADDRESS, lambda r: v.full_address(r, locales)),
        "postcode": (POSTCODE, lambda r: v.postcode(r, locales)),
        "order": (None, v.order_number),
        "version": (None, v.semver),
        "build": (
            None,
            lambda r: f"{r.randint(2019, 2025)}.{r.randint(1, 12)}.{r.randint(1, 400)}",
        ),
        "ts": (None, lambda r: v.timestamp(r).isoformat(sep=" ")),
        "price": (None, lambda r: f"{v.price(r):.2f}"),
        "tracking": (None, v.tracking_number),
        "hash": (None, v.sha256),
        "url": (None, lambda r: f"https://status.example.com/incidents/{r.randint(100, 9999)}"),
        "uuid": (None, v.uuid4),
        "sku": (None, v.sku),
    }


_SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, lang: str, rng: random.Random) -> tuple[str, list[Gold]]:
    """``template`` with its slots filled, and the gold spans of the personal ones."""
    slots = _slots(lang)
    parts: list[str] = []
    gold: list[Gold] = []
    size, last = 0, 0
    for match in _SLOT.finditer(template):
        literal = template[last : match.start()]
        parts.append(literal)
        size += len(literal)
        category, make = slots[match.group(1)]
        value = str(make(rng))
        if category is not None:
            gold.append((size, size + len(value), category))
        parts.append(value)
        size += len(value)
        last = match.end()
    parts.append(template[last:])
    return "".join(parts), gold


@dataclass(frozen=True)
class Document:
    """A labelled text: its language, its text and its gold spans."""

    lang: str
    text: str
    gold: tuple[Gold, ...]


def documents(megabytes: float, seed: int) -> list[Document]:
    """Tickets and release notes in four languages, about ``megabytes`` MB of UTF-8 in all."""
    rng = random.Random(f"{seed}:text")
    budget = int(megabytes * 1_000_000)
    found: list[Document] = []
    while budget > 0:
        lang = rng.choice(tuple(TEMPLATES))
        pieces = [rng.choice(TEMPLATES[lang]) for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.15:
            pieces.append(rng.choice(RELEASE_NOTES))
        text, gold = fill("\n".join(pieces), lang, rng)
        found.append(Document(lang, text, tuple(gold)))
        budget -= len(text.encode())
    return found


def ticket_text(rng: random.Random) -> str:
    """A support ticket (a database cell): personal data in most, none in a few."""
    lang = rng.choice(tuple(TEMPLATES))
    template = rng.choice(TEMPLATES[lang])
    return fill(template, lang, rng)[0]


def release_note(rng: random.Random) -> str:
    """A release note: versions, builds, hashes and prices, no personal data."""
    return fill(rng.choice(RELEASE_NOTES), "en", rng)[0]


def template_text(rng: random.Random) -> str:
    """An e-mail template with placeholders (not personal data)."""
    return rng.choice(
        (
            "Hello {{first_name}}, your order {{order_number}} has shipped.",
            "Bonjour {{ prenom }}, votre facture {{ invoice }} est disponible.",
            "Beste {{naam}}, bedankt voor je bestelling bij {{shop_name}}.",
            "Hallo {{ vorname }}, Ihr Passwort wurde am {{ date }} geändert.",
        )
    )


# --- scoring --------------------------------------------------------------------------------


def related(first: str, second: str) -> bool:
    """The same category, or one is the other's parent (``user.name`` / ``user.name.first``)."""
    return first == second or first.startswith(second + ".") or second.startswith(first + ".")


@dataclass
class SpanScore:
    """Per-category counts: predictions matched or not, gold spans found or missed."""

    matched: Counter[str] = field(default_factory=Counter)
    spurious: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)

    def add(self, text: str, gold: Iterable[Gold], predicted: Iterable[Gold]) -> None:
        """Score one document's predictions against its gold spans."""
        gold, predicted = list(gold), list(predicted)
        for start, end, category in predicted:
            hit = next((g for g in gold if _overlap(g, start, end, category)), None)
            if hit is None:
                self.spurious[category] += 1
                if len(self.wrong) < 12:
                    self.wrong.append(f"false {category}: {text[start:end]!r}")
            else:
                self.matched[hit[2]] += 1
        for start, end, category in gold:
            if any(_overlap((s, e, c), start, end, category) for s, e, c in predicted):
                self.found[category] += 1
            else:
                self.missed[category] += 1
                if len(self.wrong) < 24:
                    self.wrong.append(f"missed {category}: {text[start:end]!r}")

    def categories(self) -> list[str]:
        """Every category seen, gold or predicted."""
        return sorted(set(self.found) | set(self.missed) | set(self.matched) | set(self.spurious))

    def prf(self, category: str | None = None) -> tuple[float, float, float, int, int]:
        """Precision, recall, F1, predictions and gold spans (of ``category``, or all)."""
        pick = (lambda c: c[category]) if category else (lambda c: sum(c.values()))
        matched, spurious = pick(self.matched), pick(self.spurious)
        found, missed = pick(self.found), pick(self.missed)
        return (*f1(matched, spurious, found, missed), matched + spurious, found + missed)


def _overlap(gold: Gold, start: int, end: int, category: str) -> bool:
    return gold[0] < end and start < gold[1] and related(gold[2], category)


def f1(matched: int, spurious: int, found: int, missed: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0 where undefined)."""
    precision = matched / (matched + spurious) if matched + spurious else 0.0
    recall = found / (found + missed) if found + missed else 0.0
    both = precision + recall
    return precision, recall, (2 * precision * recall / both if both else 0.0)


FLOOR = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail
    r"|\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"  # IBAN
    r"|\b(?:\d{4}[ -]?){3}\d{1,4}\b"  # card
    r"|\b(?:\d{1,3}\.){3}\d{1,3}\b"  # IPv4
    r"|(?:\+|\b00)\d{2}[\d ./-]{7,14}\d\b"  # international phone
)
"""The floor: one combined pass of five bare expressions, no validation."""


def floor_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the floor's matches."""
    return [match.span() for match in FLOOR.finditer(text)]
