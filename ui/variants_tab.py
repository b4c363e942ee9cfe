"""The tab "Gjenbruk et innlegg": pick a post (best performers first) or paste text, tick
surfaces, get checked variants with the posts they were based on, edit, approve or reject."""

from __future__ import annotations

import html
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from ui.texts import language_of, t, text

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True)
class VariantsBackend:
    top_posts: Callable[[str, str], list[tuple[str, str]]]  # (workspace, query) -> (label, id)
    surfaces: Callable[[], list[tuple[str, str]]]  # (label, id), grouped owned/earned/paid
    generate: Callable[[dict[str, Any], ProgressFn], dict[str, Any]]
    review: Callable[[str, str, str, str], dict[str, Any]]  # ws, draft id, status, text


def _check_marks(checks: list[dict[str, Any]]) -> str:
    marks = []
    for c in checks:
        icon = "✅" if c["passed"] else ("❌" if c.get("hard", True) else "⚠️")
        marks.append(
            f'<li class="gj-check" data-passed="{str(c["passed"]).lower()}">{icon} '
            f"<b>{html.escape(c['name'])}</b> {html.escape(c['detail'])}</li>"
        )
    return f"<ul style='list-style:none;padding-left:0;margin:4px 0'>{''.join(marks)}</ul>"


def render_variants(result: dict[str, Any], lang: str) -> str:
    examples = {e["post_id"]: e for e in result.get("examples", [])}
    blocks = [f"<p class='gj-warning'>⚠️ {html.escape(w)}</p>" for w in result.get("warnings", [])]
    for v in result["variants"]:
        length = next((c for c in v["checks"] if c["name"] == "length"), None)
        count = f" · {html.escape(length['detail'])}" if length else ""
        status = text("passed" if v["passed"] else "failed", lang)
        colour = "#2b8a3e" if v["passed"] else "#c92a2a"
        based = "".join(
            f"<li>{html.escape(examples[i]['text'][:110])}… "
            f"<small>({html.escape(examples[i]['channel'])}"
            # An approved draft people said yes to (service/learning), not a published post.
            + (
                f", {text('example_' + examples[i]['kind'], lang)}"
                if examples[i].get("kind", "post") != "post"
                else ""
            )
            + (
                f", {examples[i]['engagement_rate']:.1%}"
                if examples[i].get("engagement_rate") is not None
                else ""
            )
            + ")</small></li>"
            for i in v["examples_used"]
            if i in examples
        )
        body = html.escape(v["text"]).replace("\n", "<br>") or f"<i>{text('no_text', lang)}</i>"
        blocks.append(
            f"<div class='gj-variant' data-surface='{html.escape(v['surface'])}' "
            f"style='border:1px solid #ddd;border-left:4px solid {colour};padding:8px 12px;"
            f"margin:10px 0;border-radius:6px'>"
            f"<h4 style='margin:0'>{html.escape(v['surface'])} "
            f"<span style='color:{colour}'>{status}</span><small>{count}</small></h4>"
            f"<p style='margin:6px 0'>{body}</p>{_check_marks(v['checks'])}"
            + (
                f"<details><summary>{text('based_on', lang)}</summary><ol>{based}</ol></details>"
                if based
                else ""
            )
            + "</div>"
        )
    return "".join(blocks)


def _draft_choices(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (f"{v['surface']} {'✓' if v['passed'] else '✗'}", v["draft_id"])
        for v in result["variants"]
        if v.get("draft_id")
    ]


