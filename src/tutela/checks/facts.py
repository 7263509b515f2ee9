"""What the programme's facts imply, for the rules of several areas.

- Who a purpose is about: its subjects, their fideslang types, whether children are among
  them (Art. 8, Recital 38).
- How risky a purpose is: the cases of Art. 35(3) that make a DPIA mandatory, and the
  criteria of the Article 29 Working Party's DPIA guidelines (WP248 rev.01, endorsed by
  the EDPB) of which two make a DPIA likely to be required.
- Whether a DPO is required (Art. 37(1)).
- Where the controller is established: in the EEA or not (Arts. 3, 27), and where its
  main establishment is (Art. 4(16)(a), 56(1); EDPB Guidelines 8/2022).
"""

from __future__ import annotations

from tutela.checks.findings import CheckContext
from tutela.jurisdictions import Jurisdictions
from tutela.programme.establishments import established_in_eea
from tutela.programme.models import DataSubject, Organisation, Purpose
from tutela.taxonomy.vocabulary import covers

UNION = "EU"
"""The code ``law_of`` uses for Union law."""

VULNERABLE_SUBJECTS = frozenset({"employee", "trainee", "patient"})
"""fideslang subjects WP248 counts as vulnerable (criterion 7), besides children."""


def subjects_of(context: CheckContext, purpose: Purpose) -> list[DataSubject]:
    """The programme's subjects a purpose names, in its order (unknown keys skipped)."""
    known = {subject.key: subject for subject in context.programme.subjects}
    return [known[key] for key in purpose.subjects if key in known]


def includes_children(context: CheckContext, purpose: Purpose) -> bool:
    """A subject of the purpose includes children, or it processes children's data."""
    if any(subject.children for subject in subjects_of(context, purpose)):
        return True
    return any(covers("user.childrens", category) for category in purpose.categories)


def sensitive(context: CheckContext, purpose: Purpose) -> list[str]:
    """The purpose's special (Art. 9) and criminal-offence (Art. 10) categories."""
    vocabulary = context.vocabulary
    return [c for c in purpose.categories if vocabulary.is_special(c) or vocabulary.is_criminal(c)]


def foreign_laws(places: Jurisdictions, law_of: list[str]) -> list[str]:
    """The codes of ``law_of`` that are neither Union law (``EU``) nor an EEA state's law."""
    return [code for code in law_of if code != UNION and not places.in_eea(code)]


# --- risk: Art. 35 and WP248 ----------------------------------------------------------------


def art35_cases(context: CheckContext, purpose: Purpose) -> list[str]:
    """The points of Art. 35(3) the purpose falls under: each makes a DPIA mandatory."""
    cases = []
    if purpose.profiling is not None and purpose.profiling.automated_decision:
        cases.append("(a) automated evaluation with legal or similarly significant effects")
    if purpose.large_scale and sensitive(context, purpose):
        cases.append("(b) special categories or criminal-offence data on a large scale")
    if purpose.large_scale and purpose.monitoring == "publicly_accessible_area":
        cases.append("(c) systematic monitoring of a publicly accessible area on a large scale")
    return cases


def wp248_criteria(context: CheckContext, purpose: Purpose) -> list[str]:
    """The WP248 criteria the programme shows for the purpose (criteria 8 and 9 it cannot)."""
    profiling = purpose.profiling
    subjects = subjects_of(context, purpose)
    found = {
        "evaluation or scoring": profiling is not None
        and (profiling.profiling or profiling.automated_decision),
        "automated decisions with legal or similar effect": profiling is not None
        and profiling.automated_decision,
        "systematic monitoring": purpose.monitoring is not None,
        "sensitive data": bool(sensitive(context, purpose)),
        "large scale": purpose.large_scale,
        "combined datasets": _combines_sources(context, purpose),
        "vulnerable data subjects": includes_children(context, purpose)
        or any(set(s.taxonomy) & VULNERABLE_SUBJECTS for s in subjects),
    }
    return [name for name, met in found.items() if met]


def _combines_sources(context: CheckContext, purpose: Purpose) -> bool:
    """Data from a third party is combined with data from another source (criterion 6)."""
    kinds = {s.key: s.kind for s in context.programme.sources}
    used = [kinds[key] for key in purpose.sources if key in kinds]
    return "third_party" in used and len(used) > 1


def dpia_covers(context: CheckContext, purpose: Purpose) -> bool:
    """A DPIA of the programme names the purpose."""
    return any(purpose.key in dpia.purposes for dpia in context.programme.dpias)


# --- the DPO: Art. 37(1) ----------------------------------------------------------------------


def dpo_reasons(context: CheckContext) -> list[str]:
    """Why Art. 37(1) requires a DPO: the point and, for (b) and (c), the purposes."""
    organisation = context.programme.organisation
    reasons = []
    if organisation is not None and organisation.public_authority:
        reasons.append("(a) it is a public authority or body")
    core = [p for p in context.programme.purposes if p.core_activity and p.large_scale]
    monitoring = [p.key for p in core if p.monitoring is not None]
    special = [p.key for p in core if sensitive(context, p)]
    if monitoring:
        reasons.append(
            "(b) its core activities monitor people regularly and systematically on a large "
            f"scale ({', '.join(monitoring)})"
        )
    if special:
        reasons.append(
            "(c) its core activities process special categories or criminal-offence data on "
            f"a large scale ({', '.join(special)})"
        )
    return reasons


# --- establishments: Arts. 3, 4(16), 27, 56 -------------------------------------------------


def representative_required(organisation: Organisation, places: Jurisdictions) -> bool:
    """Art. 27(1) applies: no EEA establishment, no representative, no Art. 27(2) ground."""
    if organisation.eu_representative is not None or organisation.public_authority:
        return False
    if organisation.representative_exemption is not None:
        return False
    return not established_in_eea(organisation, places)
