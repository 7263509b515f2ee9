"""schemathesis against the OpenAPI document: no 500 and no response outside the schema.

Each operation gets a bounded number of generated cases (staff operations with an admin
key); every response must be documented, of the documented media type and schema.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

from tutela.bootstrap import Application

from .conftest import bearer

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


def test_the_openapi_document_has_every_endpoint_and_problem_details(api: FastAPI) -> None:
    document: dict[str, Any] = api.openapi()
    paths = document["paths"]
    for path in (
        "/api/v1/requests",
        "/api/v1/requests/{id}/verify",
        "/api/v1/requests/{id}/download",
        "/api/v1/staff/requests/{id}/approve",
        "/api/v1/ledger/proofs/consistency",
    ):
        assert path in paths
    responses = paths["/api/v1/requests"]["post"]["responses"]
    assert list(responses["422"]["content"]) == ["application/problem+json"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


@pytest.mark.slow
def test_schemathesis_finds_no_500_and_no_schema_violation(
    api: FastAPI, application: Application, keys: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", api)
    failures: list[str] = []
    statuses: list[int] = []
    headers = bearer(keys["admin"])
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        _run(operation, headers, failures, statuses)
    assert failures == []
    assert len(operations) >= 18 and len(statuses) >= 10 * len(operations)
    assert 500 not in statuses and {200, 201, 404, 422} <= set(statuses)


def _run(operation: Any, headers: dict[str, str], failures: list[str], statuses: list[int]) -> None:
    strategy = operation.as_strategy()

    @given(case=strategy)
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses.append(response.status_code)

    try:
        check()
    except (Exception, BaseExceptionGroup) as error:  # schemathesis' FailureGroup: collect
        failures.append(f"{operation.label}: {str(error)[:2000]}")


@pytest.mark.parametrize("path", ["/openapi.json", "/docs"])
def test_the_docs_are_served(api: FastAPI, path: str) -> None:
    from fastapi.testclient import TestClient

    with TestClient(api) as client:
        assert client.get(path).status_code == 200
