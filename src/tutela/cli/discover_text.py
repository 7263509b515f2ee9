"""`tutela discover text FILE`: spans of personal data in documents, batch by batch, on every core.

Documents (JSONL lines ``{"id", "text"}``, or one plain-text file) are read in batches
of about :data:`BATCH_CHARACTERS`, and each batch is searched in one pass
(:func:`~tutela.discovery.text.find_spans_many`). With several jobs, worker processes
search the batches while the file is still being read: on Linux they are forked after
the detectors are loaded, so a worker starts in milliseconds with every expression
compiled. Lines are written in the documents' order, each batch once it and those before
it are done, and are the same whatever the number of jobs. A file that goes wrong half-way
(a line that is not JSON) stops the command after every batch before it is written, as
with one process.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tutela.errors import ConfigurationError, RequestError

if TYPE_CHECKING:
    from tutela.discovery.models import Span

MAX_DOCUMENT = 2**20
"""Bytes at most per document (one JSONL line, or a whole ``.txt`` file)."""

BATCH_CHARACTERS = 2**20
"""Characters of documents searched together by one process."""

JOB_BATCH_CHARACTERS = 2**18
"""Characters of documents searched together when several processes share the work."""

MOST_JOBS = 8
"""The most worker processes ``--jobs 0`` (one per core) starts."""

PLAIN_TEXT = (".txt", ".text", ".md")
"""File suffixes read as one plain-text document; anything else is read as JSONL."""

Batch = list[tuple[object, str]]
Searched = tuple[str, int, int, int]
"""A batch's output lines, and its documents, spans and characters."""


def scan_documents(path: Path, chosen: str, output: Path | None, jobs: int) -> None:
    """Print the spans of each document of ``path`` as it is read; a summary on stderr.

    ``jobs``: worker processes (0: one per core, when the file holds more than one batch).
    """
    from tutela.discovery.registry import detectors

    started = time.perf_counter()
    detectors()  # loaded once, before any worker is forked
    workers = _workers(path, jobs)
    size = BATCH_CHARACTERS if workers == 1 else JOB_BATCH_CHARACTERS
    totals = [0, 0, 0]
    with opened(output) as out:

        def write(searched: Searched) -> None:
            out.write(searched[0])
            for index, count in enumerate(searched[1:]):
                totals[index] += count

        batches = _batches(_documents(path), size)
        if workers == 1:
            for batch in batches:
                write(search_batch(batch, chosen))
        else:
            _search_in_pool(batches, chosen, workers, write)
    documents, spans, characters = totals
    seconds = time.perf_counter() - started
    sys.stderr.write(
        f"{documents} documents, {spans} spans, {characters} characters in {seconds:.2f} s\n"
    )


def search_batch(batch: Batch, chosen: str) -> Searched:
    """The output lines of one batch of documents, searched together (also in a worker)."""
    from tutela.discovery.registry import detectors
    from tutela.discovery.text import find_spans_many

    texts = [document for _, document in batch]
    found = find_spans_many(texts, detectors())
    lines = [
        _document_line(ident, document, spans, chosen)
        for (ident, document), spans in zip(batch, found, strict=True)
    ]
    return "".join(lines), len(batch), sum(map(len, found)), sum(map(len, texts))


def _search_in_pool(
    batches: Iterator[Batch], chosen: str, workers: int, write: Callable[[Searched], None]
) -> None:
    """Search ``batches`` in ``workers`` processes, writing the results in order.

    At most two batches per worker wait at a time, so memory stays bounded however long
    the file. When reading fails, the batches already read are still written first.
    """
    with _pool(workers) as pool:
        pending: deque[AsyncResult[Searched]] = deque()
        try:
            for batch in batches:
                pending.append(pool.apply_async(search_batch, (batch, chosen)))
                while len(pending) > 2 * workers:
                    write(pending.popleft().get())
        finally:
            while pending:
                write(pending.popleft().get())


