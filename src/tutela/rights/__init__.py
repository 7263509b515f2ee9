"""Data-subject requests: planner, executor, masking, batches."""
