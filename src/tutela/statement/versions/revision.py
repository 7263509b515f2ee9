"""The OLD programme of ``tutela statement diff`` read from a git revision.

NT-1 (Art. 13(3), 14(4)): before a changed statement is published, the changes from the
version in force are listed and the material ones notified in advance. The version in
force usually sits in git, so OLD may name a revision of the folder compared:
``tutela statement diff HEAD~1 examples/cloudockit``.

:func:`load_old_programme` decides what OLD is: an existing file or folder is read as it is;
anything else is a revision (``REV``, the NEW programme's path as it was then) or
``REV:PATH`` (PATH as it was at REV, relative to the current folder). The programme's
``*.yml``/``*.yaml`` files at that revision are written to a temporary folder, removed
afterwards. git runs without a shell, its arguments passed as a list, with the
repository holding NEW as its working folder; a revision starting with ``-`` is refused
so it can never be read as an option. Every failure is a
:class:`~tutela.errors.PolicyError` (exit 2) that says what to do.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from tutela.errors import Location, PolicyError, PolicyErrors
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme

GIT_TIMEOUT = 60
"""Seconds one git command may take."""

MAX_REVISION_LENGTH = 256
_SUFFIXES = (".yml", ".yaml")
_UNSAFE = re.compile(r"[^\w.~^@{}-]")


def load_old_programme(old: str, new: Path) -> Programme:
    """Load OLD: the file or folder ``old`` when it exists, else from git (see the module).

    ``old`` is a revision (the path of ``new`` as it was then) or ``REV:PATH``; the
    repository is the one holding ``new``. Errors in a programme read from git name its
    files as ``REV:path/file.yml``. Raises :class:`PolicyError` when git is missing,
    ``new`` is not in a repository, the revision does not exist, or the programme did
    not exist at that revision; :class:`~tutela.errors.PolicyErrors` when it does not load.
    """
    if _exists(old):
        return load_programme(old)
    revision, path = split_revision(old, new)
    with programme_at(revision, path, new) as (folder, label):
        try:
            return load_programme(folder)
        except PolicyErrors as errors:
            raise PolicyErrors(
                [_relabelled(e, str(folder), label) for e in errors.errors]
            ) from None


def _exists(old: str) -> bool:
    """Whether ``old`` names an existing file or folder (False for a name too long to be one)."""
    try:
        return bool(old) and Path(old).exists()
    except (OSError, ValueError):
        return False


def split_revision(old: str, new: Path) -> tuple[str, Path]:
    """``(revision, path)`` from OLD written as ``REV`` or ``REV:PATH``; checks REV's shape."""
    revision, colon, path = old.partition(":")
    check_revision(revision, old)
    return revision, Path(path) if colon and path else new


def check_revision(revision: str, written: str | None = None) -> None:
    """Refuse a revision git could read as an option or that holds no revision at all."""
    shown = written if written is not None else revision
    if not revision:
        raise PolicyError(
            f"OLD {_cut(shown)!r} is not an existing file or folder, and names no git revision",
            hint="give OLD as a folder, a revision such as HEAD~1 or v1.0, or REV:PATH",
        )
    if revision.startswith("-"):
        raise PolicyError(
            f"the revision {_cut(revision)!r} starts with '-'; a revision never does",
            hint="name a commit, branch or tag, e.g. HEAD~1 or v1.0",
        )
    if len(revision) > MAX_REVISION_LENGTH or any(
        c.isspace() or not c.isprintable() for c in revision
    ):
        raise PolicyError(
            f"{_cut(revision)!r} is not a git revision (too long, or holding spaces or"
            " control characters)",
            hint="name a commit, branch or tag, e.g. HEAD~1 or v1.0",
        )


@contextmanager
def programme_at(revision: str, path: Path, new: Path) -> Iterator[tuple[Path, str]]:
    """``path`` as it was at ``revision`` of the repository holding ``new``, in a temp folder.

    Yields the file or folder to load and its name in git's words (``REV:path``).
    """
    check_revision(revision)
    git = shutil.which("git")
    if git is None:
        raise PolicyError(
            f"OLD {revision!r} is not an existing file or folder, and git, needed to read it"
            " as a revision, is not installed (or not on PATH)",
            hint="install git, or give OLD as a folder (e.g. a `git worktree` of the release)",
        )
    top = _toplevel(git, new, revision)
    commit = _commit(git, top, revision)
    inside = _inside(top, path)
    with tempfile.TemporaryDirectory(prefix="tutela-diff-") as temporary:
        name = f"{path.resolve().name or 'programme'}@{_UNSAFE.sub('_', revision)[:60]}"
        target = Path(temporary) / name
        yield _extract(git, top, commit, inside, target, revision), f"{revision}:{inside}"


