"""The privacy programme: models, loading, checks, rendering and records."""
