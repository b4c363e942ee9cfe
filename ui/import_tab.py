"""The tab "Importer": drop export files, read the report per file (rows imported, updated and
skipped with their numbers and reasons, columns placed by content and why), confirm or correct
a mapping proposal, follow a large import's job, and give the LinkedIn follower count the
export lacks. Every call goes to the functions it is handed; no import logic here."""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui.texts import language_of, t, text

MAX_FIELDS = 32  # the widest format has fewer canonical fields than this
MAX_SKIPPED = 50  # rows listed per file; the rest are counted
UNSURE = 0.7
FINISHED = ("done", "failed", "cancelled")


@dataclass(frozen=True)
class ImportBackend:
    # workspace, saved file paths, a confirmed mapping (field -> column) or None
    # -> {"report": ImportReport} or {"job": ImportJob} (a large import, running)
    run: Callable[[str, list[str], dict[str, str] | None], dict[str, Any]]
    job: Callable[[str, str], dict[str, Any]]  # workspace, job id -> ImportJob
    set_followers: Callable[[str, int, str], dict[str, Any]]  # workspace, count, YYYY-MM-DD
    linkedin_start: Callable[[str], str]  # workspace -> the day before its LinkedIn data, or ""


def _e(value: object) -> str:
    return html.escape(str(value))


def _conf(value: float) -> str:
    return f"{value:.0%}"


def render_file(f: dict[str, Any], lang: str) -> str:
    """One file's report: counts, skipped rows with numbers and reasons, inferred columns."""
    name = f.get("path") or ""
    parts = [f"<div class='gj-import-file' data-file='{_e(name)}'>", f"<h4>{_e(name)}</h4>"]
    heads = ("import_format", "import_rows", "import_new", "import_updated", "import_skipped")
    cells = (
        ("gj-format", f.get("format") or "–"),
        ("gj-rows", f.get("rows_read", 0)),
        ("gj-imported", f.get("imported", 0)),
        ("gj-updated", f.get("updated", 0)),
        ("gj-skipped", len(f.get("skipped") or [])),
    )
    parts.append(
        "<table class='gj-counts'><tr>"
        + "".join(f"<th>{_e(text(h, lang))}</th>" for h in heads)
        + "</tr><tr>"
        + "".join(f"<td class='{c}'>{_e(v)}</td>" for c, v in cells)
        + "</tr></table>"
    )
    if f.get("error") and not f.get("imported") and not f.get("updated"):
        parts.append(
            f"<p class='gj-error' style='color:#c92a2a'><b>{_e(text('import_error', lang))}:</b> "
            f"{_e(f['error'])}</p>"
        )
    elif f.get("error"):
        parts.append(f"<p class='gj-error' style='color:#c92a2a'>{_e(f['error'])}</p>")
    skipped = f.get("skipped") or []
    if skipped:
        rows = "".join(
            f"<tr class='gj-skip' data-row='{_e(s['row'])}'><td>{_e(s['row'])}</td>"
            f"<td>{_e(s['reason'])}</td></tr>"
            for s in skipped[:MAX_SKIPPED]
        )
        more = ""
        if len(skipped) > MAX_SKIPPED:
            rest = len(skipped) - MAX_SKIPPED
            more = f"<p>{_e(text('import_more_skipped', lang).format(n=rest))}</p>"
        parts.append(
            f"<details open><summary>{_e(text('import_skipped', lang))}: {len(skipped)}</summary>"
            f"<table class='gj-skipped'><tr><th>{_e(text('import_row', lang))}</th>"
            f"<th>{_e(text('import_reason', lang))}</th></tr>{rows}</table>{more}</details>"
        )
    inferred = f.get("inferred") or []
    if inferred:
        rows = "".join(
            f"<tr class='gj-inferred' data-field='{_e(c['field'])}'><td>{_e(c['field'])}</td>"
            f"<td>{_e(c['column'])}</td><td>{_e(c['reason'])}</td>"
            f"<td>{_conf(float(c['confidence']))}</td></tr>"
            for c in inferred
        )
        parts.append(
            f"<details><summary>{_e(text('import_inferred', lang))}: {len(inferred)}</summary>"
            f"<table class='gj-inferred-table'><tr><th>{_e(text('import_field', lang))}</th>"
            f"<th>{_e(text('import_column', lang))}</th><th>{_e(text('import_why', lang))}</th>"
            f"<th>{_e(text('import_confidence', lang))}</th></tr>{rows}</table></details>"
        )
    for key, css in (("warnings", "gj-warning"), ("notes", "gj-note")):
        items = f.get(key) or []
        if items:
            parts.append(
                f"<p><b>{_e(text('import_' + key, lang))}</b></p><ul class='{css}'>"
                + "".join(f"<li>{_e(w)}</li>" for w in items)
                + "</ul>"
            )
    parts.append("</div>")
    return "".join(parts)


