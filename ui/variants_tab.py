"""The tab "Gjenbruk et innlegg": pick a post (best performers first) or paste text, tick
surfaces, get checked variants with the posts they were based on, edit, approve or reject.

What a person decided stays in view: after every verdict the cards, the text box and the JSON
download are made again from the stored drafts (status, edited text, an approval that overrode
failed checks), and the last variants come back after a reload (kept in the browser)."""

from __future__ import annotations

import html
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.context import Context

from service.errors import GjenbrukError
from ui.texts import (
    channel_name,
    check_detail,
    check_label,
    language_of,
    notice_texts,
    surface_name,
    t,
    text,
)

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True)
class VariantsBackend:
    top_posts: Callable[[str, str], list[tuple[str, str]]]  # (workspace, query) -> (label, id)
    surfaces: Callable[[], list[tuple[str, str]]]  # (kind, id), grouped owned/earned/paid
    generate: Callable[[dict[str, Any], ProgressFn], dict[str, Any]]
    # ws, draft id, status, text, override (approve although the checks failed)
    review: Callable[[str, str, str, str, bool], dict[str, Any]]
    # ws, a generation's answer -> the same with each variant's stored review
    reviewed: Callable[[str, dict[str, Any]], dict[str, Any]]


def _check_marks(checks: list[dict[str, Any]], lang: str) -> str:
    marks = []
    for c in checks:
        icon = "✅" if c["passed"] else ("❌" if c.get("hard", True) else "⚠️")
        marks.append(
            f'<li class="gj-check" data-passed="{str(c["passed"]).lower()}">{icon} '
            f"<b>{html.escape(check_label(c, lang))}</b> {html.escape(check_detail(c, lang))}</li>"
        )
    return f"<ul style='list-style:none;padding-left:0;margin:4px 0'>{''.join(marks)}</ul>"


def _current_text(v: dict[str, Any]) -> str:
    edited = v.get("edited_text")
    return str(edited) if edited is not None else str(v.get("text", ""))


def _verdict(v: dict[str, Any], lang: str) -> str:
    status = v.get("status", "proposed")
    if status not in ("approved", "rejected"):
        return ""
    note = f" <small>({text('state_override', lang)})</small>" if v.get("checks_overridden") else ""
    return f" · <span class='gj-verdict'>{text(f'state_{status}', lang)}{note}</span>"


