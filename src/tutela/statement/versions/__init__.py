"""Versions of a programme: what changed, and which changes are material."""
