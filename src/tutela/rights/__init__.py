"""Data-subject requests: intake, graph, planner, executor, erasure strategies, answers."""
