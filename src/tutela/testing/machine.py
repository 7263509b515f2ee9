"""The machine a benchmark ran on, as one line for its table header."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe() -> str:
    """``machine: <cpu>, <n> cores, <n> GiB RAM; Python <v>, <os> <release>``."""
    return (
        f"machine: {_cpu()}, {os.cpu_count()} cores, {_memory()}; "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return "memory unknown"
    return f"{pages * size / 2**30:.0f} GiB RAM"
