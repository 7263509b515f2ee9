"""Translation files: a programme's texts in another language, kept beside the originals.

A programme may give a text per language where it is written (``name: {en: ...,
fr: ...}``) or, so a translator can work on one file, in a ``translations:`` entry::

    translations:
      - language: fr
        texts:
          purposes.marketing.name: Marketing direct
          categories.user.professional.description: Vos données professionnelles...

Each path names a text of the programme: sections and fields by name, items of keyed
lists by key (``purposes.marketing``; keys may themselves contain dots) or by index.
:func:`apply_translations` folds the entries into the raw data before it validates,
so the models see one per-language value (a :class:`~tutela.programme.types.LocalText`).
A path that names nothing, a value that is not a translatable text, or a text
translated twice is an error naming the translation's file and line (Art. 12(1):
the information is given in a language the subject understands; WP260 ¶13).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from tutela.errors import Location, PolicyError
from tutela.programme.diagnostics import Path_, show_value
from tutela.programme.types import LANGUAGE, LanguageCode, LocalText, Model, Text, _localised

SECTION = "translations"
P = TypeVar("P", bound=BaseModel)
DEFAULT_LANGUAGE = "en"


class Translation(Model):
    """One language's texts, by the path of the text they translate."""

    language: LanguageCode
    texts: dict[str, Text]


def apply_translations(
    data: dict[str, Any], root: type[BaseModel], keys: Mapping[Path_, Location]
) -> list[PolicyError]:
    """Fold ``data['translations']`` into the texts they name; the errors found."""
    entries = data.get(SECTION)
    if not isinstance(entries, list):
        return []
    first = _first_language(data)
    errors: list[PolicyError] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue  # the model reports the shape
        language, texts = entry.get("language"), entry.get("texts")
        if not isinstance(language, str) or not LANGUAGE.match(language):
            continue
        if not isinstance(texts, dict):
            continue
        for path, text in texts.items():
            where = keys.get((SECTION, index, "texts", path))
            problem = _apply(data, root, str(path), language, text, first)
            if problem:
                errors.append(_error(problem, where, index, path))
    return errors


def _first_language(data: dict[str, Any]) -> str:
    statement = data.get("statement")
    languages = statement.get("languages") if isinstance(statement, dict) else None
    if isinstance(languages, list) and languages and isinstance(languages[0], str):
        return languages[0]
    return DEFAULT_LANGUAGE


def _apply(
    data: dict[str, Any], root: type[BaseModel], path: str, language: str, text: Any, first: str
) -> str | None:
    found = _resolve(data, root, path.split("."))
    if isinstance(found, str):
        return found
    parent, slot, annotation = found
    if not _translatable(annotation):
        return "names a value that is not translated (only texts people read are)"
    current = parent[slot]
    if isinstance(current, str):
        parent[slot] = {first: current, language: text}
    elif isinstance(current, dict):
        if language in current:
            return f"is already given in {language!r} where it is written"
        current[language] = text
    else:
        return f"names {show_value(current)}, not a text"
    return None


def _resolve(data: Any, model: Any, parts: list[str]) -> tuple[Any, str | int, Any] | str:
    """The container, slot and annotation ``parts`` names, or why it names nothing."""
    node, annotation = data, model
    index = 0
    while index < len(parts):
        part = parts[index]
        if isinstance(node, dict) and _is_model(annotation):
            fields = _unwrap(annotation).model_fields
            if part not in fields or part not in node:
                return f"names no written field {part!r}"
            if index == len(parts) - 1:
                return node, part, fields[part]
            node, annotation = node[part], fields[part].annotation
            index += 1
        elif isinstance(node, list):
            found = _item(node, parts[index:])
            if found is None:
                return f"names no item {part!r} of the list"
            position, used = found
            item_type = _item_type(annotation)
            if index + used == len(parts):
                return node, position, item_type
            node, annotation = node[position], item_type
            index += used
        else:
            return f"goes into {part!r}, but the value there has no fields"
    return "names a section, not a text"


