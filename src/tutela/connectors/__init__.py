"""Connectors: one protocol, many systems (SQL, files, webhooks, people)."""
