"""The programme as the statement and the records need it: every legal section present.

A :class:`~tutela.programme.models.Programme` may hold only systems and datasets
(enough for the DSR engine). What is published (the privacy statement, the Art. 30
records) needs the legal sections too, so those capabilities take a
:class:`PublishedProgramme` and get one from :func:`published`, which refuses a
programme that lacks a section with an error naming it.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutela.errors import PolicyError, PolicyErrors
from tutela.programme.models import (
    LEGAL_SECTIONS,
    Complaints,
    Organisation,
    Programme,
    Rights,
    Statement,
)

__all__ = ["PublishedProgramme", "missing_error", "missing_sections", "published"]


class PublishedProgramme(Programme):
    """A programme with every legal section (:data:`LEGAL_SECTIONS`) written."""

    organisation: Organisation
    statement: Statement
    rights: Rights
    complaints: Complaints


def missing_sections(programme: Programme) -> list[str]:
    """The legal sections ``programme`` does not write, in :data:`LEGAL_SECTIONS` order."""
    return [name for name in LEGAL_SECTIONS if getattr(programme, name) is None]


def published(programme: Programme, *, needed_by: str) -> PublishedProgramme:
    """``programme`` with its legal sections guaranteed; ``needed_by`` names the caller.

    Raises :class:`~tutela.errors.PolicyErrors` with one error per missing section,
    each naming the section and what needs it (``needed_by``, e.g. ``the statement``).
    """
    if isinstance(programme, PublishedProgramme):
        return programme
    if missing_sections(programme):
        raise missing_error(programme, LEGAL_SECTIONS, needed_by=needed_by)
    values = {name: getattr(programme, name) for name in Programme.model_fields}
    return PublishedProgramme.model_construct(programme.model_fields_set, **values)


def missing_error(programme: Programme, sections: Sequence[str], *, needed_by: str) -> PolicyErrors:
    """The error for the ``sections`` that ``programme`` lacks, which ``needed_by`` needs.

    For a caller that needs only some legal sections (the records need no ``rights:``)
    and narrows the types itself.
    """
    return PolicyErrors(
        [
            PolicyError(
                f"the programme has no `{section}:` section; {needed_by} cannot be made without it",
                path=section,
                hint=f"write the `{section}:` section (`tutela init` writes a skeleton of "
                "every legal section); the DSR commands work without it",
            )
            for section in sections
            if getattr(programme, section) is None
        ]
    )