def render_variants(result: dict[str, Any], lang: str) -> str:
    examples = {e["post_id"]: e for e in result.get("examples", [])}
    blocks = [f"<p class='gj-warning'>⚠️ {html.escape(w)}</p>" for w in notice_texts(result, lang)]
    for v in result.get("variants", []):
        length = next((c for c in v["checks"] if c["name"] == "length"), None)
        count = f" · {html.escape(check_detail(length, lang))}" if length else ""
        status = text("passed" if v["passed"] else "failed", lang)
        colour = "#2b8a3e" if v["passed"] else "#c92a2a"
        based = "".join(
            f"<li>{html.escape(examples[i]['text'][:110])}… "
            f"<small>({html.escape(channel_name(examples[i]['channel']))}"
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
        shown = _current_text(v)
        body = html.escape(shown).replace("\n", "<br>") or f"<i>{text('no_text', lang)}</i>"
        edited = v.get("edited_text") is not None
        original = (
            f"<p class='gj-edited'><small>{text('edited_mark', lang)}</small></p>"
            f"<details><summary>{text('original_text', lang)}</summary>"
            f"<p>{html.escape(v['text']).replace(chr(10), '<br>')}</p></details>"
            if edited
            else ""
        )
        blocks.append(
            f"<div class='gj-variant' data-surface='{html.escape(v['surface'])}' "
            f"data-status='{html.escape(str(v.get('status', 'proposed')))}' "
            f"data-edited='{str(edited).lower()}' "
            f"data-overridden='{str(bool(v.get('checks_overridden'))).lower()}' "
            f"style='border:1px solid #ddd;border-left:4px solid {colour};padding:8px 12px;"
            f"margin:10px 0;border-radius:6px'>"
            f"<h4 style='margin:0'>{html.escape(surface_name(v['surface'], lang))} "
            f"<span style='color:{colour}'>{status}</span>{_verdict(v, lang)}"
            f"<small>{count}</small></h4>"
            f"<p class='gj-text' style='margin:6px 0'>{body}</p>{original}"
            f"{_check_marks(v['checks'], lang)}"
            + (
                f"<details><summary>{text('based_on', lang)}</summary><ol>{based}</ol></details>"
                if based
                else ""
            )
            + "</div>"
        )
    return "".join(blocks)


_STATE_MARK = {"approved": " · ✅", "rejected": " · 🚫"}


def _draft_choices(result: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    return [
        (
            f"{surface_name(v['surface'], lang)} {'✓' if v['passed'] else '✗'}"
            + _STATE_MARK.get(v.get("status", ""), "")
            + (" ✎" if v.get("edited_text") is not None else ""),
            v["draft_id"],
        )
        for v in result.get("variants", [])
        if v.get("draft_id")
    ]


def _variant(result: dict[str, Any], draft_id: str | None) -> dict[str, Any] | None:
    return next((v for v in result.get("variants", []) if v.get("draft_id") == draft_id), None)


def _needs_confirmation(v: dict[str, Any] | None) -> bool:
    """A failed variant not approved yet: approving it is asked for twice."""
    return v is not None and not v.get("passed") and v.get("status") != "approved"


def surface_choices(surfaces: list[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    """The checkboxes' labels in the reader's language: «Eid · Facebook-innlegg», "Owned ·
    Facebook post"; the values stay the surface ids."""
    return [
        (f"{text('surface_kind_' + kind, lang)} · {surface_name(sid, lang)}", sid)
        for kind, sid in surfaces
    ]


def json_download(result: dict[str, Any]) -> str:
    """The download: every variant as it stands now (status, edited text), not as generated."""
    variants = [{**v, "final_text": _current_text(v)} for v in result.get("variants", [])]
    return json.dumps({**result, "variants": variants}, ensure_ascii=False, indent=2)


def build(backend: VariantsBackend, workspaces: list[str], default_workspace: str) -> None:
    state = gr.State({})
    # The last variants, kept in this browser (encrypted) so a reload shows them again; what
    # people decided is read from the stored drafts each time, never from this copy.
    saved = gr.BrowserState({})
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
    # Empty in the page as built (the same page for everyone): the load fills it with the
    # posts of the caller's workspace, asked as the caller.
    post = gr.Dropdown(choices=[], value=None, label=t("pick_post"), elem_id="variants-post")
    pasted = gr.Textbox(label=t("or_paste"), lines=4, elem_id="variants-text")
    # Named on load, in the reader's language (the page is built once, for every language).
    surfaces = gr.CheckboxGroup(choices=[], label=t("surfaces"), elem_id="variants-surfaces")
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
        confirm = gr.Checkbox(
            value=False, label=t("approve_anyway"), visible=False, elem_id="variants-confirm"
        )
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

    def on_load(ws: str | None, query: str, request: gr.Request) -> tuple[Any, Any]:
        boxes = gr.update(choices=surface_choices(backend.surfaces(), language_of(request)))
        try:
            return refresh_posts(ws, query), boxes
        except GjenbrukError:
            # The preselected workspace is not the caller's: the page's load puts one of
            # theirs in the picker, and its change fills the posts.
            return gr.skip(), boxes

    page = Context.root_block
    assert page is not None, "built inside gr.Blocks"
    page.load(on_load, [workspace, find], [post, surfaces], show_progress="hidden")

    def _shown(result: dict[str, Any], selected: str | None, ui: str) -> tuple[Any, ...]:
        """Cards, the variant picker (keeping the selection), its text and the confirmation."""
        choices = _draft_choices(result, ui)
        ids = [c[1] for c in choices]
        value = selected if selected in ids else (ids[0] if ids else None)
        v = _variant(result, value)
        return (
            render_variants(result, ui),
            gr.update(choices=choices, value=value),
            _current_text(v) if v else "",
            gr.update(value=False, visible=_needs_confirmation(v)),
        )

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

        result = {**backend.reviewed(ws, backend.generate(req, tick)), "workspace": ws}
        return (result, result, *_shown(result, None, ui), "")

    go.click(
        generate,
        [workspace, post, pasted, surfaces, language, source_type],
        [state, saved, out, draft, edit, confirm, reviewed],
    )

    def show_draft(result: dict[str, Any], draft_id: str | None) -> tuple[str, Any]:
        v = _variant(result, draft_id)
        return (
            _current_text(v) if v else "",
            gr.update(value=False, visible=_needs_confirmation(v)),
        )

    # Only when the person picks another variant: the handlers that set the picker set the box
    # in the same answer, and a change event after them could write the generated text over an
    # edit typed in the meantime.
    draft.input(show_draft, [state, draft], [edit, confirm])

    def decide(status: str) -> Callable[..., tuple[Any, ...]]:
        def run(
            ws: str | None,
            draft_id: str | None,
            edited: str,
            anyway: bool,
            result: dict[str, Any],
            request: gr.Request,
        ) -> tuple[Any, ...]:
            ui = language_of(request)
            ws = result.get("workspace") or ws
            v = _variant(result, draft_id)
            if not ws or not draft_id or v is None:
                raise gr.Error(text("pick_variant", ui))
            override = status == "approved" and not v.get("passed")
            if override and not anyway:
                # Nothing is stored: the person is asked to confirm first.
                failed = [c["name"] for c in v["checks"] if c.get("hard", True) and not c["passed"]]
                message = text("confirm_failed", ui).format(checks=", ".join(failed) or "–")
                return (message, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(),
                        gr.update(value=False, visible=True))  # fmt: skip
            backend.review(ws, draft_id, status, edited, override)
            fresh = {**backend.reviewed(ws, result), "workspace": ws}
            done = "approved_override_done" if override else f"{status}_done"
            return (text(done, ui), fresh, fresh, *_shown(fresh, draft_id, ui))

        return run

    verdict_out = [reviewed, state, saved, out, draft, edit, confirm]
    approve.click(decide("approved"), [workspace, draft, edit, confirm, state], verdict_out)
    reject.click(decide("rejected"), [workspace, draft, edit, confirm, state], verdict_out)

    def download(result: dict[str, Any]) -> str | None:
        if not result.get("variants"):
            return None
        path = Path(tempfile.mkdtemp()) / "gjenbruk-varianter.json"
        path.write_text(json_download(result), encoding="utf-8")
        return str(path)

    # The file is made again from the stored drafts after every verdict (the state is).
    state.change(download, [state], export)

    def restore(kept: dict[str, Any], current: dict[str, Any], request: gr.Request) -> Any:
        """On a reload: the variants this browser saw last, with their stored review now."""
        if current or not kept or not kept.get("workspace"):
            return gr.skip()
        ws = str(kept["workspace"])
        try:
            fresh = {**backend.reviewed(ws, kept), "workspace": ws}
        except Exception:  # a workspace gone since: start empty rather than fail the page
            return gr.skip()
        return (fresh, *_shown(fresh, None, language_of(request)))

    gr.on(None, restore, [saved, state], [state, out, draft, edit, confirm])
