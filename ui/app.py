"""Build the Gradio Blocks from the functions the app hands over, and mount them at /ui."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import gradio as gr
from fastapi import FastAPI, Request

from ui import analytics_view, library_tab, plans_tab, profiles_tab, rules_tab, variants_tab
from ui.texts import I18N, t


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
    rules: rules_tab.RulesBackend | None = None


def build_ui(backend: UiBackend) -> gr.Blocks:
    with gr.Blocks(title="Gjenbruk") as blocks:
        gr.Markdown("# Gjenbruk")
        gr.Markdown(t("tagline"))
        gr.Markdown(t("local_model_note"), elem_id="local-model-note")
        with gr.Tabs():
            with gr.Tab(t("library_tab"), id="library"):
                library_tab.build(backend.search, backend.workspaces(), backend.default_workspace)
                with gr.Accordion(t("analysis_heading"), open=True, elem_id="analytics"):
                    analytics_view.build(
                        backend.analytics, backend.workspaces(), backend.default_workspace
                    )
            with gr.Tab(t("variants_tab"), id="variants"):
                variants_tab.build(
                    backend.variants, backend.workspaces(), backend.default_workspace
                )
            with gr.Tab(t("profiles_tab"), id="profiles"):
                profiles_tab.build(
                    backend.profiles, backend.workspaces(), backend.default_workspace
                )
            with gr.Tab(t("plans_tab"), id="plans"):
                plans_tab.build(backend.plans, backend.workspaces(), backend.default_workspace)
            if backend.rules is not None:
                with gr.Tab(t("rules_tab"), id="rules") as rules:
                    rules_tab.build(
                        backend.rules, backend.workspaces(), backend.default_workspace, rules
                    )
            with gr.Tab(t("status_tab"), id="status"):
                gr.Markdown(t("status_heading"))
                gr.JSON(value=backend.status, elem_id="status-json")
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
