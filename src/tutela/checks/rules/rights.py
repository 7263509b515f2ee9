"""Rights the law grants, fees it allows, and when Art. 14 information is due.

Part of the ``transparency`` area (listed in its ``RULES``): the statement may not switch
off a right the GDPR grants for the processing it describes (Arts. 15-18, 20, 21), may ask
a fee only where Art. 12(5) and 15(3) allow one, and informs people whose data comes from
third parties within one month at the latest (Art. 14(3)(a)).
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.checks.phrases import FEE_BEYOND_ART12, first_match
from tutela.checks.rules.marketing import is_direct_marketing
from tutela.programme.durations import Duration
from tutela.programme.models import LegalBasis, Programme, RightName

ALWAYS_GRANTED: dict[RightName, str] = {
    "access": "Art. 15",
    "rectification": "Art. 16",
    "erasure": "Art. 17",
    "restriction": "Art. 18",
}
"""Rights the GDPR grants whatever the legal basis; the article that grants each."""

OBJECTION_BASES = (LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK)
PORTABILITY_BASES = (LegalBasis.CONSENT, LegalBasis.CONTRACT)
ONE_MONTH = Duration(1, "month")


def _objection_reason(programme: Programme) -> str | None:
    for purpose in programme.purposes:
        if is_direct_marketing(purpose):
            return f"purpose '{purpose.key}' is direct marketing (Art. 21(2)-(3), absolute)"
    for purpose in programme.purposes:
        if purpose.legal_basis in OBJECTION_BASES:
            basis = purpose.legal_basis.value if purpose.legal_basis else ""
            return f"purpose '{purpose.key}' relies on {basis} (Art. 21(1))"
    return None


def _portability_reason(programme: Programme) -> str | None:
    for purpose in programme.purposes:
        if purpose.legal_basis in PORTABILITY_BASES:
            basis = purpose.legal_basis.value if purpose.legal_basis else ""
            return f"purpose '{purpose.key}' relies on {basis} (Art. 20(1))"
    return None


def required_rights(programme: Programme) -> dict[RightName, str]:
    """The rights the GDPR grants for this programme's processing, each with the reason."""
    required: dict[RightName, str] = {
        right: f"the GDPR grants it for all processing ({article})"
        for right, article in ALWAYS_GRANTED.items()
    }
    objection, portability = _objection_reason(programme), _portability_reason(programme)
    if objection is not None:
        required["objection"] = objection
    if portability is not None:
        required["portability"] = portability
    return required


@rule(
    "rights/required-right-not-offered",
    severity="error",
    title="A right the GDPR grants for this processing is not offered",
    source="GDPR Art. 12(2), 13(2)(b), 15-18, 20(1), 21(1)-(3); GDPR.md OB-1, OB-2, PO-1",
)
def required_right_not_offered(context: CheckContext) -> Iterator[Violation]:
    """``rights.offered`` keeps every right the law grants (Arts. 15-18, 20(1), 21; OB-2).

    Access, rectification, erasure and restriction always; objection when a purpose relies
    on legitimate interests or public task (Art. 21(1)) or is direct marketing (21(2)-(3));
    portability when a purpose relies on consent or contract (Art. 20(1); PO-1).
    """
    rights = context.programme.rights
    if rights is None:
        return  # transparency/missing-section reports it
    for right, reason in required_rights(context.programme).items():
        if right not in rights.offered:
            yield Violation(
                ("rights", "offered"),
                f"rights.offered leaves out {right}, which the law grants: {reason}",
                f"add {right} to rights.offered and handle such requests; the statement "
                "explains when the right applies",
            )


@rule(
    "rights/fee-beyond-art12-5",
    severity="warning",
    title="Fee policy allows a fee on grounds Art. 12(5) and 15(3) do not give",
    source="GDPR Art. 12(5), 15(3); C-307/22; EDPB-ACC §6.3; GDPR.md FEE-1, FEE-2",
)
def fee_beyond_art12_5(context: CheckContext) -> Iterator[Violation]:
    """A fee only for further copies or manifestly unfounded or excessive requests (Art. 12(5)).

    Answering is free (Art. 12(5)); a reasonable fee based on administrative costs is
    allowed for further copies (Art. 15(3)) or a manifestly unfounded or excessive request
    (FEE-1, FEE-2). Cost or effort of answering is no ground; tutela reads the wording, so
    this is a warning.
    """
    rights = context.programme.rights
    ground = first_match(FEE_BEYOND_ART12, [rights.fees]) if rights is not None else None
    if ground:
        yield Violation(
            ("rights", "fees"),
            f"rights.fees allows a fee on a ground the GDPR does not give ('{ground}'); a fee is "
            "allowed only for further copies or manifestly unfounded or excessive requests",
            "write e.g.: 'Exercising your rights is free. We may charge a reasonable fee based "
            "on our administrative costs only for further copies of your data (Art. 15(3)), or "
            "refuse or charge for requests that are manifestly unfounded or excessive, in "
            "particular because they are repetitive (Art. 12(5)); we tell you before we "
            "charge.'",
        )


@rule(
    "sources/art14-notice-too-late",
    severity="error",
    title="Art. 14 information given later than one month after obtaining the data",
    source="GDPR Art. 14(3)(a); GDPR.md LB-3",
)
def art14_notice_too_late(context: CheckContext) -> Iterator[Violation]:
    """People are told within one month at the latest of obtaining their data (Art. 14(3)(a)).

    ``notice_within`` on a third-party source is compared with one calendar month (LB-3);
    30 days can run past a month (February), so write ``1m``.
    """
    for index, source in enumerate(context.programme.sources):
        if source.kind != "third_party" or source.notice_within is None:
            continue
        if Duration.parse(source.notice_within) > ONE_MONTH:
            yield Violation(
                ("sources", index, "notice_within"),
                f"third-party source '{source.key}' informs people {source.notice_within} after "
                "obtaining their data, later than the one month of Art. 14(3)(a)",
                "inform them within a reasonable period and at the latest one month after "
                "obtaining the data (notice_within: 1m), or earlier at the first contact or "
                "disclosure (Art. 14(3)(b)-(c))",
            )


RULES: tuple[Rule, ...] = (required_right_not_offered, fee_beyond_art12_5, art14_notice_too_late)
"""The rights, fees and Art. 14 timing rules, appended to the transparency rules."""
