"""Fuzzing: schemathesis generates requests from the app's own OpenAPI schema, valid and invalid ones.

Every operation is called as an admin and as a viewer; no answer may be a 5xx, and every answer must
match the schema the operation documents. The examples are derandomized, so a CI run is repeatable;
the number of requests sent is printed at the end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from modelport.api.app import create_app
from modelport.context import Context
from modelport.db.migrate import upgrade
from modelport.schemas import ApiTokenCreate, Role
from modelport.services.auth import AuthService
from tests.conftest import add_user, make_context
from tests.factories import joblib_file

# Examples per operation and generation mode: enough to reach the validation branches of each route
# while the whole run stays within about a minute on two cores.
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 10}
CHECKS = [not_a_server_error, response_schema_conformance]


@dataclass
class FuzzTarget:
    app: FastAPI
    ctx: Context
    tokens: dict[Role, str]
    sent: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[FuzzTarget]:
    """One app with a model, a version and a user per fuzzed role (the sign-in limit is lifted)."""
    tmp = tmp_path_factory.mktemp("fuzz")
    ctx = make_context(tmp, f"sqlite:///{tmp / 'modelport.db'}", login_rate_limit_per_minute=1_000_000)
    upgrade(ctx.db)
    actors = {role: add_user(ctx, f"fuzz-{role.value.replace('_', '-')}", role, "marketing") for role in Role}
    app = create_app(ctx=ctx)
    with TestClient(app, base_url="https://testserver") as client:
        headers = actors[Role.data_scientist].headers
        card = {"name": "fuzz-model", "title": "Fuzz", "department": "marketing"}
        assert client.post("/api/v1/models", json=card, headers=headers).status_code == 201
        path = joblib_file(tmp)
        upload = client.post(
            "/api/v1/models/fuzz-model/versions",
            files={"file": (path.name, path.read_bytes())},
            data={"meta": '{"aliases": ["champion"]}'},
            headers=headers,
        )
        assert upload.status_code == 201, upload.text
    state = FuzzTarget(app, ctx, {role: actors[role].token for role in (Role.admin, Role.viewer)})
    yield state
    ctx.db.dispose()
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and state.sent:
        reporter.write_line(f"\nfuzzing: {sum(state.sent.values())} requests in all ({state.sent})")


def _fresh_token(target: FuzzTarget, role: Role) -> None:
    """The fuzzer may revoke the very token it uses (DELETE /tokens/{id}): issue another one."""
    auth = AuthService(target.ctx)
    principal = auth.cli_principal(f"fuzz-{role.value.replace('_', '-')}")
    target.tokens[role] = auth.create_token(ApiTokenCreate(name="fuzz"), principal).token


@pytest.mark.slow
@pytest.mark.parametrize("role", [Role.admin, Role.viewer])
def test_fuzz_every_operation(target: FuzzTarget, role: Role, request: pytest.FixtureRequest) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", target.app)
    started, sent = time.monotonic(), 0
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode, examples in EXAMPLES.items():

            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case: schemathesis.Case) -> None:
                nonlocal sent
                try:
                    response = case.call(headers={"Authorization": f"Bearer {target.tokens[role]}"})
                except Exception as exc:  # the app crashed (TestClient re-raises): name the request
                    raise AssertionError(f"{type(exc).__name__}: {exc}\n{case.as_curl_command()}") from exc
                sent += 1
                case.validate_response(response, checks=CHECKS)
                if response.status_code == 401:
                    _fresh_token(target, role)

            try:
                fuzz()
            except Unsatisfiable:
                # An operation without parameters or body has no invalid request to make.
                assert mode is GenerationMode.NEGATIVE, operation.label
            except Exception as exc:  # noqa: BLE001 - collected, so one run reports every failing route
                failures.append(f"{operation.label} ({mode.value}): {type(exc).__name__}: {exc}"[:3000])
    elapsed = time.monotonic() - started
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    line = f"fuzzing as {role.value}: {sent} requests over {len(operations)} operations in {elapsed:.1f} s"
    if reporter is not None:
        reporter.write_line("\n" + line)
    target.sent[role.value] = sent
    assert not failures, "\n\n".join(failures)
    assert sent >= len(operations) * 2
