"""Which request a message's words make, in English, French, Dutch and German (pure).

A request needs no special form (GDPR.md DL-1): the subject writes in their own words.
:data:`LEXICON` lists, per language and request type, the phrases that name it with a
strength (strong 0.8, medium 0.5, weak 0.25). :func:`classify` matches them on the text
folded to lower-case ASCII words (quoted reply lines dropped; a phrase right after a
negation such as "do not" or "nicht" does not count), adds up each type's strengths and
takes the best. The confidence falls when a second type scores too (a message asking two
things is for staff). Below :data:`THRESHOLD` there is no type: the message goes to
staff. An objection that names marketing, newsletters or unsubscribing is an objection to
direct marketing (Art. 21(2)-(3); OB-2, MK-2); words naming the CCPA or California make
an access, erasure or rectification the CCPA's know, delete or correct.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

THRESHOLD = 0.5
"""The least confidence that makes a message a request."""
_S, _M, _W = 0.8, 0.5, 0.25

_EN = {
    "access": "access request|subject access|right of access|copy of my data|copy of my personal"
    "|copy of all the data|copy of all the personal|what data you hold|what personal data"
    "|access to my data|access to my personal|article 15|art 15|send me my data"
    "|:what information you have",
    "erasure": "delete my data|delete my personal|delete my account|delete all my|erase my"
    "|erasure|right to be forgotten|remove my data|remove my personal|article 17|art 17"
    "|:close my account|:forget me|~delete|~remove",
    "rectification": "rectify|rectification|correct my|article 16|art 16|:is wrong|:is incorrect"
    "|:is inaccurate|:update my|:misspelled|:change my address",
    "restriction": "restrict the processing|restriction of processing|restrict processing"
    "|restrict the use|article 18|art 18|:freeze my data",
    "objection": "i object|object to the processing|right to object|:objection|:article 21"
    "|:art 21|~legitimate interest|~profiling",
    "objection_direct_marketing": "unsubscribe|direct marketing|stop sending me|marketing email"
    "|marketing e mail|opt out of marketing|no more emails|no more e mails|:newsletter"
    "|:mailing list|:promotional|:advertising",
    "portability": "data portability|portability|transfer my data to|export my data|article 20"
    "|art 20|:machine readable",
    "consent_withdrawal": "withdraw my consent|withdraw consent|revoke my consent"
    "|withdrawal of consent|i no longer consent|~withdraw",
    "complaint": "complaint|i want to complain|i complain|~unacceptable",
    "know": "right to know|:categories of personal information",
    "opt_out_sale_sharing": "do not sell|don t sell|dont sell|do not share my personal"
    "|opt out of sale|opt out of the sale|sale of my personal",
    "limit_sensitive": "limit the use of my sensitive|:sensitive personal information",
}
_FR = {
    "access": "droit d acces|acces a mes donnees|copie de mes donnees|quelles donnees"
    "|demande d acces|article 15|art 15|:acces a mes informations",
    "erasure": "supprimer mes donnees|suppression de mes donnees|effacer mes donnees|effacement"
    "|droit a l oubli|supprimer mon compte|suppression de mon compte|:supprimer|~suppression",
    "rectification": "rectifier|rectification|corriger mes|:est incorrect|:est errone|:inexact"
    "|:mettre a jour mes",
    "restriction": "limitation du traitement|limiter le traitement|limiter l utilisation",
    "objection": "je m oppose|opposition au traitement|droit d opposition|:opposition",
    "objection_direct_marketing": "desabonner|desinscrire|desinscription|desabonnement"
    "|prospection|marketing direct|ne plus recevoir|:newsletter|:lettre d information"
    "|:publicite",
    "portability": "portabilite|transferer mes donnees|exporter mes donnees|:lisible par machine",
    "consent_withdrawal": "retirer mon consentement|retrait de mon consentement"
    "|retire mon consentement|retire mon accord",
    "complaint": "plainte|reclamation|je me plains",
}
_NL = {
    "access": "inzageverzoek|recht op inzage|inzage in mijn|kopie van mijn gegevens"
    "|welke gegevens|:inzage",
    "erasure": "verwijder mijn gegevens|mijn gegevens verwijderen|mijn gegevens te verwijderen"
    "|verwijdering van mijn|recht op vergetelheid|mijn account verwijderen"
    "|verwijder mijn account|:wissen|~verwijderen|~verwijder",
    "rectification": "rectificatie|corrigeren|:verbeteren|:klopt niet|:onjuist|~aanpassen",
    "restriction": "beperking van de verwerking|verwerking beperken|verwerking te beperken"
    "|~beperken",
    "objection": "bezwaar tegen de verwerking|maak bezwaar|bezwaar maken|recht van bezwaar"
    "|:bezwaar",
    "objection_direct_marketing": "afmelden|uitschrijven|direct marketing|geen mails meer"
    "|:nieuwsbrief|:reclame",
    "portability": "overdraagbaarheid|dataportabiliteit|mijn gegevens overdragen|:exporteren",
    "consent_withdrawal": "toestemming intrekken|trek mijn toestemming in|trek ik mijn toestemming"
    "|intrekking van mijn toestemming|toestemming in te trekken",
    "complaint": "klacht|ik wil klagen",
}
_DE = {
    "access": "auskunftsersuchen|recht auf auskunft|kopie meiner daten|welche daten|art 15"
    "|auskunft uber|auskunft nach|:auskunft",
    "erasure": "meine daten loschen|loschung meiner|recht auf vergessenwerden|mein konto loschen"
    "|meine daten zu loschen|loschen|:loschung",
    "rectification": "berichtigung|berichtigen|korrigieren|:unrichtig|~falsch",
    "restriction": "einschrankung der verarbeitung|verarbeitung einschranken|~einschranken",
    "objection": "ich widerspreche|widerspruch gegen|:widerspruch|:widerspreche",
    "objection_direct_marketing": "abmelden|abbestellen|direktwerbung|keine werbung|werbemail"
    "|:newsletter|:werbung",
    "portability": "datenubertragbarkeit|ubertragbarkeit|:maschinenlesbar",
    "consent_withdrawal": "einwilligung widerrufen|widerrufe meine einwilligung"
    "|widerruf meiner einwilligung|einwilligung zu widerrufen|einwilligung zuruck",
    "complaint": "beschwerde|beschweren",
}


def _phrases(table: Mapping[str, str]) -> Mapping[str, tuple[tuple[str, float], ...]]:
    """``a|:b|~c`` as ((a, strong), (b, medium), (c, weak)) per type."""
    strengths = {":": _M, "~": _W}
    return MappingProxyType(
        {
            kind: tuple(
                (p.lstrip(":~"), strengths.get(p[:1], _S)) for p in text.split("|") if p.strip()
            )
            for kind, text in table.items()
        }
    )


LEXICON: Mapping[str, Mapping[str, tuple[tuple[str, float], ...]]] = MappingProxyType(
    {lang: _phrases(table) for lang, table in (("en", _EN), ("fr", _FR), ("nl", _NL), ("de", _DE))}
)
"""Per language, per request type: the phrases naming it and their strength."""

_NEGATIONS = frozenset({"not", "don", "dont", "never", "ne", "pas", "niet", "geen", "nicht", "nie"})
_STOPWORDS = {
    "en": frozenset({"the", "and", "my", "you", "please", "i", "your", "data", "to", "of", "me"}),
    "fr": frozenset({"le", "la", "les", "mes", "vous", "je", "et", "des", "donnees", "mon"}),
    "nl": frozenset({"de", "het", "een", "mijn", "ik", "en", "u", "gegevens", "van", "graag"}),
    "de": frozenset({"der", "die", "das", "und", "ich", "meine", "sie", "bitte", "daten", "mein"}),
}
_CCPA = re.compile(r"(?<![a-z])(ccpa|cpra|california|californian)(?![a-z])")
_CCPA_TYPES = {"access": "know", "erasure": "delete", "rectification": "correct"}
_GENERAL = {"objection": "objection_direct_marketing"}


@dataclass(frozen=True)
class Classification:
    """The request type a text makes (None: staff decide), how sure, in which language."""

    type: str | None
    confidence: float
    language: str
    phrases: tuple[str, ...] = ()


def fold(text: str) -> str:
    """``text`` as lower-case ASCII words separated by single spaces (quoted lines dropped)."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    plain = unicodedata.normalize("NFKD", "\n".join(lines).lower())
    ascii_only = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_only.replace("ß", "ss")).split())


