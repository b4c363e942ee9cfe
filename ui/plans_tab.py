"""The tab "Månedsplan": a plan form (JSON), the month as a calendar of slots with occasions,
a cost/time estimate, generation with a live progress bar, drafts to review, and exports."""

from __future__ import annotations

import datetime as dt
import html
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from ui.texts import language_of, t, text


@dataclass(frozen=True)
class PlansBackend:
    slots: Callable[
        [str, str], dict[str, Any]
    ]  # workspace, plan JSON -> slots, occasions, estimate
    start: Callable[[str, str], str]  # -> job id (the same plan twice is the same job)
    progress: Callable[[str], dict[str, Any]]
    drafts: Callable[[str], list[dict[str, Any]]]
    review: Callable[[str, str, str, str], dict[str, Any]]
    download: Callable[[str, str, str, str, str], bytes]


_COLOURS = {
    "instagram": "#c2255c",
    "facebook": "#1c7ed6",
    "linkedin": "#0b7285",
    "tiktok": "#212529",
    "x": "#495057",
}


def render_calendar(result: dict[str, Any]) -> str:
    """Weeks as rows, Monday first; each day lists its slots and occasions."""
    slots = result["slots"]
    if not slots:
        return ""
    by_day: dict[str, list[dict[str, Any]]] = {}
    for s in slots:
        by_day.setdefault(s["date"], []).append(s)
    named: dict[str, list[str]] = {}
    for o in result["occasions"]:
        named.setdefault(o["date"], []).append(o["name"])
    first = dt.date.fromisoformat(slots[0]["date"]).replace(day=1)
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    start = first - dt.timedelta(days=first.weekday())
    head = "".join(f"<th>{d}</th>" for d in ("man", "tir", "ons", "tor", "fre", "lør", "søn"))
    rows, day = [], start
    while day < nxt:
        cells = []
        for _ in range(7):
            key = day.isoformat()
            inside = first <= day < nxt
            items = "".join(
                f"<div class='gj-slot' data-channel='{html.escape(s['channel'])}' "
                f"style='border-left:3px solid {_COLOURS.get(s['channel'], '#888')};"
                f"padding-left:4px;margin:2px 0;font-size:12px'>{s['time']} "
                f"<b>{html.escape(s['channel'])}</b><br>{html.escape(s['category'])}"
                + (
                    f"<br><i>{html.escape(s['theme'])}</i>"
                    if s.get("occasion") or s.get("campaign")
                    else ""
                )
                + "</div>"
                for s in by_day.get(key, [])
            )
            marks = "".join(
                "<div class='gj-occasion' style='color:#e8590c;font-size:11px'>"
                f"★ {html.escape(n)}</div>"
                for n in named.get(key, [])
            )
            cells.append(
                f"<td style='vertical-align:top;border:1px solid #eee;width:14%;"
                f"{'' if inside else 'opacity:.35;'}'><small>{day.day}</small>{marks}{items}</td>"
            )
            day += dt.timedelta(days=1)
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        "<table class='gj-calendar' style='width:100%;border-collapse:collapse'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _estimate_md(e: dict[str, Any], lang: str) -> str:
    minutes = f", ≈ {e['seconds'] / 60:.0f} min" if e.get("seconds") else ""
    price = f"${e['cost_usd']:.4f}" if e["priced"] else text("no_price", lang)
    return (
        f"**{e['drafts']}** {text('drafts_word', lang)} · {e['prompt_tokens']} + "
        f"{e['completion_tokens']} tokens · {price}{minutes} ({e['model']})"
    )


