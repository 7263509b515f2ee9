"""tutela's own persistence: requests, restrictions, checkpoints, ledger."""
