"""The tab "Stilregler": what the editors' edits taught (proposals with their evidence), rules
people write, on/off, edit, delete; and the brand voice, pre-filled from the best posts."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui.texts import language_of, t, text


@dataclass(frozen=True)
class RulesBackend:
    rules: Callable[[str, str], list[dict[str, Any]]]  # (workspace, language) -> RuleView
    kinds: Callable[[], list[tuple[str, list[str]]]]  # kind -> its params' names, in order
    add: Callable[[str, dict[str, Any]], dict[str, Any]]  # RuleIn fields
    update: Callable[[str, str, dict[str, Any]], dict[str, Any]]  # RulePatch fields
    delete: Callable[[str, str], None]
    voice: Callable[[str], dict[str, Any]]
    save_voice: Callable[[str, dict[str, Any]], dict[str, Any]]


_STATUS_COLOUR = {"proposed": "#e67700", "on": "#2b8a3e", "off": "#868e96"}


def render_rules(rules: list[dict[str, Any]], lang: str) -> str:
    if not rules:
        return f"<p>{html.escape(text('rules_none', lang))}</p>"
    rows = []
    for r in rules:
        status = r["status"]
        scope = r["scope_value"] or text("rules_everywhere", lang)
        how = text("rules_enforced" if r["enforced"] else "rules_guidance", lang)
        evidence = "".join(
            f"<li><del>{html.escape(e['before'])}</del><br><ins>{html.escape(e['after'])}</ins></li>"
            for e in r["evidence"]
        )
        support = (
            f" · {r['support']}/{r['considered']} {text('rules_edits', lang)}"
            if r["source"] != "manual"
            else ""
        )
        rows.append(
            f"<div class='gj-rule' data-status='{status}' data-kind='{html.escape(r['kind'])}' "
            f"style='border-left:4px solid {_STATUS_COLOUR[status]};padding:4px 10px;margin:6px 0'>"
            f"<b>{html.escape(r['text'])}</b> "
            f"<small>({text('rules_status_' + status, lang)} · {html.escape(scope)} · "
            f"{html.escape(how)} · {text('rules_source_' + r['source'], lang)}{support} · "
            f"v{r['version']})</small>"
            + (
                f"<details><summary>{text('rules_evidence', lang)}</summary><ul>{evidence}</ul>"
                "</details>"
                if evidence
                else ""
            )
            + "</div>"
        )
    return "".join(rows)


def _choices(rules: list[dict[str, Any]], lang: str) -> list[tuple[str, str]]:
    return [(f"{r['text']} ({text('rules_status_' + r['status'], lang)})", r["id"]) for r in rules]


def _words(value: str) -> list[str]:
    return [w.strip() for w in value.split(",") if w.strip()]


VOICE_FIELDS = (
    "tone_words", "words_to_avoid", "words_we_use", "emoji_policy", "max_emoji",
    "hashtag_policy", "max_hashtags", "formality", "address", "first_person",
    "written_standard", "sign_offs", "note",
)  # fmt: skip
_LISTS = {"tone_words", "words_to_avoid", "words_we_use", "sign_offs"}


def build(
    backend: RulesBackend, workspaces: list[str], default_workspace: str, tab: Any = None
) -> None:
    kinds = dict(backend.kinds())
    workspace = gr.Dropdown(
        choices=workspaces,
        value=default_workspace if default_workspace in workspaces else None,
        label=t("workspace"),
        elem_id="rules-workspace",
    )
    gr.Markdown(t("rules_intro"))
    refresh = gr.Button(t("rules_refresh"), elem_id="rules-refresh")
    listing = gr.HTML(elem_id="rules-list")
    with gr.Row():
        pick = gr.Dropdown(choices=[], label=t("rules_pick"), elem_id="rules-pick")
        turn_on = gr.Button(t("rules_on"), elem_id="rules-on")
        turn_off = gr.Button(t("rules_off"), elem_id="rules-off")
        remove = gr.Button(t("rules_delete"), variant="stop", elem_id="rules-delete")
    with gr.Accordion(t("rules_add"), open=False):
        with gr.Row():
            kind = gr.Dropdown(
                choices=list(kinds), value="forbidden_phrase", label=t("rules_kind"),
                elem_id="rules-kind",
            )  # fmt: skip
            first = gr.Textbox(label=t("rules_value"), elem_id="rules-value")
            second = gr.Textbox(label=t("rules_value_new"), elem_id="rules-value-new")
        with gr.Row():
            scope = gr.Dropdown(
                choices=[
                    (t("rules_everywhere"), "workspace"),
                    (t("rules_scope_channel"), "channel"),
                    (t("rules_scope_surface"), "surface"),
                ],
                value="workspace",
                label=t("rules_scope"),
                elem_id="rules-scope",
            )
            scope_value = gr.Textbox(label=t("rules_scope_value"), elem_id="rules-scope-value")
            add = gr.Button(t("rules_add_button"), variant="primary", elem_id="rules-add")
            save = gr.Button(t("rules_save_edit"), elem_id="rules-save-edit")
    message = gr.Markdown(elem_id="rules-message")

    def show(ws: str | None, request: gr.Request) -> tuple[str, Any]:
        if not ws:
            return "", gr.update(choices=[], value=None)
        rules = backend.rules(ws, language_of(request))
        return render_rules(rules, language_of(request)), gr.update(
            choices=_choices(rules, language_of(request)), value=None
        )

    for trigger in (refresh.click, workspace.change, *([tab.select] if tab else [])):
        trigger(show, [workspace], [listing, pick])

    def params(k: str, a: str, b: str) -> dict[str, Any]:
        names = kinds.get(k, [])
        values = [a.strip(), b.strip()]
        return {n: int(v) if v.isdigit() else v for n, v in zip(names, values, strict=False) if v}

    def scoped(sc: str, value: str) -> dict[str, str]:
        return {"scope": sc, "scope_value": "" if sc == "workspace" else value.strip()}

    def guarded(fn: Callable[..., str]) -> Callable[..., tuple[str, str, Any]]:
        # The request first: Gradio hands it only to a positional parameter.
        def run(request: gr.Request, ws: str | None, *args: Any) -> tuple[str, str, Any]:
            ui = language_of(request)
            if not ws:
                raise gr.Error(text("pick_workspace", ui))
            try:
                said = fn(ws, *args)
            except Exception as exc:  # the service's Invalid/NotFound: say it, keep the tab
                raise gr.Error(getattr(exc, "message", str(exc))) from exc
            page, choices = show(ws, request)
            return page, choices, text(said, ui)

        return run

    def on_add(ws: str, k: str, a: str, b: str, sc: str, value: str) -> str:
        backend.add(ws, {"kind": k, "params": params(k, a, b), **scoped(sc, value)})
        return "rules_added"

    def on_save(ws: str, rule: str | None, k: str, a: str, b: str, sc: str, value: str) -> str:
        if not rule:
            return "rules_pick_first"
        backend.update(ws, rule, {"params": params(k, a, b), **scoped(sc, value)})
        return "rules_saved"

    def switch(enabled: bool) -> Callable[[str, str | None], str]:
        def run(ws: str, rule: str | None) -> str:
            if not rule:
                return "rules_pick_first"
            backend.update(ws, rule, {"enabled": enabled})
            return "rules_saved"

        return run

    def on_delete(ws: str, rule: str | None) -> str:
        if not rule:
            return "rules_pick_first"
        backend.delete(ws, rule)
        return "rules_deleted"

    outs = [listing, pick, message]
    add.click(guarded(on_add), [workspace, kind, first, second, scope, scope_value], outs)
    save.click(guarded(on_save), [workspace, pick, kind, first, second, scope, scope_value], outs)
    turn_on.click(guarded(switch(True)), [workspace, pick], outs)
    turn_off.click(guarded(switch(False)), [workspace, pick], outs)
    remove.click(guarded(on_delete), [workspace, pick], outs)

    def fill(ws: str | None, rule: str | None, request: gr.Request) -> tuple[Any, ...]:
        found = next((r for r in (backend.rules(ws, "nb") if ws else []) if r["id"] == rule), None)
        if found is None:
            return (gr.update(),) * 5
        values = [str(found["params"].get(n, "")) for n in kinds.get(found["kind"], [])]
        values += ["", ""]
        return found["kind"], values[0], values[1], found["scope"], found["scope_value"]

    pick.change(fill, [workspace, pick], [kind, first, second, scope, scope_value])

    with gr.Accordion(t("voice_heading"), open=True):
        gr.Markdown(t("voice_intro"))
        with gr.Row():
            tone = gr.Textbox(label=t("voice_tone"), elem_id="voice-tone")
            avoid = gr.Textbox(label=t("voice_avoid"), elem_id="voice-avoid")
            use = gr.Textbox(label=t("voice_use"), elem_id="voice-use")
        with gr.Row():
            emoji = gr.Dropdown(["none", "sparse", "ok"], label=t("voice_emoji"))
            max_emoji = gr.Number(label=t("voice_max_emoji"), precision=0)
            hashtags = gr.Dropdown(["none", "few", "many"], label=t("voice_hashtags"))
            max_tags = gr.Number(label=t("voice_max_hashtags"), precision=0)
        with gr.Row():
            formality = gr.Dropdown(["informal", "neutral", "formal"], label=t("voice_formality"))
            address = gr.Dropdown(["du", "dere", "mixed"], label=t("voice_address"))
            person = gr.Dropdown(["vi", "me", "jeg", "eg", "mixed"], label=t("voice_first"))
            standard = gr.Dropdown(["bokmål", "nynorsk"], label=t("voice_standard"))
        sign_offs = gr.Textbox(label=t("voice_sign_offs"), elem_id="voice-sign-offs")
        note = gr.Textbox(label=t("voice_note"), lines=3, elem_id="voice-note")
        stats = gr.Markdown(elem_id="voice-stats")
        save_voice = gr.Button(t("voice_save"), variant="primary", elem_id="voice-save")
        voice_message = gr.Markdown(elem_id="voice-message")
    fields = [
        tone, avoid, use, emoji, max_emoji, hashtags, max_tags, formality, address, person,
        standard, sign_offs, note,
    ]  # fmt: skip

    def load_voice(ws: str | None, request: gr.Request) -> tuple[Any, ...]:
        if not ws:
            return (gr.update(),) * (len(fields) + 1)
        voice = backend.voice(ws)
        values = [
            ", ".join(voice[f]) if f in _LISTS else voice[f] for f in VOICE_FIELDS
        ]  # fmt: skip
        s = voice.get("stats") or {}
        measured = (
            text("voice_stats", language_of(request)).format(
                posts=s["posts"],
                emoji=s["emoji_per_post"],
                tags=s["hashtags_per_post"],
                chars=s["median_chars"],
                bangs=s["exclamations_per_post"],
            )
            if s
            else ""
        )
        return (*values, measured)

    for trigger in (refresh.click, workspace.change, *([tab.select] if tab else [])):
        trigger(load_voice, [workspace], [*fields, stats])

    def store_voice(request: gr.Request, ws: str | None, *values: Any) -> str:
        ui = language_of(request)
        if not ws:
            raise gr.Error(text("pick_workspace", ui))
        data: dict[str, Any] = {}
        for name, value in zip(VOICE_FIELDS, values, strict=True):
            if name in _LISTS:
                data[name] = _words(value or "")
            elif name in ("max_emoji", "max_hashtags"):
                data[name] = None if value is None else int(value)
            else:
                data[name] = value
        try:
            backend.save_voice(ws, data)
        except Exception as exc:
            raise gr.Error(getattr(exc, "message", str(exc))) from exc
        return text("voice_saved", ui)

    save_voice.click(store_voice, [workspace, *fields], voice_message)
