"""Rectification rules: what the programme lets a subject rectify can be rectified (RE-1).

A subject corrects data about themselves (Art. 16). Keys, references, the
identities requests are matched by, restriction flags and fields retained under
a legal obligation are never theirs to set: the DSR planner refuses them even
when a field is flagged ``rectifiable: true``, so such a flag promises what the
engine will not do.
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.checks.sites import fields
from tutela.programme.erasure import key_columns
from tutela.programme.rectification import protected


@rule(
    "rectification/protected-field",
    severity="error",
    title="Rectifiable flag on a field a subject may never set",
    source="GDPR Art. 16, 17(3)(b), 18; GDPR.md RE-1, RS-1, ER-2",
)
def protected_field(context: CheckContext) -> Iterator[Violation]:
    """No key, reference, identity, restriction flag or retained field is ``rectifiable`` (RE-1)."""
    keys = key_columns(context.programme)
    for site in fields(context.programme):
        if not site.field.rectifiable:
            continue
        owner = site.owner
        reason = protected(context.programme, owner.dataset.key, owner.collection, site.field, keys)
        if reason is not None:
            yield Violation(
                (*site.path, "rectifiable"),
                f"field '{owner.name}.{site.field.name}' is rectifiable: true but {reason}; "
                "rectification requests refuse it",
                "remove rectifiable: true; correct such a field through the system that "
                "owns it, after checking the request",
            )


RULES: tuple[Rule, ...] = (protected_field,)
