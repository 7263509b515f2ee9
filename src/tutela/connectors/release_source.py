"""Reading an anonymised release's source: a CSV file, or a read-only query on a system.

:class:`ReleaseSources` is the :class:`tutela.anonymise.service.ReleaseInputs` of
``tutela anonymise``:

- ``csv``: a file relative to the programme's folder, UTF-8 (a byte-order mark is
  allowed), a header row; errors name the file and line for bad bytes or a row with
  more or fewer cells than the header, and the column a release needs that it lacks;
- ``query`` on ``system``: run through the system's SQL connector in a read-only
  transaction (:meth:`tutela.connectors.sql.SqlConnector.read_query`). Values become
  strings: NULL is the empty string ``""`` (its own value, so a NULL quasi-identifier
  is never merged with a real one), dates and times are ISO 8601, booleans ``true`` and
  ``false``;
- hierarchy files: CSV rows ``value, ancestor1, ancestor2, ...`` (nearest first), an
  optional final ``*`` column ignored.

A source with more than ``max_rows`` rows is refused (``--max-rows``): the whole source
is held in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from tutela.anonymise.service import Columns
from tutela.errors import AnonymisationError, ConfigurationError
from tutela.ports import Connector
from tutela.programme.models import AnonymisedRelease


class ReleaseSources:
    """The sources of the releases of a programme in ``folder``; ``connect`` opens a system."""

    def __init__(self, folder: Path, connect: Callable[[str], Connector]) -> None:
        self.folder = folder
        self.connect = connect

    def columns(self, release: AnonymisedRelease, wanted: Sequence[str], max_rows: int) -> Columns:
        """The ``wanted`` columns of ``release``'s source, as strings."""
        source = release.source
        if source is None:
            raise AnonymisationError(f"release {release.key!r} has no source")
        if source.csv is not None:
            return read_csv(self._path(source.csv), wanted, max_rows)
        assert source.query is not None and source.system is not None  # the model checks it
        return self._query(source.system, source.query, wanted, max_rows)

    def tree(self, path: str) -> dict[str, list[str]]:
        """The hierarchy file at ``path`` (relative to the programme folder)."""
        return read_tree(self._path(path))

    def _path(self, name: str) -> Path:
        path = Path(name)
        return path if path.is_absolute() else self.folder / path

    def _query(self, system: str, query: str, wanted: Sequence[str], max_rows: int) -> Columns:
        from tutela.connectors.sql import SqlConnector

        connector = self.connect(system)
        try:
            if not isinstance(connector, SqlConnector):
                raise ConfigurationError(
                    f"system {system!r} has no SQL connector: a release's query needs one"
                )
            names, rows = connector.read_query(query, max_rows + 1)
        finally:
            connector.close()
        if len(rows) > max_rows:
            raise AnonymisationError(
                f"the query on {system!r} returns more than {max_rows} rows: raise --max-rows"
            )
        return _pick([str(name) for name in names], [_texts(row) for row in rows], wanted, system)


def read_csv(path: Path, wanted: Sequence[str], max_rows: int) -> Columns:
    """The ``wanted`` columns of the CSV file at ``path``; AnonymisationError naming the line."""
    text = _text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise AnonymisationError(f"{path}: the file is empty; it needs a header row")
    rows = []
    for row in reader:
        if len(row) != len(header):
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            raise AnonymisationError(
                f"{path}:{reader.line_num}: {len(row)} cells where the header has {len(header)}"
            )
        rows.append(row)
        if len(rows) > max_rows:
            raise AnonymisationError(f"{path} has more than {max_rows} rows: raise --max-rows")
    return _pick([name.strip() for name in header], rows, wanted, str(path))


def read_tree(path: Path) -> dict[str, list[str]]:
    """A hierarchy CSV: value, then its ancestors nearest first (a final ``*`` dropped)."""
    reader = csv.reader(io.StringIO(_text(path), newline=""))
    tree: dict[str, list[str]] = {}
    for row in reader:
        cells = [cell.strip() for cell in row]
        while cells and cells[-1] in ("*", ""):
            cells.pop()
        if not cells:
            continue
        if cells[0] in tree:
            raise AnonymisationError(f"{path}:{reader.line_num}: {cells[0][:40]!r} is given twice")
        tree[cells[0]] = cells[1:]
    if not tree:
        raise AnonymisationError(f"{path}: the hierarchy file has no rows")
    depths = {len(path) for path in tree.values()}
    if len(depths) > 1:
        raise AnonymisationError(
            f"{path}: every value needs as many ancestors (found {sorted(depths)})"
        )
    return tree


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AnonymisationError(f"{path}: no such file") from None
    except OSError as error:
        raise AnonymisationError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise AnonymisationError(
            f"{path}:{line}: not UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        ) from None


def _pick(names: list[str], rows: list[list[str]], wanted: Sequence[str], where: str) -> Columns:
    position = {name: index for index, name in enumerate(names)}
    missing = [name for name in wanted if name not in position]
    if missing:
        raise AnonymisationError(
            f"{where}: no column {missing[0]!r} (it has: {', '.join(names[:20])})"
        )
    return {name: [row[position[name]] for row in rows] for name in wanted}


def _texts(row: Sequence[Any]) -> list[str]:
    return [_text_of(value) for value in row]


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)
