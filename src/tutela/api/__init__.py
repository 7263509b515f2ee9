"""The REST API (FastAPI): subjects' requests, staff decisions with API keys, the ledger."""
