"""The package root's public surface is small and pinned (httpx style)."""

import tutela


def test_public_surface_is_pinned() -> None:
    assert sorted(tutela.__all__) == [
        "ConfigurationError",
        "ConnectorError",
        "PolicyError",
        "PolicyErrors",
        "RequestError",
        "StoreError",
        "TutelaError",
        "__version__",
    ]
    for name in tutela.__all__:
        assert getattr(tutela, name) is not None


def test_every_error_derives_from_tutela_error() -> None:
    for name in tutela.__all__:
        value = getattr(tutela, name)
        if isinstance(value, type) and name != "TutelaError":
            assert issubclass(value, tutela.TutelaError), name
