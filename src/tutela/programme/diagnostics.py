"""Describe problems for people: places, values and pydantic validation errors.

Every :class:`~tutela.errors.PolicyError` of the loader and the importers is built
here, so messages read the same everywhere: ``file:line:col: path: message
(expected X, found Y)`` plus a hint. Field paths name list items by their key
(``purposes[marketing].legal_basis``); long values are cut.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from tutela.errors import Location, PolicyError

PathPart = str | int
Path_ = tuple[PathPart, ...]
"""A path into programme data: mapping keys and list indices."""


# --- places and values ----------------------------------------------------------------------


def field_path(root: Any, path: Sequence[PathPart]) -> str:
    """A readable field path: ``purposes[marketing].legal_basis``.

    ``root`` is the programme (models) or its raw data (dicts and lists); list items
    are shown by their ``key`` or ``name`` where they have one, else by index.
    """
    text = ""
    node = root
    for part in path:
        node = _child(node, part)
        if isinstance(part, int):
            text += f"[{_label(node) or part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def show_value(value: Any, limit: int = 60) -> str:
    """A short rendering of a found value for a message (long text is cut)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | Mapping):
        return f"a mapping with keys {', '.join(map(str, list(value)[:5]))}" if value else "{}"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    text = repr(value) if isinstance(value, str) else str(value)
    if len(text) > limit:
        return f"{text[:limit]}… ({len(str(value))} characters)"
    return text


def nearest_location(
    locations: Mapping[Path_, Location], path: Sequence[PathPart]
) -> Location | None:
    """The location of ``path``, or of its nearest ancestor that has one."""
    for end in range(len(path), -1, -1):
        found = locations.get(tuple(path[:end]))
        if found is not None:
            return found
    return None


def _child(node: Any, part: PathPart) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list):
        return node[part] if isinstance(part, int) and 0 <= part < len(node) else None
    if isinstance(node, BaseModel) and isinstance(part, str):
        return getattr(node, part, None)
    return None


def _label(item: Any) -> str | None:
    for name in ("key", "fides_key", "name"):
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
        if isinstance(value, str) and 0 < len(value) <= 60 and "\n" not in value:
            return value
    return None


def by_position(errors: Sequence[PolicyError]) -> list[PolicyError]:
    """``errors`` ordered by file, line and column (errors without a place first)."""

    def place(error: PolicyError) -> tuple[str, int, int]:
        where = error.location
        return ("", 0, 0) if where is None else (where.source, where.line or 0, where.column or 0)

    return sorted(errors, key=place)


def unknown_key(
    name: str, allowed: Sequence[str], where: Location | None, path: str, what: str = "key"
) -> PolicyError:
    """An unknown key, with a did-you-mean over ``allowed`` (difflib) or the allowed list."""
    close = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
    hint = f"did you mean `{close[0]}`?" if close else f"allowed here: {', '.join(allowed)}"
    return PolicyError(f"unknown {what} `{name}`", location=where, path=path, hint=hint)


# --- pydantic validation errors ----------------------------------------------------------------


def validation_errors(
    error: ValidationError,
    root: type[BaseModel],
    data: Any,
    values: Mapping[Path_, Location],
    keys: Mapping[Path_, Location],
    fallback: Location,
    docs: str = "docs/programme.md",
) -> list[PolicyError]:
    """One PolicyError per problem of ``error`` (raised validating ``data`` as ``root``).

    ``values`` and ``keys`` give where each value and key was written (paths into
    ``data``); ``fallback`` is used where nothing nearer is known; hints point at
    the ``docs`` page. Errors a union
    reports once per member are merged into one.
    """
    grouped: dict[Path_, list[ErrorDetails]] = {}
    for detail in error.errors(include_url=False):
        grouped.setdefault(_written_part(data, detail), []).append(detail)
    places = _Places(values, keys, fallback, docs)
    return [_translate(root, data, places, path, group) for path, group in grouped.items()]


@dataclass(frozen=True)
class _Places:
    values: Mapping[Path_, Location]
    keys: Mapping[Path_, Location]
    fallback: Location
    docs: str

    def value(self, path: Path_) -> Location:
        return nearest_location(self.values, path) or self.fallback

    def key(self, path: Path_) -> Location:
        return self.keys.get(path) or self.value(path)


def _translate(
    root: type[BaseModel],
    data: Any,
    places: _Places,
    path: Path_,
    group: list[ErrorDetails],
) -> PolicyError:
    detail = group[0]
    shown = field_path(data, path)
    if detail["type"] == "missing":
        name = str(path[-1])
        return PolicyError(
            f"missing required field `{name}`",
            location=places.value(path[:-1]),
            path=shown,
            expected=_describe(_annotation_at(root, path)),
            found="nothing",
            hint=f"add `{name}:` here (see {places.docs})",
        )
    if detail["type"] == "extra_forbidden":
        model = _annotation_at(root, path[:-1])
        allowed = list(model.model_fields) if _is_model(model) else []
        return unknown_key(str(path[-1]), allowed, places.key(path), shown)
    return PolicyError(
        _message(detail),
        location=places.value(path),
        path=shown,
        expected=_all_expected(group, root, path),
        found=show_value(detail["input"]),
        hint=_hint(detail, places.docs),
    )


