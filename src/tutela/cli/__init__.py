"""The ``tutela`` command line."""
