"""The privacy vocabulary: fideslang's default taxonomy plus the programme's extensions."""

from tutela.taxonomy.vocabulary import SPECIAL_CATEGORIES, Vocabulary

__all__ = ["SPECIAL_CATEGORIES", "Vocabulary"]
