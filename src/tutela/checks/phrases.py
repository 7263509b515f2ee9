"""Known unlawful phrasings in the programme's free texts, in English, French, Dutch and German.

Some rules can only read what the programme writes in prose: how consent is asked (CO-1),
how it is withdrawn (CO-3), a retention criterion (RT-1) or the fees policy (FEE-1). Each
pattern here is a wording that regulators and courts have found wanting; a rule reports a
text that holds one. Patterns are matched case-insensitively against every language of a
text (a :class:`~tutela.programme.types.LocalText` carries its translations), so a
statement written in French or Dutch is read as well as one in English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tutela.programme.types import LocalText


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_NOT = "".join(
    rf"(?<!\b{word}\s)(?<!\b{word}-)"
    for word in ("not", "never", "non", "pas", "jamais", "nicht", "nie", "niet", "nooit")
)
"""No negation just before: a box that is "not pre-ticked" is the lawful one."""

NOT_AN_AFFIRMATIVE_ACT = _any(
    # pre-ticked boxes (Planet49), unless negated ("never pre-ticked", "non précochée")
    _NOT + r"\bpre[-\s]?(?:ticked|checked|selected|filled)",
    _NOT + r"\bpr[ée][-\s]?(?:coch[ée]e?s?|s[ée]lectionn[ée]e?s?)",
    _NOT + r"\b(?:vooraf|reeds)\s+aangevinkt",
    _NOT + r"\bvoorgeselecteerd",
    _NOT + r"\bvor(?:ab|her)?\s*(?:angekreuzt|ausgew[äa]hlt)",
    _NOT + r"\bvorausgew[äa]hlt",
    _NOT + r"\bvoreingestellt",
    # continuing to browse or scroll (Recital 32)
    r"\bcontinu\w*\s+(?:to\s+)?(?:brows|us|navigat|scroll|visit)\w*",
    r"\b(?:by|when\s+you|if\s+you|once\s+you)\s+(?:continu\w*\s+(?:to\s+)?)?scroll",
    r"^\s*(?:page\s+)?scroll(?:s|ing)?\s*$",
    r"\bpoursuiv\w*\s+(?:votre\s+|la\s+)?navigation",
    r"\bcontinu\w*\s+(?:à|a)\s+naviguer",
    r"\bd[ée]fil(?:er|ant)\b",
    r"\bverder\s+(?:te\s+)?(?:surfen|navigeren|browsen|scrollen)",
    r"\bweiter(?:e|en)?\s*(?:surfen|nutzung|navigation|scrollen)",
    # silence or inactivity (Recital 32)
    r"\bsilence\b",
    r"\binactiv",
    r"\bif\s+you\s+do\s+not\s+(?:object|reply|respond|opt[-\s]?out|untick)",
    r"\bunless\s+you\s+(?:object|opt[-\s]?out|untick)",
    r"\bsans\s+(?:r[ée]ponse|opposition)\s+de\s+votre\s+part",
    r"\bstilzwijg",
    r"\bschweigen\b",
    r"\binaktivit",
)
"""Consent given without a clear affirmative act (Art. 4(11), Recital 32, C-673/17; CO-1)."""

WITHDRAWAL_BURDEN = _any(
    r"\bregistered\s+(?:letter|mail|post)",
    r"\brecorded\s+delivery",
    r"\brecommand[ée]e?\b",
    r"\baangetekend",
    r"\beinschreiben",
    r"\bnotar",
    r"\bin\s+person\b",
    r"\ben\s+personne\b",
    r"\bpersoonlijk\s+(?:langs|op\s+ons\s+kantoor)",
    r"\bpers[öo]nlich\s+(?:vorbei|in\s+unserem)",
)
"""Withdrawal routes harder than any consent: registered post, notaries, visits (CO-3)."""

IDENTITY_DOCUMENT = _any(
    r"\bcop(?:y|ies)\s+of\s+(?:your\s+|an?\s+|the\s+)?(?:valid\s+)?(?:id\b|identity|passport|identification)",
    r"\bid[-\s]?(?:card\s+)?cop(?:y|ies)\b",
    r"\bproof\s+of\s+identity",
    r"\bpi[èe]ce\s+d'identit[ée]",
    r"\bcarte\s+d'identit[ée]",
    r"\bidentiteitskaart",
    r"\bidentiteitsbewijs",
    r"\bausweis",
)
"""An identity document asked for: a step no online consent takes (CO-3; EDPB-ACC, ID-2)."""

VAGUE_RETENTION = _any(
    r"\bas\s+long\s+as\s+(?:is\s+|it\s+is\s+|they\s+are\s+|we\s+)?(?:necessary|needed|required|useful|appropriate|reasonabl)",
    r"\bno\s+longer\s+than\s+(?:is\s+)?(?:necessary|needed|required)",
    r"\bfor\s+the\s+(?:time|period|duration)\s+(?:necessary|needed|required)",
    r"\buntil\s+(?:it\s+is\s+|they\s+are\s+)?no\s+longer\s+(?:necessary|needed|required)",
    r"\baussi\s+longtemps\s+(?:qu'|que\s+)(?:\w+\s+){0,4}?(?:n[ée]cessaire|requis|utile)",
    r"\bla\s+dur[ée]e\s+n[ée]cessaire",
    r"\bpas\s+plus\s+longtemps\s+que\s+n[ée]cessaire",
    r"\bzo\s*lang\s+(?:\w+\s+){0,5}?(?:nodig|noodzakelijk|vereist)",
    r"\bniet\s+langer\s+dan\s+(?:nodig|noodzakelijk)",
    r"\bso\s+lange?\s+(?:wie\s+)?(?:n[öo]tig|erforderlich|notwendig)",
    r"\bsolange\s+(?:\w+\s+){0,5}?(?:n[öo]tig|erforderlich|notwendig)",
    r"\bnicht\s+l[äa]nger\s+als\s+(?:n[öo]tig|erforderlich|notwendig)",
)
"""Criteria that let no one work out the period ("as long as necessary"; WP260; RT-1)."""

FEE_BEYOND_ART12 = _any(
    r"\bunreasonable\s+(?:measures|efforts?)",
    r"\bunreasonable\b",
    r"\bd[ée]raisonnables?\b",
    r"\bonredelijke?\b",
    r"\bunangemessene?\b",
    r"\b(?:technically|organi[sz]ationally)\s+(?:\w+\s+){0,3}impossible",
    r"\b(?:extremely|very|too|excessively|disproportionately)\s+(?:costly|expensive)",
    r"\bdisproportionate\s+(?:efforts?|costs?)",
    r"\badministrative\s+burden",
    r"\bmesures\s+d[ée]raisonnables",
    r"\btechniquement\s+(?:\w+\s+){0,3}impossible",
    r"\b(?:extr[êe]mement|trop)\s+co[ûu]teu",
    r"\beffort\s+disproportionn",
    r"\bonredelijke\s+maatregelen",
    r"\btechnisch\s+(?:\w+\s+){0,3}onmogelijk",
    r"\b(?:extreem|zeer|te)\s+(?:duur|kostbaar)",
    r"\bonevenredige\s+(?:inspanning|kosten)",
    r"\bunzumutbare?\s+ma(?:ß|ss)nahmen",
    r"\btechnisch\s+(?:\w+\s+){0,3}unm[öo]glich",
    r"\b(?:extrem|sehr|zu|äu(?:ß|ss)erst)\s+(?:kostspielig|teuer)",
    r"\bunverh[äa]ltnism[äa](?:ß|ss)ig",
)
"""Grounds for a fee that Art. 12(5) and 15(3) do not give (GDPR.md FEE-1, FEE-2)."""


def texts(value: str | None) -> list[str]:
    """Every language of ``value``: its translations, or the text itself; none for None."""
    if value is None:
        return []
    if isinstance(value, LocalText) and value.translations:
        return list(value.translations.values())
    return [str(value)]


def first_match(pattern: re.Pattern[str], values: Iterable[str | None]) -> str | None:
    """The first phrase ``pattern`` finds in any language of ``values``, or None."""
    for value in values:
        for text in texts(value):
            found = pattern.search(" ".join(text.split()))
            if found:
                return found.group(0)
    return None
