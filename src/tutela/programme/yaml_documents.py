"""Read one YAML file into plain data, remembering where every key and value was written.

The programme loader and the importers parse through :func:`read_document`, so
every file gets the same treatment: UTF-8 only, a size limit, no custom tags, no
alias bombs, bounded nesting, and a :class:`~tutela.errors.PolicyError` with the
file and line for anything that cannot be read. Positions are 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from tutela.errors import Location, PolicyError
from tutela.programme.diagnostics import Path_, show_value
from tutela.programme.yaml_fast import read_fast

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Largest programme file accepted (bytes); a bigger file is an error, not a slow load."""
MAX_DEPTH = 40
"""Deepest nesting of mappings and lists accepted in one file."""
MAX_VALUES = 200_000
"""Most keys, items and values one file may expand to (guards against alias bombs)."""


@dataclass(frozen=True)
class Document:
    """One parsed YAML file: plain data (dicts, lists, scalars) and positions.

    ``values`` holds the position of each value by its path in ``data`` (for a
    mapping or list under a key, the position of that key); ``keys`` holds the
    position of each mapping key.
    """

    source: Path
    data: Any
    values: dict[Path_, Location]
    keys: dict[Path_, Location]


# --- reading one file ---------------------------------------------------------------------


def read_document(path: Path) -> Document:
    """Parse one YAML file into plain data with positions; PolicyError if it cannot be read.

    Refuses files over :data:`MAX_FILE_BYTES`, text that is not UTF-8, YAML syntax
    errors, duplicate keys, custom tags, and nesting or alias expansion beyond the limits.
    """
    text = _read_text(path)
    fast = read_fast(path, text, MAX_DEPTH, MAX_VALUES)
    if fast is not None:
        return Document(path, *fast)
    return read_carefully(path, text)


def read_carefully(path: Path, text: str) -> Document:
    """``text`` read with ruamel's round-trip loader: every error named with file and line.

    :func:`read_document` takes this path for any file libyaml's fast path declines
    (:mod:`tutela.programme.yaml_fast`); the two give the same data and positions.
    """
    try:
        raw = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        raise _syntax_error(path, error) from None
    except ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise PolicyError(
            f"the file holds a character YAML does not allow ({error.reason})",
            location=Location(str(path), line),
            found=repr(chr(error.character)) if isinstance(error.character, int) else None,
            hint="remove control characters; save the file as plain UTF-8 text",
        ) from None
    except YAMLError as error:
        raise PolicyError(f"not valid YAML: {error}", location=Location(str(path))) from None
    except RecursionError:
        raise _too_deep(path, None) from None
    converter = _Converter(path)
    data = converter.convert(raw, (), Location(str(path), 1, 1), 0, frozenset())
    return Document(path, data, converter.values, converter.keys)


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PolicyError(
                f"file is {size / 1_048_576:.1f} MB; programme files are limited to "
                f"{MAX_FILE_BYTES // 1_048_576} MB",
                location=Location(str(path)),
                hint="split the file, and keep long texts short: the statement links to documents",
            )
        content = path.read_bytes()
    except OSError as error:
        raise PolicyError(
            f"cannot read the file: {error.strerror or error}", location=Location(str(path))
        ) from None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise PolicyError(
            "the file is not UTF-8 text",
            location=Location(str(path), line),
            found=f"byte 0x{content[error.start]:02x}",
            hint="save the file as UTF-8",
        ) from None


def _syntax_error(path: Path, error: MarkedYAMLError) -> PolicyError:
    mark = error.problem_mark or error.context_mark
    location = Location(str(path), mark.line + 1, mark.column + 1) if mark else Location(str(path))
    problem = error.problem or "invalid YAML"
    context = f" ({error.context})" if error.context else ""
    return PolicyError(
        f"YAML syntax error: {problem}{context}",
        location=location,
        hint="check indentation, colons and quotes on this line and the one above it",
    )


