"""The library tab: semantic search over a workspace's posts, best performers visible."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from ui.texts import t

SearchFn = Callable[[str, str, int], list[dict[str, Any]]]

COLUMNS = ["col_post", "col_channel", "col_date", "col_category", "col_similarity", "col_er", "col_reach"]


def _rows(hits: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for h in hits:
        er = h.get("engagement_rate")
        rows.append(
            [
                h["text"][:160],
                h["channel"],
                h["published_at"][:16].replace("T", " "),
                h.get("category") or "",
                round(float(h["similarity"]), 3),
                f"{er:.1%}" if er is not None else "–",
                h.get("reach") if h.get("reach") is not None else "–",
            ]
        )
    return rows


def build(search: SearchFn, workspaces: list[str], default_workspace: str) -> None:
    with gr.Row():
        workspace = gr.Dropdown(
            choices=workspaces,
            value=default_workspace if default_workspace in workspaces else None,
            label=t("workspace"),
            elem_id="library-workspace",
        )
        query = gr.Textbox(
            label=t("search_label"), placeholder=t("search_placeholder"), elem_id="library-query"
        )
    button = gr.Button(t("search_button"), variant="primary", elem_id="library-search")
    table = gr.Dataframe(
        headers=[str(c) for c in COLUMNS],
        label=t("results"),
        interactive=False,
        wrap=True,
        elem_id="library-results",
    )

    def run(ws: str | None, q: str) -> list[list[Any]]:
        if not ws or not q.strip():
            return []
        return _rows(search(ws, q, 10))

    button.click(run, inputs=[workspace, query], outputs=table)
    query.submit(run, inputs=[workspace, query], outputs=table)
