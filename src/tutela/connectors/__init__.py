"""Connectors: one protocol, many systems (SQL, files, webhooks, people).

:class:`SqlConnector` is the built-in SQL connector; :class:`ConnectorRegistry`
finds connector types (built-ins plus ``tutela.connectors`` entry points) and
:func:`connector_for` builds a system's connector from the default registry.
"""

from tutela.connectors.registry import ConnectorRegistry, connector_for, default_registry
from tutela.connectors.sql import SqlConnector

__all__ = ["ConnectorRegistry", "SqlConnector", "connector_for", "default_registry"]
