"""Importers: existing data maps (Fides datasets) turned into programme files."""