def _too_deep(path: Path, location: Location | None) -> PolicyError:
    return PolicyError(
        f"values are nested deeper than {MAX_DEPTH} levels",
        location=location or Location(str(path)),
        hint="a programme never needs this much nesting; check for runaway indentation",
    )


class _Converter:
    """Turns ruamel's round-trip data into plain data, recording positions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.values: dict[Path_, Location] = {}
        self.keys: dict[Path_, Location] = {}
        self.count = 0

    def at(self, line_col: tuple[int, int] | None) -> Location:
        if line_col is None:
            return Location(str(self.path))
        return Location(str(self.path), line_col[0] + 1, line_col[1] + 1)

    def convert(
        self, raw: Any, path: Path_, where: Location, depth: int, seen: frozenset[int]
    ) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise PolicyError(
                f"the file expands to more than {MAX_VALUES} values",
                location=where,
                hint="anchors and aliases (&x, *x) may be repeating data; write values out",
            )
        if depth > MAX_DEPTH:
            raise _too_deep(self.path, where)
        self.values.setdefault(path, where)
        if isinstance(raw, CommentedMap | CommentedSeq):
            if id(raw) in seen:
                raise PolicyError("an alias refers to itself", location=where)
            seen = seen | {id(raw)}
            _refuse_tag(raw, where)
            if isinstance(raw, CommentedMap):
                return self.mapping(raw, path, depth, seen)
            return self.sequence(raw, path, depth, seen)
        return _scalar(raw, where)

    def mapping(
        self, raw: CommentedMap, path: Path_, depth: int, seen: frozenset[int]
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in raw.items():
            key_at = self.at(_position(raw.lc.key, key))
            name = _key_text(key, key_at)
            self.keys[(*path, name)] = key_at
            nested = isinstance(value, CommentedMap | CommentedSeq)
            where = key_at if nested else self.at(_position(raw.lc.value, key))
            result[name] = self.convert(value, (*path, name), where, depth + 1, seen)
        return result

    def sequence(
        self, raw: CommentedSeq, path: Path_, depth: int, seen: frozenset[int]
    ) -> list[Any]:
        items = []
        for index, value in enumerate(raw):
            where = self.at(_position(raw.lc.item, index))
            items.append(self.convert(value, (*path, index), where, depth + 1, seen))
        return items


def _position(lookup: Any, key: Any) -> tuple[int, int] | None:
    try:
        line, column = lookup(key)
        return int(line), int(column)
    except (KeyError, IndexError, TypeError, AttributeError):
        return None


def _key_text(key: Any, where: Location) -> str:
    if isinstance(key, str | int | float | bool | date) and not isinstance(key, TaggedScalar):
        return str(key)
    raise PolicyError(
        "a key must be plain text",
        location=where,
        found=show_value(key),
        hint="write `name: value`",
    )


def _refuse_tag(raw: CommentedMap | CommentedSeq, where: Location) -> None:
    tag = getattr(getattr(raw, "tag", None), "value", None)
    if tag and not str(tag).startswith("tag:yaml.org,2002:"):
        raise PolicyError(
            f"YAML tag {tag} is not supported", location=where, hint="remove the `!tag`"
        )


def _scalar(raw: Any, where: Location) -> Any:
    if isinstance(raw, TaggedScalar):
        if str(getattr(raw.tag, "value", "")) == "tag:yaml.org,2002:str":
            return str(raw.value)
        raise PolicyError(
            f"YAML tag {raw.tag.value} is not supported", location=where, hint="remove the `!tag`"
        )
    if raw is None or isinstance(raw, bool | date):
        return raw
    if isinstance(raw, int):
        return int(raw)
    if isinstance(raw, float):
        return float(raw)
    if isinstance(raw, str):
        return str(raw)
    raise PolicyError(
        f"YAML values of type {type(raw).__name__} are not supported",
        location=where,
        hint="use text, numbers, dates, true/false, lists and mappings only",
    )
