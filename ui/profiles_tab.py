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
    channel_name,
    check_detail,
    check_label,
    datetime_text,
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
    parse: Callable[[str], dict[str, Any]]  # raw file text -> the profile set
    limits: Callable[[], dict[str, dict[str, dict[str, Any]]]]  # channel -> field -> labels, max


def field_name(limits: dict[str, dict[str, dict[str, Any]]], key: str, lang: str) -> str:
    """ "facebook.description" as people read it: «Facebook · Beskrivelse»."""
    channel, _, name = key.partition(".")
    labels = (limits.get(channel, {}).get(name) or {}).get("labels") or {}
    return f"{channel_name(channel)} · {labels.get(lang) or name}"


def finding_name(code: str, lang: str) -> str:
    """A finding's kind in words ("Motstridende fakta"), never its code."""
    try:
        return text(f"finding_{code}", lang)
    except KeyError:
        return text("finding_other", lang)


def count_html(value: str, limit: int | None, lang: str) -> str:
    """The live count under a field: in words (not colour alone), marked when over."""
    n = len(value or "")
    if not limit:
        words = text("count_free", lang).format(found=n)
    elif n > limit:
        words = text("count_over", lang).format(found=n, limit=limit, excess=n - limit)
    else:
        words = text("count_ok", lang).format(found=n, limit=limit)
    over = bool(limit) and n > (limit or 0)
    style = "color:#c92a2a;font-weight:bold" if over else "color:#495057"
    return (
        f"<small class='gj-live-count' data-over='{str(over).lower()}' style='{style}'>"
        f"{html.escape(words)}</small>"
    )


_SEVERITY_COLOUR = {1: "#e67700", 2: "#d9480f", 3: "#c92a2a"}