def _workers(path: Path, jobs: int) -> int:
    """The worker processes for ``path``: ``jobs``, or one per core for a file of batches."""
    if jobs > 0:
        return jobs
    if path.suffix.lower() in PLAIN_TEXT:
        return 1  # one document: one batch
    try:
        size = path.stat().st_size
    except OSError:
        return 1  # reading it will say what is wrong
    if size <= 2 * JOB_BATCH_CHARACTERS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MOST_JOBS))


@contextmanager
def _pool(workers: int) -> Iterator[Pool]:
    """Worker processes: forked on Linux (the detectors are inherited, loaded), else spawned."""
    method = "fork" if sys.platform == "linux" else "spawn"
    pool = multiprocessing.get_context(method).Pool(workers)
    try:
        yield pool
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _batches(documents: Iterator[tuple[object, str]], size: int) -> Iterator[Batch]:
    """The documents in batches of about ``size`` characters (searched together)."""
    batch: Batch = []
    characters = 0
    for document in documents:
        batch.append(document)
        characters += len(document[1])
        if characters >= size:
            yield batch
            batch, characters = [], 0
    if batch:
        yield batch


def _document_line(ident: object, document: str, found: list[Span], chosen: str) -> str:
    if chosen == "json":
        record = {"id": ident, "spans": [span.as_json(document) for span in found]}
        return json.dumps(record, ensure_ascii=False) + "\n"
    lines = [f"{ident}: {len(found)} span{'' if len(found) == 1 else 's'}"]
    lines += [
        f"  {span.start}-{span.end} {span.category} ({span.confidence:.2f}, {span.detector}): "
        f"{document[span.start : span.end]!r}"
        for span in found
    ]
    return "\n".join(lines) + "\n"


def _documents(path: Path) -> Iterator[tuple[object, str]]:
    """(id, text) per document: JSONL lines, or the whole file for a plain-text suffix."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise RequestError(f"file {str(path)!r} does not exist") from None
    except IsADirectoryError:
        raise RequestError(f"{str(path)!r} is a folder: give a JSONL or .txt file") from None
    except OSError as error:
        raise RequestError(f"cannot read {str(path)!r}: {error.strerror}") from None
    with handle:
        if path.suffix.lower() in PLAIN_TEXT:
            data = handle.read(MAX_DOCUMENT + 1)
            yield path.name, _decoded(data, f"{path.name!r}", path.name).lstrip("\ufeff")
            return
        for number, line in enumerate(iter(lambda: handle.readline(MAX_DOCUMENT + 2), b""), 1):
            where = f"line {number} of {path.name!r}"
            document = _document(_decoded(line, where, path.name), where, number)
            if document is not None:
                yield document


def _decoded(data: bytes, where: str, name: str) -> str:
    if len(data.rstrip(b"\r\n")) > MAX_DOCUMENT:
        raise RequestError(
            f"{where}: a document is longer than {MAX_DOCUMENT // 2**20} MiB; "
            f"split it into several documents ({name})"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestError(
            f"{where} is not UTF-8 text (byte {error.start}); save the file as UTF-8"
        ) from None


def _document(line: str, where: str, number: int) -> tuple[object, str] | None:
    """The (id, text) of one JSONL line; None for a blank line."""
    line = line.lstrip("\ufeff").strip()
    if not line:
        return None
    try:
        parsed = json.loads(line)
    except json.JSONDecodeError as error:
        raise RequestError(
            f'{where} is not JSON ({error.msg}); each line must be {{"id": ..., "text": "..."}}'
        ) from None
    if not isinstance(parsed, dict):
        raise RequestError(
            f'{where} is a JSON {type(parsed).__name__}, not an object {{"id": ..., "text": "..."}}'
        )
    document = parsed.get("text")
    if not isinstance(document, str):
        found = "missing" if document is None else f"a {type(document).__name__}"
        raise RequestError(f'{where}: "text" must be a string, found {found}')
    return parsed.get("id", number), document


@contextmanager
def opened(output: Path | None) -> Iterator[TextIO]:
    """stdout, or ``output`` opened for writing (ConfigurationError when it cannot be)."""
    if output is None:
        yield sys.stdout
        return
    try:
        handle = output.open("w", encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot write {output}: {error.strerror}") from None
    with handle:
        yield handle