def render_report(files: list[dict[str, Any]], embedded: int, categorised: int, lang: str) -> str:
    body = "".join(render_file(f, lang) for f in files)
    summary = text("import_embedded", lang).format(embedded=embedded, categorised=categorised)
    return f"<div class='gj-import-report'>{body}<p class='gj-embedded'>{_e(summary)}</p></div>"


def render_proposal(proposal: dict[str, Any], lang: str) -> str:
    """Each field -> the column it would use, its sample values and the confidence."""
    rows = []
    for f in proposal["fields"]:
        unsure = float(f["confidence"]) < UNSURE
        flag = f" <b>({_e(text('import_mapping_unsure', lang))})</b>" if unsure else ""
        rows.append(
            f"<tr class='gj-proposed' data-field='{_e(f['field'])}' "
            f"data-unsure='{str(unsure).lower()}'><td>{_e(f['field'])}{flag}</td>"
            f"<td>{_e(f['column'])}</td><td>{_e(' | '.join(f.get('samples') or [])[:120])}</td>"
            f"<td>{_conf(float(f['confidence']))}</td></tr>"
        )
    head = "".join(
        f"<th>{_e(text(k, lang))}</th>"
        for k in ("import_field", "import_column", "import_samples", "import_confidence")
    )
    return f"<table class='gj-proposal'><tr>{head}</tr>{''.join(rows)}</table>"


def render_job(view: dict[str, Any], lang: str) -> str:
    job = view["job"]
    lines = []
    for f in view["files"]:
        stage = text(f"stage_{f['stage']}", lang)
        line = text("import_job_progress", lang).format(
            name=f["name"], stage=stage, parsed=f["parsed"], stored=f["stored"],
            embedded=f["embedded"],
        )  # fmt: skip
        total = f.get("rows_total")
        bar = ""
        if total:
            share = min(1.0, f["parsed"] / total)
            bar = f"<div style='background:#e8590c;height:4px;width:{int(100 * share)}%'></div>"
        lines.append(f"<li class='gj-job-file' data-stage='{_e(f['stage'])}'>{_e(line)}{bar}</li>")
    done = ""
    if job["status"] in FINISHED:
        done = text("import_job_done", lang).format(
            done=job["done"], total=job["total"], failed=job["failed"]
        )
    return (
        f"<div class='gj-job' data-status='{_e(job['status'])}'>"
        f"<b>{_e(text('import_job_heading', lang))}</b><ul>{''.join(lines)}</ul>"
        f"<p class='gj-job-done'>{_e(done)}</p></div>"
    )


def _message(exc: Exception) -> str:
    return str(getattr(exc, "message", exc))