def _toplevel(git: str, new: Path, revision: str) -> Path:
    folder = new if new.is_dir() else new.parent
    done = _git(git, folder, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        raise PolicyError(
            f"{_cut(str(new))} is not in a git repository, so OLD {revision!r} cannot be read as a"
            f" revision{_said(done)}",
            hint="run the diff on a programme inside a git repository, or give OLD as a folder",
        )
    return Path(done.stdout.decode("utf-8", "replace").strip())


def _commit(git: str, top: Path, revision: str) -> str:
    """The commit ``revision`` names; PolicyError when it names none."""
    done = _git(
        git, top, "rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"
    )
    if done.returncode != 0:
        raise PolicyError(
            f"{revision!r} is neither an existing file or folder nor a revision of the git"
            f" repository at {top}",
            hint="name a commit, branch or tag that exists (`git log --oneline` lists commits),"
            " or give OLD as an existing folder",
        )
    return done.stdout.decode("ascii", "replace").strip()


def _inside(top: Path, path: Path) -> str:
    """``path`` relative to the repository root, in git's form ('' for the root itself)."""
    try:
        relative = path.resolve().relative_to(top.resolve())
    except ValueError:
        raise PolicyError(
            f"{_cut(str(path))} is outside the git repository at {top}",
            hint="give a PATH inside the repository that holds NEW",
        ) from None
    return relative.as_posix() if relative.parts else ""


def _extract(git: str, top: Path, commit: str, inside: str, target: Path, revision: str) -> Path:
    """Write the programme files of ``inside`` at ``commit`` under ``target``; the path to load."""
    entries = _ls_tree(git, top, commit, inside, recursive=False) if inside else [("tree", "", "")]
    if not entries:
        raise PolicyError(
            f"{_cut(inside)} did not exist at revision {revision!r}",
            hint="choose a revision where the programme existed, or give its old path as REV:PATH",
        )
    kind, oid, _ = entries[0]
    if kind == "blob":
        file = target / PurePosixPath(inside).name
        _write(file, _blob(git, top, oid))
        return file
    prefix = f"{inside}/" if inside else ""
    for kind, oid, name in _ls_tree(git, top, commit, prefix, recursive=True):
        relative = PurePosixPath(name[len(prefix) :])
        hidden = any(part.startswith(".") for part in relative.parts)
        if kind == "blob" and relative.suffix in _SUFFIXES and not hidden:
            _write(target.joinpath(*relative.parts), _blob(git, top, oid))
    target.mkdir(parents=True, exist_ok=True)
    return target


def _ls_tree(
    git: str, top: Path, commit: str, pathspec: str, *, recursive: bool
) -> list[tuple[str, str, str]]:
    """``(type, object id, path)`` of the entries ``pathspec`` names at ``commit``."""
    args = ["ls-tree", "-z", "--full-tree", *(["-r"] if recursive else []), commit]
    done = _git(git, top, *args, "--", *([pathspec] if pathspec else []))
    if done.returncode != 0:
        raise PolicyError(f"git could not list the files of {commit[:12]}{_said(done)}")
    entries = []
    for record in done.stdout.split(b"\0"):
        if not record:
            continue
        info, _, name = record.partition(b"\t")
        mode, kind, oid = info.decode("ascii", "replace").split(" ")
        if mode != "120000":  # symbolic links are not programme files
            entries.append((kind, oid, name.decode("utf-8", "surrogateescape")))
    return entries


def _blob(git: str, top: Path, oid: str) -> bytes:
    done = _git(git, top, "cat-file", "blob", oid)
    if done.returncode != 0:
        raise PolicyError(f"git could not read object {oid[:12]}{_said(done)}")
    return done.stdout


def _relabelled(error: PolicyError, root: str, label: str) -> PolicyError:
    """``error`` with its file named ``REV:path/file.yml`` instead of the temporary copy."""
    where = error.location
    if where is None or not where.source.startswith(root):
        return error
    rest = where.source[len(root) :].replace("\\", "/")
    source = label + (rest.lstrip("/") if label.endswith(":") else rest)
    return PolicyError(
        error.message,
        location=Location(source, where.line, where.column),
        path=error.path,
        expected=error.expected,
        found=error.found,
        hint=error.hint,
    )


def _write(file: Path, content: bytes) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(content)


def _git(git: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``git --literal-pathspecs ARGS`` in ``cwd``: no shell, no input, a time limit."""
    try:
        return subprocess.run(  # a fixed program, its arguments as a list: no shell
            [git, "--literal-pathspecs", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PolicyError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from None
    except OSError as error:
        raise PolicyError(f"git could not run in {cwd}: {error.strerror or error}") from None


def _said(done: subprocess.CompletedProcess[bytes]) -> str:
    """`` (git: first line of its message)``, or nothing when git said nothing."""
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return f" (git: {_cut(lines[0])})" if lines else ""


def _cut(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["check_revision", "load_old_programme", "programme_at", "split_revision"]
