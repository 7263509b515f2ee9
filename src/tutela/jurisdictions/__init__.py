"""Countries, the EEA, adequacy decisions, supervisory authorities: one typed loader."""
