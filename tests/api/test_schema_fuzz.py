"""Schemathesis over the OpenAPI schema, as an administrator: whatever it sends, no 5xx."""

from __future__ import annotations

import psycopg
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from api.app import ApiConfig, create_app
from storage import homes
from tests.alerts.conftest import DATA_KEY
from tests.signed_in import bearer

EXAMPLES_PER_OPERATION = 12  # bounded: the whole schema in well under a minute


def test_no_request_the_schema_allows_or_nearly_allows_is_a_server_error(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        homes.upsert_home(conn, "h1", "Europe/Paris")
    admin = bearer(db_url)
    app = create_app(ApiConfig(db_url, data_key=DATA_KEY, secret_key="fuzz"))
    failures: list[str] = []
    statuses: set[int] = set()
    with TestClient(app):  # runs the lifespan: the pool the routes use
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        for result in schema.get_all_operations():
            operation = result.ok()
            cases = st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE),
                operation.as_strategy(GenerationMode.NEGATIVE),
            )

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=cases)
            def call(case: schemathesis.Case) -> None:
                response = case.call(headers={**(case.headers or {}), **admin})
                statuses.add(response.status_code)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path}: {response.text[:200]}")

            call()
    assert failures == []
    assert {200, 404, 422} <= statuses  # it reached the routes, past their validation
