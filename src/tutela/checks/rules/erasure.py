"""Erasure rules: the masking the programme sets can actually run on each field.

An erasure that fails half-way is a broken promise (Art. 17(1), ER-1): a ``null``
strategy on a column declared ``nullable: false``, or a fixed value longer than
the column, is rejected by the database at the moment a subject asks to be erased.
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.checks.sites import FieldSite, fields
from tutela.programme.erasure import retaining_purpose, strategy_for
from tutela.programme.models import Programme

FIXED_DEFAULT = "REDACTED"
"""The value a ``fixed`` strategy writes when the programme gives none."""


def _erased(programme: Programme, site: FieldSite) -> bool:
    """True for a field an erasure masks: personal, not a key, in a controller system."""
    item = site.field
    return (
        site.owner.system.role == "controller"
        and bool(item.data_categories)
        and not item.primary_key
        and site.owner.collection.erase == "mask"
        and retaining_purpose(programme, site.owner.collection, item) is None
    )


@rule(
    "erasure/null-on-required-field",
    severity="error",
    title="Masking to null on a field that cannot be null",
    source="GDPR Art. 17(1); GDPR.md ER-1",
)
def null_on_required_field(context: CheckContext) -> Iterator[Violation]:
    """A field declared ``nullable: false`` is not masked to null (ER-1: erasure must run)."""
    for site in fields(context.programme):
        strategy, _ = strategy_for(context.programme, site.field)
        if _erased(context.programme, site) and strategy == "null" and not site.field.nullable:
            yield Violation(
                (*site.path, "masking"),
                f"field '{site.owner.name}.{site.field.name}' is nullable: false but its "
                "erasure strategy is null; the database would reject the erasure",
                "set masking: fixed (with masking_value), hash or random on the field, or "
                "erase: delete on the collection",
            )


@rule(
    "erasure/fixed-value-too-long",
    severity="error",
    title="Fixed masking value longer than the field",
    source="GDPR Art. 17(1); GDPR.md ER-1",
)
def fixed_value_too_long(context: CheckContext) -> Iterator[Violation]:
    """A ``fixed`` masking value fits the field's declared ``length`` (ER-1)."""
    for site in fields(context.programme):
        strategy, value = strategy_for(context.programme, site.field)
        text = value or FIXED_DEFAULT
        length = site.field.length
        if (
            _erased(context.programme, site)
            and strategy == "fixed"
            and length is not None
            and len(text) > length
        ):
            yield Violation(
                (*site.path, "masking_value"),
                f"field '{site.owner.name}.{site.field.name}' holds {length} characters but "
                f"is masked with {text!r} ({len(text)})",
                f"set a masking_value of at most {length} characters",
            )


RULES: tuple[Rule, ...] = (null_on_required_field, fixed_value_too_long)