def _drafts_rows(drafts: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for d in drafts:
        slot = d.get("slot") or {}
        rows.append(
            [
                slot.get("date", d["key"][:10]),
                slot.get("channel", ""),
                slot.get("category", ""),
                "✓" if d.get("passed") else "✗",
                d.get("text") or d.get("error") or "",
            ]
        )
    return rows


def build(backend: PlansBackend, workspaces: list[str], default_workspace: str) -> None:
    example = Path(__file__).resolve().parent / "examples" / "plan.json"
    job_state = gr.State("")
    drafts_state = gr.State([])
    with gr.Row():
        workspace = gr.Dropdown(
            choices=workspaces,
            value=default_workspace if default_workspace in workspaces else None,
            label=t("workspace"),
            elem_id="plans-workspace",
        )
    raw = gr.Code(
        value=example.read_text(encoding="utf-8") if example.is_file() else "",
        language="json",
        label=t("plan_input"),
        elem_id="plans-raw",
    )
    make = gr.Button(t("make_slots"), variant="primary", elem_id="plans-slots")
    est = gr.Markdown(elem_id="plans-estimate")
    calendar = gr.HTML(elem_id="plans-calendar")
    go = gr.Button(t("generate_month"), elem_id="plans-generate")
    status = gr.Markdown(elem_id="plans-status")
    table = gr.Dataframe(
        headers=["dato", "kanal", "kategori", "✓", "tekst"],
        wrap=True,
        interactive=False,
        elem_id="plans-drafts",
    )
    with gr.Row():
        pick = gr.Dropdown(choices=[], label=t("variant"), elem_id="plans-pick")
        approve = gr.Button(t("approve"), elem_id="plans-approve")
        reject = gr.Button(t("reject"), elem_id="plans-reject")
    edit = gr.Textbox(lines=4, label=t("edit"), buttons=["copy"], elem_id="plans-edit")
    reviewed = gr.Markdown(elem_id="plans-reviewed")
    with gr.Row():
        fmt = gr.Dropdown(
            choices=[
                ("iCalendar (.ics)", "ics"),
                ("Buffer (CSV)", "buffer"),
                ("Hootsuite (CSV)", "hootsuite"),
                ("Publer (CSV)", "publer"),
                ("Markdown", "md"),
            ],
            value="ics",
            label=t("export_format"),
            elem_id="plans-format",
        )
        date_format = gr.Radio(["dd/mm", "mm/dd"], value="dd/mm", label="Hootsuite")
        download = gr.DownloadButton("⬇", elem_id="plans-download")

    def show_slots(ws: str | None, body: str, request: gr.Request) -> tuple[str, str]:
        ui = language_of(request)
        if not ws:
            raise gr.Error(text("pick_workspace", ui))
        try:
            result = backend.slots(ws, body)
        except Exception as exc:
            raise gr.Error(str(getattr(exc, "message", exc))) from exc
        return _estimate_md(result["estimate"], ui), render_calendar(result)

    make.click(show_slots, [workspace, raw], [est, calendar])

    def run(
        ws: str | None, body: str, request: gr.Request, progress: gr.Progress = gr.Progress()
    ) -> tuple[Any, ...]:
        ui = language_of(request)
        if not ws:
            raise gr.Error(text("pick_workspace", ui))
        try:
            job_id = backend.start(ws, body)
        except Exception as exc:
            raise gr.Error(str(getattr(exc, "message", exc))) from exc
        while True:
            job = backend.progress(job_id)
            total = max(1, job["total"])
            progress(
                (job["done"] + job["failed"]) / total, desc=job.get("current") or job["status"]
            )
            if job["status"] in ("done", "failed", "cancelled"):
                break
            time.sleep(0.5)
        drafts = backend.drafts(job_id)
        choices = [
            (
                " ".join(str((d.get("slot") or {}).get(k, "")) for k in ("date", "channel")),
                d["draft_id"],
            )
            for d in drafts
            if d.get("draft_id")
        ]
        summary = f"{job['done']}/{job['total']} {text('drafts_word', ui)} · {job['status']}"
        return (
            job_id,
            drafts,
            summary,
            _drafts_rows(drafts),
            gr.update(choices=choices, value=choices[0][1] if choices else None),
        )

    go.click(run, [workspace, raw], [job_state, drafts_state, status, table, pick])

    def choose(draft_id: str | None, drafts: list[dict[str, Any]]) -> str:
        return next((d.get("text", "") for d in drafts if d.get("draft_id") == draft_id), "")

    pick.change(choose, [pick, drafts_state], edit)

    def decide(verdict: str) -> Callable[..., str]:
        def act(ws: str | None, draft_id: str | None, value: str, request: gr.Request) -> str:
            ui = language_of(request)
            if not ws or not draft_id:
                raise gr.Error(text("pick_variant", ui))
            backend.review(ws, draft_id, verdict, value)
            return text("approved_done" if verdict == "approved" else "rejected_done", ui)

        return act

    approve.click(decide("approved"), [workspace, pick, edit], reviewed)
    reject.click(decide("rejected"), [workspace, pick, edit], reviewed)

    def fetch(ws: str | None, body: str, job_id: str, kind: str, order: str) -> str | None:
        if not ws or not job_id:
            return None
        data = backend.download(ws, body, job_id, kind, order)
        ext = {"ics": "ics", "md": "md"}.get(kind, "csv")
        path = Path(tempfile.mkdtemp()) / f"{ws}-{kind}.{ext}"
        path.write_bytes(data)
        return str(path)

    for trigger in (fmt.change, date_format.change, job_state.change):
        trigger(fetch, [workspace, raw, job_state, fmt, date_format], download)
    # The file carries what people decided: it is made again after every verdict.
    reviewed.change(fetch, [workspace, raw, job_state, fmt, date_format], download)
