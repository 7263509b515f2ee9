"""Retention: rules compiled to sweeps, legal holds, and processor scan data (issue 18)."""