def classify(text: str) -> Classification:
    """The request ``text`` makes, with a confidence from 0 to 1 and the language it is in."""
    words = fold(text if isinstance(text, str) else "")
    scores, by_language, found = _scores(words)
    scores = _specialised(scores, words)
    language = _language(words, by_language)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    if not ranked:
        return Classification(None, 0.0, language)
    kind, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = round(min(1.0, best) * (1 - 0.8 * min(1.0, second) / max(best, 1.0)), 2)
    chosen = kind if confidence >= THRESHOLD else None
    return Classification(chosen, confidence, language, tuple(sorted(found)))


def _scores(words: str) -> tuple[dict[str, float], dict[str, float], set[str]]:
    """Each type's summed strengths, each language's, and the phrases matched."""
    scores: dict[str, float] = {}
    by_language: dict[str, float] = {}
    found: set[str] = set()
    for lang, table in LEXICON.items():
        for kind, phrases in table.items():
            for phrase, strength in phrases:
                if phrase in found or not _said(phrase, words):
                    continue
                found.add(phrase)
                scores[kind] = scores.get(kind, 0.0) + strength
                by_language[lang] = by_language.get(lang, 0.0) + strength
    return scores, by_language, found


def _said(phrase: str, words: str) -> bool:
    """True when ``phrase`` starts a word in ``words`` and no negation comes just before it."""
    pattern = r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![0-9])"
    for match in re.finditer(pattern, words):
        before = words[: match.start()].split()[-2:]
        if not _NEGATIONS.intersection(before):
            return True
    return False


def _specialised(scores: dict[str, float], words: str) -> dict[str, float]:
    """General types folded into the specific one named (marketing; CCPA)."""
    result = dict(scores)
    for general, specific in _GENERAL.items():
        if general in result and specific in result:
            result[specific] += result.pop(general)
    if _CCPA.search(words):
        for gdpr, ccpa in _CCPA_TYPES.items():
            if gdpr in result:
                result[ccpa] = result.get(ccpa, 0.0) + result.pop(gdpr)
    return result


def _language(words: str, by_language: Mapping[str, float]) -> str:
    """The language with the most matched strength, then the most common words; else en."""
    tokens = words.split()
    counts = {lang: sum(t in stop for t in tokens) for lang, stop in _STOPWORDS.items()}
    ranked = sorted(
        _STOPWORDS, key=lambda lang: (-by_language.get(lang, 0.0) * 10 - counts[lang], lang != "en")
    )
    best = ranked[0]
    return best if by_language.get(best) or counts[best] else "en"
