"""Display names of the programme's vocabulary and keyed sections, for the record cells."""

from __future__ import annotations

from dataclasses import dataclass

from tutela.programme.models import Programme
from tutela.records.wording import source_text
from tutela.taxonomy.vocabulary import Vocabulary


@dataclass(frozen=True)
class Names:
    """Names of data categories (Art. 30(1)(c)), subjects and sources of one programme."""

    vocabulary: Vocabulary
    subjects: dict[str, str]
    sources: dict[str, str]

    @classmethod
    def of(cls, programme: Programme) -> Names:
        """The names ``programme`` gives, fideslang's for the categories it does not."""
        extensions = [
            (c.key, c.name, c.parent, c.special, c.criminal) for c in programme.categories
        ]
        return cls(
            Vocabulary.with_extensions(extensions),
            {subject.key: subject.name for subject in programme.subjects},
            {
                source.key: source_text(source.name, source.kind, source.provider)
                for source in programme.sources
            },
        )

    def category(self, key: str) -> str:
        """The category's name and key, flagging an Art. 9 special category."""
        name = self.vocabulary.category_name(key)
        special = " - special category, Art. 9" if self.vocabulary.is_special(key) else ""
        return f"{name} ({key}{special})" if name != key else f"{key}{special}"

    def category_name(self, key: str) -> str:
        """The category's name alone."""
        return self.vocabulary.category_name(key)