def build(backend: VariantsBackend, workspaces: list[str], default_workspace: str) -> None:
    state = gr.State({})
    with gr.Row():
        workspace = gr.Dropdown(
            choices=workspaces,
            value=default_workspace if default_workspace in workspaces else None,
            label=t("workspace"),
            elem_id="variants-workspace",
        )
        find = gr.Textbox(
            label=t("find_post"), placeholder=t("find_post_hint"), elem_id="variants-find"
        )
    initial = backend.top_posts(default_workspace, "") if default_workspace in workspaces else []
    post = gr.Dropdown(
        choices=initial,
        value=initial[0][1] if initial else None,
        label=t("pick_post"),
        elem_id="variants-post",
    )
    pasted = gr.Textbox(label=t("or_paste"), lines=4, elem_id="variants-text")
    surfaces = gr.CheckboxGroup(
        choices=backend.surfaces(), label=t("surfaces"), elem_id="variants-surfaces"
    )
    with gr.Row():
        language = gr.Dropdown(
            choices=[(t("lang_auto"), ""), ("bokmål", "nb"), ("nynorsk", "nn"), ("English", "en")],
            value="",
            label=t("language"),
            elem_id="variants-language",
        )
        source_type = gr.Dropdown(
            choices=[(t("own"), "own"), (t("ugc"), "ugc"), (t("partner"), "partner")],
            value="own",
            label=t("source_type"),
            elem_id="variants-source-type",
        )
        go = gr.Button(t("make_variants"), variant="primary", elem_id="variants-go")
    out = gr.HTML(elem_id="variants-out")
    with gr.Accordion(t("review"), open=True):
        draft = gr.Dropdown(choices=[], label=t("variant"), elem_id="variants-draft")
        edit = gr.Textbox(lines=6, label=t("edit"), buttons=["copy"], elem_id="variants-edit")
        with gr.Row():
            approve = gr.Button(t("approve"), elem_id="variants-approve")
            reject = gr.Button(t("reject"), elem_id="variants-reject")
            export = gr.DownloadButton("JSON ⬇", elem_id="variants-export")
        reviewed = gr.Markdown(elem_id="variants-reviewed")

    def refresh_posts(ws: str | None, query: str) -> Any:
        choices = backend.top_posts(ws, query) if ws else []
        return gr.update(choices=choices, value=choices[0][1] if choices else None)

    workspace.change(refresh_posts, [workspace, find], post)
    find.submit(refresh_posts, [workspace, find], post)

    def generate(
        ws: str | None,
        post_id: str | None,
        paste: str,
        chosen: list[str],
        lang: str,
        src: str,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),
    ) -> tuple[Any, ...]:
        ui = language_of(request)
        if not ws:
            raise gr.Error(text("pick_workspace", ui))
        if not chosen:
            raise gr.Error(text("pick_surfaces", ui))
        req: dict[str, Any] = {"workspace": ws, "surfaces": chosen, "source_type": src}
        if paste.strip():
            req["text"] = paste
        elif post_id:
            req["post_id"] = post_id
        else:
            raise gr.Error(text("pick_source", ui))
        if lang:
            req["language"] = lang
        progress(0, desc=text("working", ui))

        def tick(surface: str, done: int, total: int) -> None:
            progress((done, total), desc=surface)

        result = backend.generate(req, tick)
        choices = _draft_choices(result)
        first = next((v for v in result["variants"] if v.get("draft_id")), None)
        return (
            result,
            render_variants(result, ui),
            gr.update(choices=choices, value=choices[0][1] if choices else None),
            first["text"] if first else "",
        )

    go.click(
        generate,
        [workspace, post, pasted, surfaces, language, source_type],
        [state, out, draft, edit],
    )

    def show_draft(result: dict[str, Any], draft_id: str | None) -> str:
        v = next((v for v in result.get("variants", []) if v.get("draft_id") == draft_id), None)
        return v["text"] if v else ""

    draft.change(show_draft, [state, draft], edit)

    def decide(status: str) -> Callable[..., str]:
        def run(ws: str | None, draft_id: str | None, edited: str, request: gr.Request) -> str:
            ui = language_of(request)
            if not ws or not draft_id:
                raise gr.Error(text("pick_variant", ui))
            backend.review(ws, draft_id, status, edited)
            return text(f"{status}_done", ui)

        return run

    approve.click(decide("approved"), [workspace, draft, edit], reviewed)
    reject.click(decide("rejected"), [workspace, draft, edit], reviewed)

    def download(result: dict[str, Any]) -> str | None:
        if not result:
            return None
        path = Path(tempfile.mkdtemp()) / "gjenbruk-varianter.json"
        path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        return str(path)

    state.change(download, [state], export)
