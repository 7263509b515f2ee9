"""tutela's own store: DSR batches, their checkpoints, and restrictions of processing."""
