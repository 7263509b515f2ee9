"""tutela: the privacy programme as code, checked, rendered and enforced."""

from tutela.errors import (
    ConfigurationError,
    ConnectorError,
    PolicyError,
    PolicyErrors,
    RequestError,
    StoreError,
    TutelaError,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigurationError",
    "ConnectorError",
    "PolicyError",
    "PolicyErrors",
    "RequestError",
    "StoreError",
    "TutelaError",
    "__version__",
]