def build(backend: ImportBackend, workspaces: list[str], default_workspace: str) -> None:
    proposal_state = gr.State(None)
    lang_state = gr.State("nb")
    with gr.Row():
        workspace = gr.Dropdown(
            choices=workspaces,
            value=default_workspace if default_workspace in workspaces else None,
            label=t("workspace"),
            elem_id="import-workspace",
        )
    files = gr.File(
        file_count="multiple", type="filepath", label=t("import_files"), elem_id="import-files"
    )
    go = gr.Button(t("import_go"), variant="primary", elem_id="import-go")
    progress_box = gr.HTML(elem_id="import-progress")
    report = gr.HTML(label=t("import_report"), elem_id="import-report")
    with gr.Group(visible=False, elem_id="import-mapping") as mapping_box:
        heading = gr.Markdown(elem_id="import-mapping-heading")
        proposal_table = gr.HTML(elem_id="import-proposal")
        pickers = [
            gr.Dropdown(choices=[], visible=False, interactive=True, elem_id=f"import-map-{i}")
            for i in range(MAX_FIELDS)
        ]
        confirm = gr.Button(t("import_confirm"), variant="primary", elem_id="import-confirm")
    gr.Markdown(t("import_linkedin_heading"))
    with gr.Row():
        li_count = gr.Number(
            label=t("import_li_count"), precision=0, minimum=0, elem_id="import-li-count"
        )
        li_date = gr.Textbox(label=t("import_li_date"), elem_id="import-li-date")
        li_save = gr.Button(t("import_li_save"), elem_id="import-li-save")
    li_status = gr.Markdown(elem_id="import-li-status")

    outputs = [progress_box, report, mapping_box, heading, proposal_table, proposal_state, li_date]
    outputs += [lang_state, *pickers]

    def hidden_mapping() -> list[Any]:
        return [gr.update(visible=False), "", "", None]

    def shown_mapping(f: dict[str, Any], lang: str) -> tuple[list[Any], list[Any]]:
        proposal = f["proposal"]
        none = text("import_no_column", lang)
        columns = [none, *proposal["columns"]]
        fields = proposal["fields"][:MAX_FIELDS]
        updates: list[Any] = []
        for i in range(MAX_FIELDS):
            if i >= len(fields):
                updates.append(gr.update(visible=False, choices=[], value=None))
                continue
            fld = fields[i]
            unsure = float(fld["confidence"]) < UNSURE
            samples = " | ".join(fld.get("samples") or [])[:80]
            label = fld["field"] + (f" ({text('import_mapping_unsure', lang)})" if unsure else "")
            updates.append(
                gr.update(
                    visible=True,
                    choices=columns,
                    value=fld["column"] if fld["column"] in columns else none,
                    label=label,
                    info=f"{_conf(float(fld['confidence']))} · {samples}",
                )
            )
        head = text("import_mapping_heading", lang).format(
            file=f.get("path") or "", rows=proposal["rows"]
        )
        box = [
            gr.update(visible=True),
            head,
            render_proposal(proposal, lang),
            [x["field"] for x in fields],
        ]
        return box, updates

    def follow(
        ws: str, paths: list[str], mapping: dict[str, str] | None, lang: str
    ) -> Iterator[list[Any]]:
        keep = [gr.update() for _ in pickers]
        try:
            out = backend.run(ws, paths, mapping)
        except Exception as exc:
            raise gr.Error(_message(exc)) from exc
        if "job" in out:
            view = out["job"]
            while True:
                yield [render_job(view, lang), "", *hidden_mapping(), gr.update(), lang, *keep]
                if view["job"]["status"] in FINISHED:
                    break
                time.sleep(0.5)
                view = backend.job(ws, view["job"]["id"])
            results = {i["key"]: i.get("result") or {} for i in view.get("items") or []}
            reports = [f["report"] for f in view["files"] if f.get("report")]
            embedded = sum(int(r.get("embedded") or 0) for r in results.values())
            categorised = max([int(r.get("categorised") or 0) for r in results.values()] or [0])
            job_html = render_job(view, lang)
        else:
            body = out["report"]
            reports, embedded, categorised = body["files"], body["embedded"], body["categorised"]
            job_html = ""
        html_report = render_report(reports, embedded, categorised, lang)
        start = ""
        if any(r.get("channel") == "linkedin" for r in reports):
            start = backend.linkedin_start(ws)
        date = gr.update(value=start) if start else gr.update()
        asked = next((r for r in reports if r.get("proposal")), None)
        if asked is None:
            yield [job_html, html_report, *hidden_mapping(), date, lang, *keep]
            return
        box, updates = shown_mapping(asked, lang)
        yield [job_html, html_report, *box, date, lang, *updates]

    def run(ws: str | None, paths: list[str] | None, request: gr.Request) -> Iterator[list[Any]]:
        lang = language_of(request)
        if not ws:
            raise gr.Error(text("pick_workspace", lang))
        if not paths:
            raise gr.Error(text("import_pick_files", lang))
        yield from follow(ws, list(paths), None, lang)

    def confirm_mapping(
        ws: str | None, paths: list[str] | None, fields: list[str] | None, lang: str, *values: Any
    ) -> Iterator[list[Any]]:
        if not ws:
            raise gr.Error(text("pick_workspace", lang))
        if not paths:
            raise gr.Error(text("import_pick_files", lang))
        none = text("import_no_column", lang)
        chosen = {f: str(v) for f, v in zip(fields or [], values, strict=False) if v and v != none}
        yield from follow(ws, list(paths), chosen, lang)

    go.click(run, [workspace, files], outputs)
    # The pickers vary in number, so the language the run saw comes from its state.
    confirm.click(
        confirm_mapping, [workspace, files, proposal_state, lang_state, *pickers], outputs
    )

    def save_followers(ws: str | None, count: float | None, day: str, request: gr.Request) -> str:
        lang = language_of(request)
        if not ws:
            raise gr.Error(text("pick_workspace", lang))
        if count is None or not day.strip():
            raise gr.Error(text("import_li_missing", lang))
        try:
            saved = backend.set_followers(ws, int(count), day.strip())
        except Exception as exc:
            raise gr.Error(_message(exc)) from exc
        return text("import_li_saved", lang).format(
            followers=saved["followers"], date=saved["date"]
        )

    li_save.click(save_followers, [workspace, li_count, li_date], li_status)

    def start_date(ws: str | None) -> Any:
        return gr.update(value=backend.linkedin_start(ws) if ws else "")

    workspace.change(start_date, workspace, li_date)
