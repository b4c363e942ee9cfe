"""A month plan generated with the embedded model through `gjenbruk plan --generate`: the
process is killed mid-month and the same command run again. Finished drafts are kept, none is
generated twice, the rest complete, and the month exports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from icalendar import Calendar

from service.container import Services
from service.domain.job import ItemStatus, JobStatus
from service.settings import Settings
from service.storage.repositories import DraftRepo, JobRepo

pytestmark = pytest.mark.integration

PLAN = {
    "organisation": "Eplehagen Sideri",
    "target_month": "2026-12",
    "language": "nb",
    # Enough slots that the kill lands mid-month: the embedded default composes a draft in a
    # fraction of a second.
    "channels": [
        {"channel": "facebook", "posts_per_week": 5},
        {"channel": "instagram", "posts_per_week": 5},
    ],
    "category_weights": {"produkt": 0.4, "ansatte": 0.3, "bak kulissene": 0.3},
    "campaigns": [
        {
            "name": "Julesider",
            "start": "2026-12-01",
            "end": "2026-12-20",
            "channels": ["facebook", "instagram"],
            "details": "Julesider 219 kr flaska i gårdsbutikken.",
        }
    ],
}


def _cli(data: Path) -> tuple[list[str], dict[str, str]]:
    exe = str(Path(sys.executable).with_name("gjenbruk"))
    env = {**os.environ, "GJENBRUK_DATA_DIR": str(data), "GJENBRUK_LLM": "local"}
    env.pop("GJENBRUK_ENV", None)
    return [exe], env


def test_a_killed_month_resumes_and_exports(tmp_path: Path) -> None:
    data = tmp_path / "data"
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(PLAN, ensure_ascii=False), encoding="utf-8")
    exe, env = _cli(data)
    subprocess.run([*exe, "demo"], env=env, check=True, capture_output=True)
    cmd = [*exe, "plan", str(plan_file), "--generate", "-w", "demo", "--json"]
    worker = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    services = Services(Settings(data_dir=data, llm="local", embeddings="local"))
    deadline = time.monotonic() + 600
    job_id = None
    while True:
        assert worker.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no draft finished in time"
        with services.db.session() as s:
            jobs = JobRepo(s).unfinished()
            if jobs and jobs[0].done >= 1:
                job_id = jobs[0].id
                break
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(30)
    with services.db.session() as s:
        repo = JobRepo(s)
        before = {i.key: i.result for i in repo.items(job_id, status=ItemStatus.done)}
        total = repo.get(job_id).total
        ids_before = {d.id for d in DraftRepo(s).list("demo")}
    assert 1 <= len(before) < total

    out = tmp_path / "month.ics"
    again = subprocess.run(
        [*cmd, "--export", "ics", "--out", str(out), "--include", "proposed"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    result = json.loads(again.stdout)
    assert result["job_id"] == job_id, "the same request resumed the same job"
    with services.db.session() as s:
        repo = JobRepo(s)
        job = repo.get(job_id)
        after = {i.key: i.result for i in repo.items(job_id)}
        drafts = DraftRepo(s).list("demo")
    assert job.status is JobStatus.done and job.done + job.failed == total
    for key, res in before.items():
        assert after[key] == res, "a finished draft was not touched"
    # Every stored draft belongs to a finished slot (its draft, or a near-copy it replaced and
    # set aside), except what the slot in flight at the kill had stored; nothing is orphaned by
    # the resumed run, and no finished slot was generated again (checked above).
    owned = {r["draft_id"] for r in after.values() if r and r.get("draft_id")}
    owned |= {x for r in after.values() if r for x in r.get("replaced_draft_ids", [])}
    orphans = [d.id for d in drafts if d.id not in owned]
    assert len(orphans) <= 2 and set(orphans) <= ids_before, orphans
    assert owned <= {d.id for d in drafts}
    assert len(result["drafts"]) == total
    assert all(d["text"] or not d["passed"] for d in result["drafts"])
    events = list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    # Unreviewed drafts, asked for; a failing or empty one is never exported.
    exportable = [d for d in result["drafts"] if d["passed"] and d["text"].strip()]
    assert len(events) == len(exportable)
    services.close()