def _item(items: list[Any], rest: list[str]) -> tuple[int, int] | None:
    """The position of the item ``rest`` starts with (longest key first), and parts used."""
    for used in range(len(rest), 0, -1):
        name = ".".join(rest[:used])
        for position, item in enumerate(items):
            if isinstance(item, dict) and name in (item.get("key"), item.get("name")):
                return position, used
    if rest[0].isdigit() and int(rest[0]) < len(items):
        return int(rest[0]), 1
    return None


def _is_model(annotation: Any) -> bool:
    inner = _unwrap(annotation)
    return isinstance(inner, type) and issubclass(inner, BaseModel)


def _unwrap(annotation: Any) -> Any:
    """``X`` for ``X | None``; the annotation itself otherwise."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is not list and len(args) == 1 and _origin_is_union(annotation):
        return args[0]
    return annotation


def _origin_is_union(annotation: Any) -> bool:
    from types import UnionType
    from typing import Union

    return get_origin(annotation) in (Union, UnionType)


def _item_type(annotation: Any) -> Any:
    inner = _unwrap(annotation)
    args = get_args(inner)
    return args[0] if get_origin(inner) is list and args else None


def _translatable(annotation: Any) -> bool:
    """Whether a field (or list item type) is a per-language text (:data:`Text`, ``Label``)."""
    if isinstance(annotation, FieldInfo):
        metadata = list(annotation.metadata)
        inner = _unwrap(annotation.annotation)
    else:
        metadata, inner = [], _unwrap(annotation)
    metadata += getattr(inner, "__metadata__", ())
    return any(getattr(meta, "func", None) is _localised for meta in metadata)


def _error(problem: str, where: Location | None, index: int, path: Any) -> PolicyError:
    return PolicyError(
        f"the translated path {path!r} {problem}",
        location=where,
        path=f"{SECTION}[{index}].texts",
        hint="write the path of a text: section, then keys of list items and field names, "
        "e.g. `purposes.marketing.description`",
    )


TextPath = tuple[str | int, ...]
"""A model path: field names and list indexes (``("purposes", 2, "name")``)."""


UNTRANSLATED_SECTIONS = frozenset(
    {"identities", "masking", "dpa_register", "assumptions", "translations"}
)
"""Sections no data subject reads: their texts need no translation."""

UNTRANSLATED_FIELDS = frozenset({"datasets", "connector"})
"""Fields, at any depth, no data subject reads (a system's datasets and how it is reached)."""


def texts(model: BaseModel, path: TextPath = ()) -> Iterator[tuple[TextPath, LocalText]]:
    """Every per-language text of ``model`` with its model path, depth first."""
    for name in type(model).model_fields:
        if (not path and name in UNTRANSLATED_SECTIONS) or name in UNTRANSLATED_FIELDS:
            continue
        if name == "name" and getattr(model, "named", False) is True:
            continue  # a named recipient's name is a proper name (Stripe), the same everywhere
        yield from _texts_in(getattr(model, name), (*path, name))


def _texts_in(value: object, path: TextPath) -> Iterator[tuple[TextPath, LocalText]]:
    if isinstance(value, LocalText):
        yield path, value
    elif isinstance(value, BaseModel):
        yield from texts(value, path)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _texts_in(item, (*path, index))


def localised(programme: P, language: str) -> P:
    """``programme`` with every text people read in ``language`` (first value if none).

    The statement is built from this copy, so every text it shows is in the language
    rendered without any caller choosing among a text's values.
    """
    data = programme.model_dump()
    for path, text in texts(programme):
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = text.in_language(language)
    return type(programme).model_validate(data)


def keyed_path(model: BaseModel, path: tuple[str | int, ...]) -> str:
    """The translation path of model path ``path``: list items by key where they have one."""
    parts: list[str] = []
    node: Any = model
    for part in path:
        if isinstance(part, int):
            item = node[part]
            key = getattr(item, "key", None)
            parts.append(str(key) if isinstance(key, str) else str(part))
            node = item
        else:
            parts.append(part)
            node = getattr(node, part)
    return ".".join(parts)


__all__ = [
    "SECTION",
    "UNTRANSLATED_FIELDS",
    "UNTRANSLATED_SECTIONS",
    "Translation",
    "apply_translations",
    "keyed_path",
    "localised",
    "texts",
]
