"""The tab "Status": the workspace's jobs, each with one progress bar, the time it has taken and
a range for the time left (measured from its own pace), and cancel / resume buttons."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui.texts import datetime_text, duration_text, job_label, language_of, t, text


@dataclass(frozen=True)
class StatusBackend:
    jobs: Callable[[str], list[dict[str, Any]]]  # workspace -> JobProgress dumps, newest first
    cancel: Callable[[str, str], dict[str, Any]]  # workspace, job id
    resume: Callable[[str, str], dict[str, Any]]


def progress_html(p: dict[str, Any], lang: str) -> str:
    """One job: its name, one <progress> element, counts and times in words."""
    job = p["job"]
    done, failed, total = job["done"], job["failed"], job["total"]
    status = status_text(job, lang)
    times = [text("elapsed", lang).format(time=duration_text(p["elapsed_seconds"], lang))]
    left = p.get("remaining_seconds")
    if job["status"] in ("queued", "running"):
        if left is None:
            times.append(text("remaining_unknown", lang))
        else:
            low, high = (duration_text(x, lang) for x in left)
            times.append(text("remaining", lang).format(low=low, high=high))
    counts = text("items_progress", lang).format(done=done, total=total, failed=failed)
    percent = round(100 * p["progress"])
    name = html.escape(job_label(job, lang))
    return (
        f"<div class='gj-job' data-status='{html.escape(job['status'])}' "
        "style='border:1px solid #ddd;border-radius:6px;padding:8px 12px;margin:6px 0'>"
        f"<b>{name}</b> · <span class='gj-job-status'>{html.escape(status)}</span>"
        f"<br><small>{html.escape(datetime_text(job['created_at'], lang))}</small>"
        f"<progress max='100' value='{percent}' aria-label='{name}' "
        f"style='display:block;width:100%;height:14px;margin:6px 0'>{percent} %</progress>"
        f"<small>{html.escape(counts)} · {html.escape(' · '.join(times))}</small></div>"
    )


def status_text(job: dict[str, Any], lang: str) -> str:
    """A job's state in words; a cancel asked for but not yet done says so."""
    if job.get("cancel_requested") and job["status"] in ("queued", "running"):
        return text("job_status_cancelling", lang)
    return text(f"job_status_{job['status']}", lang)


def render_jobs(jobs: list[dict[str, Any]], lang: str) -> str:
    if not jobs:
        return f"<p>{html.escape(text('no_jobs', lang))}</p>"
    return "".join(progress_html(p, lang) for p in jobs)


def build(
    backend: StatusBackend, workspaces: list[str], default_workspace: str
) -> tuple[Callable[..., Any], list[Any], list[Any]]:
    gr.Markdown(t("status_heading"))
    workspace = gr.Dropdown(
        choices=workspaces,
        value=default_workspace if default_workspace in workspaces else None,
        label=t("workspace"),
        elem_id="status-workspace",
    )
    listing = gr.HTML(elem_id="status-jobs")
    with gr.Row():
        pick = gr.Dropdown(choices=[], label=t("pick_job"), elem_id="status-pick")
        cancel = gr.Button(t("cancel_job"), variant="stop", elem_id="status-cancel")
        resume = gr.Button(t("resume_job"), elem_id="status-resume")
    note = gr.Markdown(elem_id="status-note")
    # A job's progress lives in the database (other processes may run it): the tab reads it
    # every two seconds rather than holding a connection per job.
    timer = gr.Timer(2.0)

    def refresh(ws: str | None, chosen: str | None, request: gr.Request) -> tuple[str, Any]:
        lang = language_of(request)
        if not ws:
            return "", gr.update(choices=[], value=None)
        jobs = backend.jobs(ws)
        choices = [
            (f"{job_label(p['job'], lang)} · {datetime_text(p['job']['created_at'], lang)}",
             p["job"]["id"])
            for p in jobs
        ]  # fmt: skip
        ids = [c[1] for c in choices]
        value = chosen if chosen in ids else (ids[0] if ids else None)
        return render_jobs(jobs, lang), gr.update(choices=choices, value=value)

    for trigger in (timer.tick, workspace.change):
        trigger(refresh, [workspace, pick], [listing, pick], show_progress="hidden")

    def act(kind: str) -> Callable[..., str]:
        def run(ws: str | None, job_id: str | None, request: gr.Request) -> str:
            lang = language_of(request)
            if not ws or not job_id:
                raise gr.Error(text("pick_job_first", lang))
            call = backend.cancel if kind == "cancel" else backend.resume
            job = call(ws, job_id)
            return text(f"job_{kind}_done", lang).format(
                name=job_label(job, lang), status=status_text(job, lang)
            )

        return run

    cancel.click(act("cancel"), [workspace, pick], note)
    resume.click(act("resume"), [workspace, pick], note)
    # The list is there when the page opens, not only at the first tick (the app loads it).
    return refresh, [workspace, pick], [listing, pick]
