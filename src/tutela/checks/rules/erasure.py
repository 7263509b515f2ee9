"""Erasure rules: the masking the programme sets can actually run on each field.

An erasure that fails half-way is a broken promise (Art. 17(1), ER-1): a ``null``
strategy on a column declared ``nullable: false``, or a fixed value longer than
the column, is rejected by the database at the moment a subject asks to be erased.
A strategy that reaches a key column (a primary key, or either end of a declared
reference) would cut rows loose from their parent or tie them to someone else; the
planner keeps such a column whole, and this check makes the contradiction an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.checks.sites import FieldSite, fields, is_personal
from tutela.programme.erasure import FieldAddress, key_columns, retaining_purpose, strategy_for
from tutela.programme.models import Programme

FIXED_DEFAULT = "REDACTED"
"""The value a ``fixed`` strategy writes when the programme gives none."""


def _erased(programme: Programme, site: FieldSite) -> bool:
    """True for a field an erasure masks: personal, not a key, in a controller system.

    Key columns (``erasure/masks-key-column``) are never masked, so not checked here.
    """
    item = site.field
    return (
        site.owner.system.role == "controller"
        and bool(item.data_categories)
        and not item.primary_key
        and not item.references
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


def _masked_key(
    programme: Programme, site: FieldSite, keys: Mapping[FieldAddress, str]
) -> tuple[str, str] | None:
    """(why it is a key, the strategy) when an erasure's masking would reach a key column."""
    item = site.field
    owner = site.owner
    key = keys.get((owner.dataset.key, owner.collection.name, item.name))
    personal = any(is_personal(c) for c in item.data_categories)
    if key is None or owner.system.role != "controller" or owner.collection.erase != "mask":
        return None
    if not (personal or item.masking) or retaining_purpose(programme, owner.collection, item):
        return None
    strategy, _ = strategy_for(programme, item)
    return None if strategy == "delete" else (key, strategy)


@rule(
    "erasure/masks-key-column",
    severity="error",
    title="Masking strategy on a key column",
    source="GDPR Art. 5(1)(d), 17(1); GDPR.md ER-1",
)
def masks_key_column(context: CheckContext) -> Iterator[Violation]:
    """No masking strategy reaches a primary key or a column a reference uses (ER-1).

    Nulling or hashing a foreign key cuts the subject's rows loose from their
    parent (or ties them to another person's); the planner keeps such a column
    whole, so the programme says one thing and the erasure does another.
    """
    keys = key_columns(context.programme)
    for site in fields(context.programme):
        found = _masked_key(context.programme, site, keys)
        if found is not None:
            key, strategy = found
            yield Violation(
                (*site.path, "masking" if site.field.masking else "data_categories"),
                f"field '{site.owner.name}.{site.field.name}' is a {key} but its erasure "
                f"strategy is {strategy}; masking it would break the link between rows, "
                "so erasure keeps it as it is",
                "a key only links rows: remove its personal data_categories (and any masking), "
                "or set erase: delete on the collection to delete the subject's rows",
            )


RULES: tuple[Rule, ...] = (null_on_required_field, fixed_value_too_long, masks_key_column)
