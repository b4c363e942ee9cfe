"""The contract is the code: schemathesis generates requests from the real app's OpenAPI
document (valid and invalid ones, every operation, the model-generating ones too with the
scripted model) and runs every one of its checks on each answer: no server error, every status
and header documented, bodies as the schema says, invalid data refused, valid data accepted,
405 with Allow, 401 without credentials.

Bounded by GJENBRUK_SCHEMATHESIS_EXAMPLES (examples per operation in the fuzzing phase; the
coverage phase adds its own cases). The number of cases run is printed at the end."""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import schemathesis.engine
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events

from service.app import create_app
from service.auth import access, tokens
from service.auth.bootstrap import adopt_unowned, create_owner
from service.auth.permissions import Role
from service.container import Services
from service.library.demo import load_demo
from service.providers.embeddings import HashingEmbedder
from service.providers.llm_fake import FakeLLM
from service.settings import Settings

MAX_EXAMPLES = int(os.environ.get("GJENBRUK_SCHEMATHESIS_EXAMPLES", "2"))
OWNER, PASSWORD = "fuzzer", "a-long-fuzzing-password-123"
CROSS_FIELD = (
    "set_post_category",
    "accept_profile_rewrite",
    "propose_profile_rewrites",
    "create_plan",
    "create_import",
    "create_style_rule",  # the params a rule needs depend on its kind (a sign-off needs `text`)
    "audit_profiles",  # without `profiles`: audits the stored texts, a 422 while there are none
)
REPLY = "Ny vintersider med kanel og nellik! 229,- flaska i gårdsbutikken og på eplehagen.no."


@pytest.fixture
def api_schema(tmp_path: Path) -> Iterator[Any]:
    settings = Settings(
        data_dir=tmp_path / "data",
        env="test",
        llm="fake",
        embeddings="fake",
        allowed_hosts=["testserver", "localhost", "127.0.0.1"],
        # The limits have tests of their own (tests/api/test_limits.py); here they would
        # only stop the generator early.
        limit_requests_per_minute=1_000_000,
        limit_model_calls_per_day=1_000_000_000,
        limit_concurrent_jobs=1_000,
    )
    llm = FakeLLM(default=json.dumps({"text": REPLY}, ensure_ascii=False))
    services = Services(settings, llm=llm, embedder=HashingEmbedder())
    load_demo(services.db, services.vectors)
    create_owner(services.db, OWNER, PASSWORD)
    adopt_unowned(services.db, OWNER)
    with services.db.session() as s:
        caller = access.caller_for_user(s, OWNER)
        _, key = access.create_key(
            s, tokens.load_pepper(settings), caller, "demo", role=Role.owner, days=1, max_days=1
        )
    app = create_app(services=services, with_ui=False)
    config = SchemathesisConfig.from_dict(
        {
            "headers": {"Authorization": f"Bearer {key}"},
            # Every route lives in a workspace: the one the key is for (others are 404s).
            "parameters": {"path.workspace": "demo"},
            "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "deterministic": True},
            "phases": {"stateful": {"enabled": False}},
            # Rules JSON Schema cannot state, each refused with a 422 that names it: a category
            # must be one of the workspace's (data, per workspace); a profile text accepted or
            # a field to rewrite must name a field of the profiles sent with it; a campaign
            # ends after it starts; an uploaded file must be an export (its content decides).
            "operations": [
                {
                    "include-operation-id": list(CROSS_FIELD),
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
                        }
                    },
                }
            ],
            "seed": 1,
            # Generating routes run the whole pipeline (with the scripted model) on a busy box.
            "request-timeout": 120,
        }
    )
    yield schemathesis.openapi.from_asgi(
        "/openapi.json", app, config=config, headers={"Authorization": f"Bearer {key}"}
    )
    services.close()


def run(schema: Any) -> Report:
    """Run every phase of the engine (examples, coverage, fuzzing) as its CLI would."""
    report = Report()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            recorder = event.recorder
            report.cases += len(recorder.cases)
            for interaction in recorder.interactions.values():
                if interaction.response is not None and interaction.response.status_code >= 500:
                    report.server_errors += 1
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.status is Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        case = recorder.cases[case_id].value
                        seen = recorder.interactions.get(case_id)
                        answer = seen.response if seen is not None else None
                        where = f"{check.name}: {case.method} {case.path}: {failure.title}"
                        report.failures.setdefault(
                            where,
                            f"{failure.message[:300]}\n  request body: {str(case.body)[:300]}"
                            + (
                                f"\n  answer {answer.status_code}: {answer.content[:300]!r}"
                                if answer is not None
                                else ""
                            ),
                        )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            value = getattr(event, "value", event)
            label = getattr(event, "label", "")
            trace = (
                "".join(traceback.format_exception(value)[-3:])
                if isinstance(value, BaseException)
                else ""
            )
            report.errors.append(f"{label}: {value!r} {trace}"[:1500])
    return report


@dataclass
class Report:
    cases: int = 0
    server_errors: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # what failed where -> an example
    errors: list[str] = field(default_factory=list)


def test_every_operation_keeps_its_contract(
    api_schema: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    report = run(api_schema)
    summary = (
        f"schemathesis: {report.cases} cases, {report.server_errors} server errors, "
        f"{len(report.failures)} distinct contract failures"
    )
    with capsys.disabled():
        print(f"\n{summary}")
    problems = "\n".join(f"{k}\n  {v}" for k, v in sorted(report.failures.items()))
    assert report.server_errors == 0 and not report.failures, summary + "\n" + problems
    assert report.cases > 0 and not report.errors, "\n".join(report.errors)
