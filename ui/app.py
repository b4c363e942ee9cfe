"""Build the Gradio Blocks from the functions the app hands over, and mount them at /ui."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import gradio as gr
from fastapi import FastAPI, Request

from ui import analytics_view, library_tab, plans_tab, profiles_tab, status_tab, variants_tab
from ui.texts import I18N, language_of, t


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
    jobs: status_tab.StatusBackend
    search_threshold: float = 0.0  # the library's default cut-off (a setting)


def build_ui(backend: UiBackend) -> gr.Blocks:
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
                    plans_tab.build(backend.plans, backend.workspaces(), backend.default_workspace)
                )
            with gr.Tab(t("status_tab"), id="status"):
                loaders.append(
                    status_tab.build(backend.jobs, backend.workspaces(), backend.default_workspace)
                )
        for fn, inputs, outputs in loaders:
            blocks.load(fn, inputs, outputs, show_progress="hidden")
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