def render_table(
    report: dict[str, Any],
    lang: str = "nb",
    limits: dict[str, dict[str, dict[str, Any]]] | None = None,
) -> str:
    """Channels × fields: the text, its count against the limit, score and findings."""
    findings: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for f in report["findings"]:
        findings.setdefault((f["channel"], f["field"]), []).append(f)
    rows = []
    for fs in report["fields"]:
        key = (fs["channel"], fs["field"])
        value = report["profiles"]["channels"][fs["channel"]][fs["field"]]
        over = fs["limit"] is not None and fs["chars"] > fs["limit"]
        count = (
            text("count_ok", lang).format(found=fs["chars"], limit=fs["limit"])
            if fs["limit"]
            else text("count_free", lang).format(found=fs["chars"])
        )
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
            f"<td><b>{html.escape(field_name(limits or {}, '.'.join(key), lang))}</b></td>"
            f"<td>{html.escape(value)}</td>"
            f"<td class='gj-count' data-over='{str(over).lower()}' "
            f"style='white-space:nowrap;{'color:#c92a2a;font-weight:bold' if over else ''}'>"
            f"{count}</td><td>{fs['score']}</td><td>{marks}</td></tr>"
        )
    return (
        "<table class='gj-profiles' style='width:100%;border-collapse:collapse'>"
        "<thead><tr><th></th>"
        + "".join(
            f"<th>{html.escape(text(k, lang))}</th>"
            for k in ("col_text", "col_chars", "col_score", "col_findings")
        )
        + "</tr></thead>"
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


def build(
    backend: ProfilesBackend, workspaces: list[str], default_workspace: str
) -> tuple[Callable[..., Any], list[Any], list[Any]]:
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
    with gr.Accordion(t("profiles_input"), open=False):
        raw = gr.Code(
            value=example.read_text(encoding="utf-8") if example.is_file() else "",
            language="json",
            label=t("profiles_input"),
            elem_id="profiles-raw",
        )
    go = gr.Button(t("run_audit"), variant="primary", elem_id="profiles-go")
    summary = gr.Markdown(elem_id="profiles-summary")
    table = gr.HTML(elem_id="profiles-table")
    limits = backend.limits()
    editor_state = gr.State({})  # the profile set the editor shows
    edits_state = gr.State({})  # "channel.field" -> what was typed since
    with gr.Accordion(t("profile_editor"), open=True, elem_id="profiles-editor"):
        # Drawn again only when another profile set is loaded, the last one winning; the keys
        # keep each field's components (and their listeners) across re-draws.
        @gr.render(  # type: ignore[untyped-decorator]
            inputs=[editor_state],
            triggers=[editor_state.change],
            trigger_mode="always_last",
            concurrency_limit=1,
        )
        def editor(profiles: dict[str, Any], request: gr.Request) -> None:
            lang = language_of(request)
            for channel, fields in (profiles.get("channels") or {}).items():
                for name, value in fields.items():
                    key = f"{channel}.{name}"
                    limit = (limits.get(channel, {}).get(name) or {}).get("max")
                    box = gr.Textbox(
                        value=value,
                        label=field_name(limits, key, lang),
                        lines=1 if (limit or 200) <= 80 else 2,
                        elem_classes=["gj-profile-field"],
                        interactive=True,
                        elem_id=f"pf-{channel}-{name}",
                        key=f"field-{key}",
                    )
                    count = gr.HTML(count_html(value, limit, lang), key=f"count-{key}")

                    def typed(
                        v: str, edits: dict[str, str], request: gr.Request,
                        key: str = key, limit: int | None = limit,
                    ) -> tuple[str, dict[str, str]]:  # fmt: skip
                        return count_html(v, limit, language_of(request)), {**edits, key: v}

                    box.change(
                        typed, [box, edits_state], [count, edits_state],
                        show_progress="hidden", trigger_mode="always_last",
                    )  # fmt: skip

        use = gr.Button(t("profiles_from_editor"), elem_id="profiles-use")
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

    upload.upload(load_file, upload, raw).then(
        lambda body: (backend.parse(body), {}), raw, [editor_state, edits_state]
    )

    def from_editor(profiles: dict[str, Any], edits: dict[str, str]) -> tuple[Any, ...]:
        """The typed texts back into the profile set the audit reads."""
        channels = {ch: dict(fields) for ch, fields in (profiles.get("channels") or {}).items()}
        for key, value in edits.items():
            channel, _, name = key.partition(".")
            channels.setdefault(channel, {})[name] = value
        merged = {**profiles, "channels": channels}
        return json.dumps(merged, ensure_ascii=False, indent=2), merged, {}

    def run(ws: str | None, body: str, request: gr.Request) -> tuple[Any, ...]:
        ui = language_of(request)
        if not body.strip():
            raise gr.Error(text("profiles_missing", ui))
        try:
            report = backend.audit(ws, body)
        except Exception as exc:  # a GjenbrukError carries the precise reason
            raise gr.Error(str(getattr(exc, "message", exc))) from exc
        keys = list(dict.fromkeys(f"{f['channel']}.{f['field']}" for f in report["findings"]))
        fields = [(field_name(limits, k, ui), k) for k in keys]
        import pandas as pd

        # The plot's columns are its axis titles: the reader's words and dates.
        when, score = text("col_date", ui), text("col_score", ui)
        past = pd.DataFrame(
            [
                {when: datetime_text(h["created_at"], ui), score: h["overall"]}
                for h in (backend.history(ws) if ws else [])
            ],
            columns=[when, score],
        )
        return (
            f"**{report['overall']}/100** — "
            f"{report.get('summaries', {}).get(ui) or report['summary']}",
            render_table(report, ui, limits),
            gr.update(choices=fields, value=keys[0] if keys else None),
            gr.update(value=past, x=when, y=score, x_title=when, y_title=score)
            if not past.empty
            else None,
            backend.parse(body),
        )

    go.click(run, [workspace, raw], [summary, table, field, history, editor_state])
    use.click(from_editor, [editor_state, edits_state], [raw, editor_state, edits_state]).then(
        run, [workspace, raw], [summary, table, field, history, editor_state]
    )

    def make(body: str, chosen_field: str | None, count: float, request: gr.Request) -> Any:
        ui = language_of(request)
        if not chosen_field:
            raise gr.Error(text("pick_field", ui))
        try:
            result = backend.propose(body, chosen_field, int(count))
        except Exception as exc:
            raise gr.Error(str(getattr(exc, "message", exc))) from exc
        labels = [
            (f"{i}. {text('origin_' + o['origin'], ui)}", o["text"])
            for i, o in enumerate(result["shown"], 1)
        ]
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
            f"**{report['overall']}/100** — "
            f"{report.get('summaries', {}).get(ui) or report['summary']}",
            render_table(report, ui, limits),
            past if not past.empty else None,
        )

    accept.click(
        keep, [workspace, raw, field, chosen], [accepted, raw, summary, table, history]
    ).then(
        # The editor shows the accepted text too: it is the field's current text now.
        lambda body: (backend.parse(body), {}),
        raw,
        [editor_state, edits_state],
    )

    def opened(body: str) -> dict[str, Any]:
        try:
            return backend.parse(body) if body.strip() else {}
        except Exception:  # a file that does not parse is shown as it is, in the JSON editor
            return {}

    # The editor shows the example (or the uploaded file) when the page opens.
    return opened, [raw], [editor_state]
