"""Consent, objection, restriction and opt-out records, and the decision point (issue 17)."""