def _written_part(data: Any, detail: ErrorDetails) -> Path_:
    """The error's location cut to what exists in the data (drops union member tags)."""
    loc = tuple(detail["loc"])
    if detail["type"] in ("missing", "extra_forbidden"):
        return loc
    written: list[PathPart] = []
    for part in loc:
        if not _holds(data, part):
            break
        data = _child(data, part)
        written.append(part)
    return tuple(written)


def _holds(node: Any, part: PathPart) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


_PATTERNS = {
    r"^[a-z0-9][a-z0-9_.\-]*$": "a key of lower-case letters, digits, `_`, `-` and `.`",
    r"^[A-Z]{2}$": "a two-letter upper-case country code such as BE",
    r"^[A-Z_][A-Z0-9_]*$": "an environment variable name such as TUTELA_CRM_URL",
}
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date such as 2026-01-15",
    "date_parsing": "a date such as 2026-01-15",
    "date_from_datetime_parsing": "a date such as 2026-01-15",
    "date_from_datetime_inexact": "a date without a time",
}


def _all_expected(group: list[ErrorDetails], root: Any, path: Path_) -> str | None:
    expected = [text for d in group if (text := _expected(d, root, path)) is not None]
    return " or ".join(dict.fromkeys(expected)) or None


def _expected(detail: ErrorDetails, root: Any, path: Path_) -> str | None:
    ctx = detail.get("ctx") or {}
    kind = detail["type"]
    if kind in ("value_error", "assertion_error"):
        return None  # the message says what is wrong
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(str(ctx.get("pattern")), f"text matching {ctx.get('pattern')}")
    if kind in ("enum", "literal_error"):
        return f"one of {ctx.get('expected')}"
    if kind == "string_too_long":
        return f"at most {ctx.get('max_length')} characters"
    if kind in ("too_short", "string_too_short"):
        return f"at least {ctx.get('min_length')} {'item' if kind == 'too_short' else 'character'}"
    for bound, words in (("ge", "at least"), ("le", "at most"), ("gt", "more than")):
        if bound in ctx:
            return f"{words} {ctx[bound]}"
    return _EXPECTED.get(kind) or _describe(_annotation_at(root, path))


def _message(detail: ErrorDetails) -> str:
    kind = detail["type"]
    if kind == "value_error":
        return str(detail["msg"]).removeprefix("Value error, ")
    if kind.endswith(("_type", "_parsing")):
        return "wrong type"
    messages = {
        "enum": "not an allowed value",
        "literal_error": "not an allowed value",
        "string_pattern_mismatch": "not in the expected form",
        "string_too_long": "too long",
        "string_too_short": "empty",
        "too_short": "too few items",
        "too_long": "too many items",
    }
    return messages.get(kind, "out of range" if kind.startswith(("greater", "less")) else "invalid")


def _hint(detail: ErrorDetails, docs: str) -> str:
    kind = detail["type"]
    pattern = str((detail.get("ctx") or {}).get("pattern"))
    hints = {
        r"^[a-z0-9][a-z0-9_.\-]*$": "write keys like `supply_services` or `user.contact.email`",
        r"^[A-Z]{2}$": "use the ISO 3166-1 alpha-2 code in upper case, e.g. BE, DE, US",
        r"^[A-Z_][A-Z0-9_]*$": "secrets stay in the environment; name the variable here",
    }
    if kind == "string_pattern_mismatch" and pattern in hints:
        return hints[pattern]
    if kind in ("enum", "literal_error"):
        return "use one of the listed values exactly as written"
    if kind.startswith("date"):
        return "write dates as YYYY-MM-DD"
    if kind.startswith("bool"):
        return "write true or false"
    if kind == "string_too_long":
        return "shorten the text; link to a longer document instead"
    if kind == "string_type":
        return "put quotes around the value to make it text"
    return f"see {docs} for what this field accepts"


# --- what the model expects at a path -------------------------------------------------------


def _annotation_at(root: Any, path: Path_) -> Any:
    current: Any = root
    for part in path:
        current = _step(current, part)
        if current is None:
            return None
    return current


def _step(annotation: Any, part: PathPart) -> Any:
    annotation = _unwrap(annotation)
    if _is_model(annotation) and isinstance(part, str):
        info = annotation.model_fields.get(part)
        return info.annotation if info else None
    args = get_args(annotation)
    if get_origin(annotation) is list and isinstance(part, int) and args:
        return args[0]
    if get_origin(annotation) is dict and isinstance(part, str) and len(args) == 2:
        return args[1]
    return None


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    if get_origin(annotation) in (Union, type(int | None)):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _describe(annotation: Any) -> str:
    annotation = _unwrap(annotation)
    origin = get_origin(annotation)
    if _is_model(annotation) or origin is dict:
        return "a mapping"
    if origin is list:
        return "a list"
    if origin is Literal:
        return "one of " + ", ".join(repr(choice) for choice in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of " + ", ".join(repr(member.value) for member in annotation)
    names = {str: "text", int: "a whole number", bool: "true or false", date: "a date"}
    return names.get(annotation, "a value") if isinstance(annotation, type) else "a value"
