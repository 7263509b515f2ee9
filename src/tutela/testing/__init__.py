"""Test data: synthetic systems for tests and benchmarks."""
