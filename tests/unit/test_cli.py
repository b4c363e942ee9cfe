"""The `gjenbruk` command over the owners: without -w the default workspace is used for every
step, --json prints the API's response model, and bad input is a message and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.container import Services
from service.jobs.views import JobView
from service.planning.planner import MonthRun
from service.planning.service import parse_plan
from service.planning.slots import DEFAULT_TIMES
from service.settings import Settings
from tests.conftest import SHARED_DATA, require

PLAN = {
    "organisation": "Demo",
    "target_month": "2026-12",
    "channels": [
        {"channel": "facebook", "posts_per_week": 2},
        {"channel": "instagram", "posts_per_week": 1},
    ],
    "category_weights": {"produkt": 0.5, "ansatte": 0.5},
}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "GJENBRUK_DATA_DIR": str(tmp_path / "data"),
        "GJENBRUK_LLM": "fake",
        "GJENBRUK_EMBEDDINGS": "fake",
        "GJENBRUK_DEFAULT_WORKSPACE": "sjobua",
    }


def _invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_a_plan_without_w_takes_the_default_workspaces_best_hours(
    tmp_path: Path, env: dict[str, str]
) -> None:
    require(SHARED_DATA.is_dir(), "shared data not present")
    org = SHARED_DATA / "sjobua-restaurant"
    exports = [str(p) for p in sorted(org.iterdir()) if p.is_dir() and p.name != "ground_truth"]
    code, _, err = _invoke(env, "import", *exports)  # into the default workspace, too
    assert code == 0, err
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(PLAN), encoding="utf-8")
    code, out, err = _invoke(env, "plan", str(plan_file), "--slots-only", "--json")
    assert code == 0, err
    run = MonthRun.model_validate_json(out)
    settings = Settings(data_dir=Path(env["GJENBRUK_DATA_DIR"]), llm="fake", embeddings="fake")
    services = Services(settings)
    try:
        hours = services.planner.best_hours("sjobua")
        expected = services.planner.schedule("sjobua", parse_plan(json.dumps(PLAN)))
    finally:
        services.close()
    # Not the defaults, so slots built without the workspace's hours would differ.
    assert any(hours[c] != DEFAULT_TIMES[c] for c in hours), hours
    assert run.slots == expected and run.estimate is None and run.job_id is None
    assert {s.time for s in run.slots if s.channel in hours} <= set(hours.values())


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["plan", "nowhere.json"], "no such file"),
        (["jobs", "show", "no-such-job"], "no-such-job"),
        (["variants", "--to", "x_post"], "POST_ID or --text-file"),
        (["import", "nowhere.csv"], "no such file or folder"),
    ],
)
def test_bad_input_is_a_message_and_exit_2_never_a_traceback(
    env: dict[str, str], args: list[str], needle: str
) -> None:
    code, out, err = _invoke(env, *args)
    assert code == 2 and needle in err and "Traceback" not in out + err
    code, out, _ = _invoke(env, *args, "--json")
    assert code == 2 and needle in json.loads(out)["error"]["message"]


def test_a_field_the_request_model_refuses_is_named(tmp_path: Path, env: dict[str, str]) -> None:
    text = tmp_path / "post.txt"
    text.write_text("Nytt på menyen: fiskesuppe.", encoding="utf-8")
    args = ["variants", "--text-file", str(text), "--to", "x_post", "--phase", "nope", "--json"]
    code, out, err = _invoke(env, *args)
    assert code == 2, err
    error = json.loads(out)["error"]
    assert error["code"] == "invalid" and error["message"].startswith("phase:")


def test_jobs_json_is_the_apis_job_view(env: dict[str, str]) -> None:
    settings = Settings(data_dir=Path(env["GJENBRUK_DATA_DIR"]), llm="fake", embeddings="fake")
    services = Services(settings)
    try:
        from service.domain import Workspace
        from service.storage.repositories import WorkspaceRepo

        with services.db.session() as s:
            WorkspaceRepo(s).save(Workspace(slug="w", name="W"))
        job, _ = services.jobs.submit("w", "plan_drafts", ["a", "b"])
    finally:
        services.close()
    code, out, err = _invoke(env, "jobs", "show", job.id, "--json")
    assert code == 0, err
    view = JobView.model_validate_json(out)
    assert view.job.id == job.id and view.progress == 0 and view.job.total == 2


def test_a_mistyped_workspace_is_refused_not_created_and_create_makes_it(
    tmp_path: Path, env: dict[str, str]
) -> None:
    export = tmp_path / "own.csv"
    export.write_text("id,channel,published_at,text\n1,facebook,2026-01-01T10:00:00+01:00,Hei\n")
    code, _, err = _invoke(env, "import", str(export), "-w", "sjobau")
    assert code == 2 and "no workspace 'sjobau'" in err and "--create" in err
    code, _, err = _invoke(env, "import", str(export), "-w", "sjobau", "--create")
    assert code == 0, err


def test_a_month_is_written_again_only_with_regenerate(tmp_path: Path, env: dict[str, str]) -> None:
    from sqlalchemy import select

    from service.storage.tables import JobItemRow

    assert _invoke(env, "demo")[0] == 0
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps({**PLAN, "channels": PLAN["channels"][:1]}), encoding="utf-8")
    month = ["plan", str(plan_file), "--generate", "-w", "demo", "--json"]
    code, out, err = _invoke(env, *month)
    assert code == 0, err
    first = MonthRun.model_validate_json(out)
    # The scripted model has no replies here: every slot failed, none has a draft.
    assert first.job_id and first.drafts and not any(d.passed for d in first.drafts)

    def attempts() -> list[int]:
        settings = Settings(data_dir=Path(env["GJENBRUK_DATA_DIR"]), llm="fake", embeddings="fake")
        services = Services(settings)
        try:
            with services.db.session() as s:
                rows = s.scalars(select(JobItemRow).where(JobItemRow.job_id == first.job_id))
                return sorted(r.attempts for r in rows)
        finally:
            services.close()

    assert set(attempts()) == {1}
    again = MonthRun.model_validate_json(_invoke(env, *month)[1])
    assert again.job_id == first.job_id and set(attempts()) == {1}, "read back, not written"
    code, out, err = _invoke(env, *month, "--regenerate", "failed")
    assert code == 0, err
    assert MonthRun.model_validate_json(out).job_id == first.job_id
    assert set(attempts()) == {2}, "every failed slot was written once more, in the same job"
    code, _, err = _invoke(env, *month[:-1], "--regenerate", "some")
    assert code == 2 and "--regenerate must be all or failed" in err
    code, _, err = _invoke(env, "plan", str(plan_file), "--regenerate", "all", "-w", "demo")
    assert code == 2 and "add --generate" in err


def test_a_worker_is_warm_before_it_takes_items(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`gjenbruk worker` loads the language models, the embedding and the pipeline before it
    registers, so its first items do not wait for them."""
    from service.generation import language
    from service.jobs import worker

    language._detector.cache_clear()
    seen: dict[str, object] = {}

    def run_worker(settings: Settings, handlers: object, *, concurrency: int) -> None:
        seen["detector loaded"] = language._detector.cache_info().currsize
        seen["concurrency"] = concurrency

    monkeypatch.setattr(worker, "run_worker", run_worker)
    code, _, err = _invoke(env, "worker", "--concurrency", "3")
    assert code == 0, err
    assert seen == {"detector loaded": 1, "concurrency": 3}
