"""Which fields a data subject may rectify, and why the others are refused (RE-1, Art. 16).

Pure and shared: the DSR planner refuses a rectification of any other field
before anything runs, and ``tutela check`` reports a field flagged
``rectifiable: true`` that can never be (``rectification/protected-field``).

A subject corrects data about themselves (a name, a phone number, an address).
The links between records are not theirs to move: changing a key or a
reference would attach rows to another person (a later erasure then erases
that person's data); an identity is what requests are matched by; the
restriction flag is set by a restriction request only (RS-1); and data kept
under a legal obligation (ER-2) must stay as the obligation requires.
"""

from __future__ import annotations

from collections.abc import Mapping

from tutela.programme.erasure import FieldAddress, key_columns, retaining_purpose
from tutela.programme.models import Collection, DatasetField, Programme

NOT_FLAGGED = "the programme does not declare it rectifiable (rectifiable: true on the field)"


def protected(
    programme: Programme,
    dataset: str,
    collection: Collection,
    f: DatasetField,
    keys: Mapping[FieldAddress, str] | None = None,
) -> str | None:
    """Why ``f`` can never be rectified, flag or not; None if nothing forbids it.

    ``keys`` is :func:`~tutela.programme.erasure.key_columns` of ``programme``
    (computed here when not given).
    """
    keys = key_columns(programme) if keys is None else keys
    key = keys.get((dataset, collection.name, f.name))
    if key == "primary key":
        return "it is the primary key: rows are found and linked by it"
    if key is not None:
        return f"it is a {key}; changing it would attach the row to another record"
    if f.identity is not None:
        return f"it holds identity {f.identity!r}, which requests are matched by"
    if collection.restriction_flag == f.name:
        return "it is the collection's restriction flag: only a restriction request sets it (RS-1)"
    purpose = retaining_purpose(programme, collection, f)
    if purpose is not None:
        return (
            f"it is retained under the legal obligation of purpose {purpose.key!r} "
            "(ER-2, Art. 17(3)(b))"
        )
    return None


def refusal(
    programme: Programme,
    dataset: str,
    collection: Collection,
    f: DatasetField,
    keys: Mapping[FieldAddress, str] | None = None,
) -> str | None:
    """Why a subject may not rectify ``f``; None if the programme lets them (RE-1)."""
    reason = protected(programme, dataset, collection, f, keys)
    if reason is None and not f.rectifiable:
        return NOT_FLAGGED
    return reason
