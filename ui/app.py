"""Build the Gradio Blocks from the functions the app hands over, and mount them at /ui."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import gradio as gr
from fastapi import FastAPI, Request

from ui import (
    analytics_view,
    import_tab,
    library_tab,
    plans_tab,
    profiles_tab,
    rules_tab,
    status_tab,
    variants_tab,
)
from ui.texts import I18N, language_of, t

# Buttons that act, and the permission each needs (the values of service/auth/permissions.py,
# the routes' table): shown only where the caller's role has it, refused by the backend anyway.
ACTIONS: dict[str, str] = {
    "import-go": "library.import",
    "import-confirm": "library.import",
    "import-li-save": "library.edit",
    "plans-slots": "plan.edit",
    "plans-generate": "generate",
    "plans-regenerate": "generate",
    "variants-go": "generate",
    "variants-approve": "draft.review",
    "variants-reject": "draft.review",
    "profiles-go": "generate",
    "profiles-propose": "generate",
    "profiles-accept": "library.edit",
    "correct-save": "library.edit",
    "plan-save": "plan.edit",
    "status-cancel": "job.cancel",
    "status-resume": "generate",
    "rules-on": "library.edit",
    "rules-off": "library.edit",
    "rules-delete": "library.edit",
    "rules-add": "library.edit",
    "rules-save-edit": "library.edit",
    "voice-save": "library.edit",
}
# The workspace picker whose choice decides for a button (by the button's id prefix).
PICKER_OF = {
    "correct": "analytics-workspace",
    "plan": "plans-workspace",
    "voice": "rules-workspace",
}


@dataclass(frozen=True)
class UiAccess:
    """Per caller (the login's user name): workspace -> the permissions their role there has."""

    permissions: Callable[[str | None], dict[str, list[str]]]


def in_event() -> bool:
    """True while Gradio handles a browser's event; False while the page is being built."""
    from gradio.context import LocalContext

    return LocalContext.request.get(None) is not None


def current_user() -> str | None:
    """The person logged in behind the event being handled (Gradio keeps its request per
    event; the app's login gave it the user name)."""
    from gradio.context import LocalContext

    request = LocalContext.request.get(None)
    return None if request is None else getattr(request, "username", None)


@dataclass(frozen=True)
class UiBackend:
    search: library_tab.SearchFn
    workspaces: Callable[[], list[str]]
    status: Callable[[], dict[str, Any]]
    default_workspace: str
    analytics: analytics_view.AnalyticsBackend
    variants: variants_tab.VariantsBackend
    profiles: profiles_tab.ProfilesBackend
    plans: plans_tab.PlansBackend
    imports: import_tab.ImportBackend | None = None
    # None: every workspace and action (no login); else each page asks for its caller's.
    access: UiAccess | None = None
    rules: rules_tab.RulesBackend | None = None
    jobs: status_tab.StatusBackend | None = None
    search_threshold: float = 0.0  # the library's default cut-off (a setting)


def _rights(access: UiAccess | None) -> Callable[[str | None, str], list[str]] | None:
    """What a part of the page drawn per event asks: the caller's permissions in a workspace."""
    if access is None:
        return None
    return lambda user, workspace: access.permissions(user).get(workspace, [])


def _per_caller(blocks: gr.Blocks, access: UiAccess, default: str) -> Any:
    """Each page load fills every workspace picker with the caller's own workspaces and shows
    only the buttons their role in the chosen workspace allows."""
    by_id: dict[str, Any] = {}
    for block in blocks.blocks.values():
        if isinstance(block.elem_id, str):
            by_id[block.elem_id] = block
    pickers = {eid: b for eid, b in by_id.items() if eid.endswith("-workspace")}
    buttons = {eid: by_id[eid] for eid in ACTIONS if eid in by_id}
    for button in buttons.values():
        # Nothing that acts is offered before the load knows who is asking, and for where.
        button.visible = False

    def picker_of(button: str) -> str:
        prefix = button.split("-", 1)[0]
        return PICKER_OF.get(prefix, f"{prefix}-workspace")

    def load(request: gr.Request) -> list[Any]:
        rights = access.permissions(request.username)
        choices = sorted(rights)
        value = default if default in choices else (choices[0] if choices else None)
        picks = [gr.update(choices=choices, value=value) for _ in pickers]
        shown = [gr.update(visible=ACTIONS[b] in rights.get(value or "", [])) for b in buttons]
        return picks + shown

    picked = blocks.load(load, None, [*pickers.values(), *buttons.values()])
    for eid, picker in pickers.items():
        mine = [b for b in buttons if picker_of(b) == eid]
        if not mine:
            continue

        def change(ws: str | None, request: gr.Request, mine: list[str] = mine) -> Any:
            rights = access.permissions(request.username).get(ws or "", [])
            shown = [gr.update(visible=ACTIONS[b] in rights) for b in mine]
            # One output takes the value itself: a list would become that button's label.
            return shown[0] if len(shown) == 1 else shown

        picker.change(change, picker, [buttons[b] for b in mine])
    return picked


def build_ui(backend: UiBackend) -> gr.Blocks:
    default = backend.default_workspace
    if backend.access is not None:
        # Behind a login the page is built naming no workspace at all (one page serves every
        # caller: a preselected default would put its name in everyone's page and make the
        # tabs' loads ask a workspace the caller may not be in); each load puts in the caller's
        # own workspaces, the default first if it is one of theirs.
        backend = dataclasses.replace(backend, workspaces=lambda: [], default_workspace="")
    with gr.Blocks(title="Gjenbruk") as blocks:
        gr.Markdown("# Gjenbruk")
        gr.Markdown(t("tagline"))
        gr.Markdown(t("local_model_note"), elem_id="local-model-note")
        # Tabs that show something on open hand back what to load (the page's load event).
        loaders: list[plans_tab.Loader] = []
        with gr.Tabs() as tabs:
            with gr.Tab(t("library_tab"), id="library"):
                reuse, reuse_pick, hits = library_tab.build(
                    backend.search,
                    backend.workspaces(),
                    backend.default_workspace,
                    backend.search_threshold,
                )
            with gr.Tab(t("analysis_tab"), id="analysis", elem_id="analytics"):
                loaders.append(
                    analytics_view.build(
                        backend.analytics, backend.workspaces(), backend.default_workspace
                    )
                )
            if backend.imports is not None:
                with gr.Tab(t("import_tab"), id="import"):
                    import_tab.build(
                        backend.imports, backend.workspaces(), backend.default_workspace
                    )
            with gr.Tab(t("variants_tab"), id="variants"):
                variants_tab.build(
                    backend.variants, backend.workspaces(), backend.default_workspace
                )
            with gr.Tab(t("profiles_tab"), id="profiles"):
                loaders.append(
                    profiles_tab.build(
                        backend.profiles, backend.workspaces(), backend.default_workspace
                    )
                )
            with gr.Tab(t("plans_tab"), id="plans"):
                loaders.append(
                    plans_tab.build(
                        backend.plans,
                        backend.workspaces(),
                        backend.default_workspace,
                        _rights(backend.access),
                    )
                )
            if backend.rules is not None:
                with gr.Tab(t("rules_tab"), id="rules") as rules:
                    rules_tab.build(
                        backend.rules, backend.workspaces(), backend.default_workspace, rules
                    )
            if backend.jobs is not None:
                with gr.Tab(t("status_tab"), id="status"):
                    loaders.append(
                        status_tab.build(
                            backend.jobs, backend.workspaces(), backend.default_workspace
                        )
                    )
        if backend.access is None:
            for fn, inputs, outputs in loaders:
                blocks.load(fn, inputs, outputs, show_progress="hidden")
        else:
            # The tabs load once the caller's workspaces are in the pickers, never before
            # (a load racing the pickers read no workspace, or a stale one).
            picked = _per_caller(blocks, backend.access, default)
            for fn, inputs, outputs in loaders:
                picked.then(fn, inputs, outputs, show_progress="hidden")
        # "Reuse this post": the reuse tab opens with the post picked. Its picker is found by
        # its element id, so the reuse tab's code needs no hook for it.
        post = next(
            b for b in blocks.blocks.values() if getattr(b, "elem_id", None) == "variants-post"
        )

        def open_reuse(
            post_id: str | None, shown: list[dict[str, Any]], request: gr.Request
        ) -> Any:
            choices = library_tab.reuse_choices(shown, language_of(request))
            if not post_id:
                return gr.skip(), gr.skip()
            return gr.Tabs(selected="variants"), gr.update(choices=choices, value=post_id)

        reuse.click(open_reuse, [reuse_pick, hits], [tabs, post])
    return cast(gr.Blocks, blocks)


def mount_ui(
    app: FastAPI, backend: UiBackend, auth_dependency: Callable[[Request], str | None] | None = None
) -> FastAPI:
    """`auth_dependency` is the app's own login (a session cookie): Gradio asks it on every
    page, config, queue and upload request and answers 401 where it says None."""
    return cast(
        FastAPI,
        gr.mount_gradio_app(
            app, build_ui(backend), path="/ui", i18n=I18N, auth_dependency=auth_dependency
        ),
    )
