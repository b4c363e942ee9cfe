"""The tab "Profiltekster": paste or upload profile texts, see every channel's fields against
their limits with the findings highlighted, get rewrite options side by side with a diff, accept
one to store it (it becomes the text the next audit reads)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import gradio as gr

from ui.texts import (
    check_detail,
    check_label,
    finding_evidence,
    finding_label,
    finding_suggestion,
    language_of,
    origin_label,
    t,
    text,
)


@dataclass(frozen=True)
class ProfilesBackend:
    audit: Callable[[str | None, str], dict[str, Any]]  # workspace (stores it), raw file text
    propose: Callable[[str, str, int], dict[str, Any]]  # raw, "channel.field", model options
    # ws, raw, field, text -> {"draft", "profiles" (the texts now), "audit" (of them)}
    accept: Callable[[str, str, str, str], dict[str, Any]]
    history: Callable[[str], list[dict[str, Any]]]


_SEVERITY_COLOUR = {1: "#e67700", 2: "#d9480f", 3: "#c92a2a"}


def render_table(report: dict[str, Any], lang: str = "nb") -> str:
    """Channels × fields: the text, its count against the limit, score and findings."""
    findings: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for f in report["findings"]:
        findings.setdefault((f["channel"], f["field"]), []).append(f)
    rows = []
    for fs in report["fields"]:
        key = (fs["channel"], fs["field"])
        value = report["profiles"]["channels"][fs["channel"]][fs["field"]]
        over = fs["limit"] is not None and fs["chars"] > fs["limit"]
        count = f"{fs['chars']}/{fs['limit']}" if fs["limit"] else str(fs["chars"])
        marks = "".join(
            f"<div class='gj-finding' data-code='{html.escape(f['code'])}' "
            f"style='color:{_SEVERITY_COLOUR[f['severity']]}'>● "
            f"<b>{html.escape(finding_label(f, lang))}</b> {html.escape(finding_evidence(f, lang))}"
            f"<br><small>{html.escape(finding_suggestion(f, lang))}</small></div>"
            for f in findings.get(key, [])
        )
        rows.append(
            f"<tr class='gj-field' data-field='{html.escape(key[0])}.{html.escape(key[1])}'"
            f"{' style=background:#fff4e6' if findings.get(key) else ''}>"
            f"<td><b>{html.escape(fs['channel'])}</b><br>{html.escape(fs['field'])}</td>"
            f"<td>{html.escape(value)}</td>"
            f"<td class='gj-count' data-over='{str(over).lower()}' "
            f"style='white-space:nowrap;{'color:#c92a2a;font-weight:bold' if over else ''}'>"
            f"{count}</td><td>{fs['score']}</td><td>{marks}</td></tr>"
        )
    return (
        "<table class='gj-profiles' style='width:100%;border-collapse:collapse'>"
        "<thead><tr><th></th><th>Tekst</th><th>Tegn</th><th>Score</th><th>Funn</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _diff_html(diff: str) -> str:
    out = html.escape(diff)
    out = re.sub(r"\[-(.*?)-\]", r"<del style='background:#ffe3e3'>\1</del>", out)
    return re.sub(r"\{\+(.*?)\+\}", r"<ins style='background:#d3f9d8'>\1</ins>", out)


def render_options(result: dict[str, Any], lang: str) -> str:
    cards = []
    for i, o in enumerate(result["shown"], start=1):
        cards.append(
            f"<div class='gj-option' style='flex:1;min-width:260px;border:1px solid #ddd;"
            f"border-left:4px solid #2b8a3e;border-radius:6px;padding:8px 12px'>"
            f"<h4 style='margin:0'>{i}. {html.escape(origin_label(o['origin'], lang))} "
            f"<small>{o['chars']}/{o['limit'] or '–'}</small></h4>"
            f"<p>{html.escape(o['text'])}</p><p><small>{_diff_html(o['diff'])}</small></p></div>"
        )
    hidden = "".join(
        f"<li>{html.escape(origin_label(o['origin'], lang))}: "
        + ", ".join(
            f"{html.escape(check_label(c, lang))} ({html.escape(check_detail(c, lang))})"
            for c in o["checks"]
            if c.get("hard", True) and not c["passed"]
        )
        + "</li>"
        for o in result["hidden"]
    )
    note = (
        f"<details><summary>{text('hidden_options', lang)} ({len(result['hidden'])})</summary>"
        f"<ul>{hidden}</ul></details>"
        if hidden
        else ""
    )
    if not cards:
        return f"<p>{text('no_options', lang)}</p>{note}"
    return f"<div style='display:flex;gap:12px;flex-wrap:wrap'>{''.join(cards)}</div>{note}"


def build(backend: ProfilesBackend, workspaces: list[str], default_workspace: str) -> None:
    example = Path(__file__).resolve().parent / "examples" / "profiles.json"
    with gr.Row():
        workspace = gr.Dropdown(
            choices=workspaces,
            value=default_workspace if default_workspace in workspaces else None,
            label=t("workspace"),
            elem_id="profiles-workspace",
        )
        # UploadButton's label is typed str only; I18nData resolves in the browser all the same.
        upload = gr.UploadButton(
            cast(str, t("upload_profiles")), file_types=[".json", ".csv"], elem_id="profiles-upload"
        )
    raw = gr.Code(
        value=example.read_text(encoding="utf-8") if example.is_file() else "",
        language="json",
        label=t("profiles_input"),
        elem_id="profiles-raw",
    )
    go = gr.Button(t("run_audit"), variant="primary", elem_id="profiles-go")
    summary = gr.Markdown(elem_id="profiles-summary")
    table = gr.HTML(elem_id="profiles-table")
    with gr.Accordion(t("rewrite"), open=True):
        with gr.Row():
            field = gr.Dropdown(choices=[], label=t("field"), elem_id="profiles-field")
            n = gr.Slider(0, 3, value=1, step=1, label=t("model_options"))
            propose = gr.Button(t("propose"), elem_id="profiles-propose")
        options = gr.HTML(elem_id="profiles-options")
        with gr.Row():
            pick = gr.Dropdown(choices=[], label=t("option"), elem_id="profiles-pick")
        chosen = gr.Textbox(lines=3, label=t("edit"), buttons=["copy"], elem_id="profiles-edit")
        accept = gr.Button(t("accept"), elem_id="profiles-accept")
        accepted = gr.Markdown(elem_id="profiles-accepted")
    history = gr.LinePlot(
        x="created_at", y="overall", title=cast(str, t("progress")), elem_id="profiles-history"
    )
    shown_state = gr.State([])

    def load_file(file: Any) -> str:
        return Path(file if isinstance(file, str) else file.name).read_text(encoding="utf-8-sig")

    upload.upload(load_file, upload, raw)

    def run(ws: str | None, body: str, request: gr.Request) -> tuple[Any, ...]:
        ui = language_of(request)
        if not body.strip():
            raise gr.Error(text("profiles_missing", ui))
        try:
            report = backend.audit(ws, body)
        except Exception as exc:  # a GjenbrukError carries the precise reason
            raise gr.Error(str(getattr(exc, "message", exc))) from exc
        fields = list(dict.fromkeys(f"{f['channel']}.{f['field']}" for f in report["findings"]))
        import pandas as pd

        past = pd.DataFrame(backend.history(ws)) if ws else pd.DataFrame()
        return (
            f"**{report['overall']}/100** — "
            f"{report.get('summaries', {}).get(ui) or report['summary']}",
            render_table(report, ui),
            gr.update(choices=fields, value=fields[0] if fields else None),
            past if not past.empty else None,
        )

    go.click(run, [workspace, raw], [summary, table, field, history])

    def make(body: str, chosen_field: str | None, count: float, request: gr.Request) -> Any:
        ui = language_of(request)
        if not chosen_field:
            raise gr.Error(text("pick_field", ui))
        try:
            result = backend.propose(body, chosen_field, int(count))
        except Exception as exc:
            raise gr.Error(str(getattr(exc, "message", exc))) from exc
        labels = [(f"{i}. {o['origin']}", o["text"]) for i, o in enumerate(result["shown"], 1)]
        return (
            render_options(result, ui),
            gr.update(choices=labels, value=labels[0][1] if labels else None),
            labels[0][1] if labels else "",
            result["shown"],
        )

    propose.click(make, [raw, field, n], [options, pick, chosen, shown_state], show_progress="full")
    pick.change(lambda value: value or "", pick, chosen)

    def keep(
        ws: str | None, body: str, chosen_field: str | None, value: str, request: gr.Request
    ) -> tuple[Any, ...]:
        ui = language_of(request)
        if not ws or not chosen_field or not value.strip():
            raise gr.Error(text("pick_option", ui))
        kept = backend.accept(ws, body, chosen_field, value)
        draft = kept["draft"]
        failed = [c["name"] for c in draft["checks"] if c.get("hard", True) and not c["passed"]]
        note = "" if not failed else " ⚠️ " + ", ".join(failed)
        message = f"✅ {text('accepted_done', ui)} ({draft['surface']}){note}"
        report = kept.get("audit")
        if not report or not kept.get("profiles"):
            return message, gr.skip(), gr.skip(), gr.skip(), gr.skip()
        import pandas as pd

        # The accepted text is now the one in the box: the next audit reads it, and the
        # history already has the audit of it.
        past = pd.DataFrame(backend.history(ws))
        return (
            message,
            json.dumps(kept["profiles"], ensure_ascii=False, indent=2),
            f"**{report['overall']}/100** — {report['summary']}",
            render_table(report),
            past if not past.empty else None,
        )

    accept.click(keep, [workspace, raw, field, chosen], [accepted, raw, summary, table, history])
