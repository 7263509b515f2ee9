"""Running ``tutela`` commands as real processes, for tests and benchmarks.

:class:`Processes` starts ``tutela ARGS`` each in its own process group with its output in
a log file, and kills every group at the end (a worker's pool children too);
:func:`wait_for` polls a condition and fails with the processes' logs; :func:`listening`
says whether an API answers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

TUTELA = Path(sys.executable).with_name("tutela")
"""The ``tutela`` command beside the running Python."""


class Processes:
    """Subprocesses each in its own process group, all killed at the end; their logs."""

    def __init__(self, environ: dict[str, str], folder: Path) -> None:
        self.environ, self.folder = environ, folder
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> None:
        """Start ``tutela ARGS`` with the environment, its output in ``name``.log."""
        log = (self.folder / f"{name}.log").open("wb")
        self.started.append(
            subprocess.Popen(
                [str(TUTELA), *args],
                cwd=self.folder,
                env={**os.environ, **self.environ},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def stop(self) -> None:
        """Kill every process group started (a worker's pool children too)."""
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def logs(self) -> str:
        """The end of every log, for a failure's message."""
        return "\n".join(p.read_text()[-3000:] for p in sorted(self.folder.glob("*.log")))


def wait_for(
    what: str, condition: Callable[[], bool], group: Processes, seconds: float = 60
) -> None:
    """Poll ``condition`` until true; fail after ``seconds`` with the processes' logs."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} within {seconds} s:\n{group.logs()}")
        time.sleep(0.05)


def listening(http: httpx.Client) -> bool:
    """Whether the API answers."""
    try:
        return http.get("/openapi.json").status_code == 200
    except httpx.TransportError:
        return False
