"""The file formats of the Art. 30 records, light enough for the command line to import."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path


class ExportFormat(StrEnum):
    """The formats :func:`tutela.records.exports.export_files` writes."""

    XLSX = "xlsx"
    CSV = "csv"
    HTML = "html"
    JSON = "json"


def default_output(fmt: ExportFormat) -> Path:
    """Where ``tutela records export`` writes when no ``--output`` is given."""
    return Path("out/records") if fmt == "csv" else Path(f"out/records.{fmt.value}")
