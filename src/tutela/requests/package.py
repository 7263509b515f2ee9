"""The answer package of an access or portability request: one deterministic ZIP (AC-5, PO-3).

:func:`answer_package` holds ``data.json`` (every collection with its schema, AC-4),
``data/<collection>.csv`` per collection with rows, ``letter.html`` (the cover letter) and
``manifest.json`` with each file's size and SHA-256. The same answer gives the same bytes:
fixed 1980-01-01 timestamps, sorted names, DEFLATE. :func:`read_package` opens such a ZIP for
tests and staff tooling, refusing unsafe names (zip-slip), too many entries or too many bytes,
and any file whose digest does not match the manifest. Both are pure: bytes in, bytes out.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping

from tutela.errors import RequestError
from tutela.rights.export import result_files
from tutela.rights.outcomes import RequestResult

MANIFEST = "manifest.json"
MAX_ENTRIES = 10_000
MAX_BYTES = 1 << 30  # 1 GiB uncompressed
_EPOCH = (1980, 1, 1, 0, 0, 0)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10))}
_RESERVED |= {f"LPT{i}" for i in range(10)}
_CHUNK = 1 << 20


def answer_package(result: RequestResult, kind: str, cover: str) -> bytes:
    """The ZIP answering one access or portability request (``cover``: the letter's HTML)."""
    data, tables = result_files(result, kind)
    files = {"data.json": data.encode(), "letter.html": cover.encode()}
    for name, collection in zip(safe_names(tables), tables, strict=True):
        files[f"data/{name}.csv"] = tables[collection].encode()
    files[MANIFEST] = _manifest(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permissions below are read the same everywhere
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def safe_names(collections: Iterable[str]) -> tuple[str, ...]:
    """A file name per collection: ASCII letters, digits, ``._-``, no ``..``; none collide.

    Names are compared without case (Windows and macOS); a collision gets ``-2``, ``-3``...
    """
    taken: set[str] = set()
    names = []
    for collection in collections:
        base = _safe(collection)
        name, number = base, 1
        while name.casefold() in taken:
            number += 1
            name = f"{base}-{number}"
        taken.add(name.casefold())
        names.append(name)
    return tuple(names)


def _safe(collection: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", collection).encode("ascii", "ignore").decode()
    name = re.sub(r"\.{2,}", ".", _UNSAFE.sub("_", ascii_text)).strip("._-")[:100]
    if not name:
        return "collection"
    return f"_{name}" if name.split(".")[0].upper() in _RESERVED else name


def _manifest(files: Mapping[str, bytes]) -> bytes:
    listed = [
        {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in sorted(files.items())
    ]
    return (json.dumps({"files": listed}, indent=2, sort_keys=True) + "\n").encode()


def read_package(
    data: bytes, *, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES
) -> dict[str, bytes]:
    """Every file of an answer package, by name, after checking it is safe and intact.

    RequestError for a file that is not a ZIP, an absolute or ``..`` name, a repeated name,
    more than ``max_entries`` entries or ``max_bytes`` uncompressed bytes, and a file missing
    from the manifest or whose size or SHA-256 differs from it.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise RequestError(f"not an answer package (a ZIP file): {error}") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > max_entries:
            raise RequestError(f"the package has more than {max_entries} entries; not opened")
        if sum(info.file_size for info in infos) > max_bytes:
            raise RequestError(f"the package holds more than {max_bytes} bytes; not opened")
        files = _read_all(archive, infos, max_bytes)
    _check_manifest(files)
    return files


def _read_all(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], max_bytes: int
) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    budget = max_bytes
    for info in infos:
        _check_name(info.filename)
        if info.is_dir():
            continue
        if info.filename in files:
            raise RequestError(f"the package holds {info.filename!r} twice; not opened")
        content = _read_one(archive, info, budget)
        budget -= len(content)
        files[info.filename] = content
    return files


def _check_name(name: str) -> None:
    parts = name.rstrip("/").split("/")
    unsafe = (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or ":" in name
        or "\x00" in name
        or any(part in ("", ".", "..") for part in parts)
    )
    if unsafe:
        raise RequestError(
            f"unsafe name {name!r} in the package (absolute, '..' or not a plain relative path)"
        )


def _read_one(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    chunks, size = [], 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                size += len(chunk)
                if size > budget:
                    raise RequestError("the package holds more bytes than allowed; not opened")
                chunks.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise RequestError(f"{info.filename!r} in the package is damaged: {error}") from None
    return b"".join(chunks)


def _check_manifest(files: Mapping[str, bytes]) -> None:
    if MANIFEST not in files:
        raise RequestError(f"the package has no {MANIFEST}; it cannot be checked")
    try:
        listed = json.loads(files[MANIFEST])["files"]
        expected = {item["name"]: (item["sha256"], item["size"]) for item in listed}
    except (ValueError, KeyError, TypeError) as error:
        raise RequestError(f"{MANIFEST} is not a valid manifest: {error!r}") from None
    for name, content in files.items():
        if name == MANIFEST:
            continue
        if name not in expected:
            raise RequestError(f"{name!r} is in the package but not in {MANIFEST}")
        if expected[name] != (hashlib.sha256(content).hexdigest(), len(content)):
            raise RequestError(f"{name!r} does not match its SHA-256 or size in {MANIFEST}")
    missing = sorted(set(expected) - set(files) - {MANIFEST})
    if missing:
        raise RequestError(f"files listed in {MANIFEST} are missing: {', '.join(missing)}")
