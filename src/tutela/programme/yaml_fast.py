"""The fast path of :func:`tutela.programme.yaml_documents.read_document`: libyaml's parser.

ruamel's round-trip loader, which gives every key and value its line, is written in
Python and reads a few thousand lines a second; libyaml (PyYAML's C parser) composes the
same file fifty times faster and keeps every node's position. This module turns the
composed nodes into plain data with positions, reading scalars as YAML 1.2 does (ruamel's
resolver: ``no`` is text, ``true`` is a boolean, ``2026-12-01`` a date).

Anything out of the ordinary — a syntax error, an empty value, an alias, a merge key, a
tag, a duplicate key, a key that is not text, a number written in hex or with an
exponent, a timestamp with a time, nesting or size beyond the limits — returns ``None``,
and the caller reads
the file with ruamel, whose errors name the file and line. So the fast path only ever
gives what the careful path would give, sooner.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml.nodes import ScalarNode as RuamelScalar
from ruamel.yaml.resolver import VersionedResolver

from tutela.errors import Location
from tutela.programme.diagnostics import Path_

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML11 = yaml.resolver.Resolver()
_YAML12 = VersionedResolver(version=(1, 2))
_STR, _MAP, _SEQ = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "map", "seq"))
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]*")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Unusual(Exception):
    """The file needs ruamel's careful reading."""


def read_fast(
    path: Path, text: str, max_depth: int, max_values: int
) -> tuple[Any, dict[Path_, Location], dict[Path_, Location]] | None:
    """``(data, values, keys)`` of ``text``, or None when the careful path must read it."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return None
    builder = _Builder(path, max_depth, max_values)
    try:
        data = None if root is None else builder.node(root, (), Location(str(path), 1, 1), 0)
    except (_Unusual, RecursionError, ValueError):
        return None
    return data, builder.values, builder.keys


class _Builder:
    def __init__(self, path: Path, max_depth: int, max_values: int) -> None:
        self.source = str(path)
        self.max_depth, self.max_values = max_depth, max_values
        self.values: dict[Path_, Location] = {}
        self.keys: dict[Path_, Location] = {}
        self.seen: set[int] = set()

    def at(self, node: yaml.Node) -> Location:
        return Location(self.source, node.start_mark.line + 1, node.start_mark.column + 1)

    def node(self, node: yaml.Node, path: Path_, where: Location, depth: int) -> Any:
        if id(node) in self.seen or depth > self.max_depth or len(self.seen) >= self.max_values:
            raise _Unusual  # an alias, or beyond the limits: ruamel reports it
        self.seen.add(id(node))
        self.values.setdefault(path, where)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return [
                self.node(item, (*path, index), self.at(item), depth + 1)
                for index, item in enumerate(node.value)
            ]
        if isinstance(node, yaml.ScalarNode):
            return scalar(node)
        raise _Unusual

    def mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int | float | bool | date) or str(key) in result:
                raise _Unusual  # a merge key, a complex key or a duplicate
            name = str(key)
            key_at = self.at(key_node)
            self.keys[(*path, name)] = key_at
            nested = isinstance(value_node, yaml.MappingNode | yaml.SequenceNode)
            where = key_at if nested else self.at(value_node)
            result[name] = self.node(value_node, (*path, name), where, depth + 1)
        return result


def scalar(node: yaml.ScalarNode) -> Any:
    """The value of a scalar as ruamel reads it under YAML 1.2; _Unusual if in doubt."""
    value = node.value
    if node.style:  # quoted or block: text, unless a tag was written
        if node.tag != _STR:
            raise _Unusual
        return value
    implicit = _YAML11.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    if not value or node.tag != implicit:
        raise _Unusual  # an empty value (ruamel places it on the next line), or a tag
    tag = str(getattr(_YAML12.resolve(RuamelScalar, value, (True, False)), "value", ""))
    kind = tag.rsplit(":", 1)[-1]
    if kind == "str":
        return value
    if kind == "null":
        return None
    if kind == "bool":
        return value.lower() == "true"
    if kind == "int" and _INT.fullmatch(value):
        return int(value)
    if kind == "float" and _FLOAT.fullmatch(value):
        return float(value)
    if kind == "timestamp" and _DAY.fullmatch(value):
        return date.fromisoformat(value)
    raise _Unusual
