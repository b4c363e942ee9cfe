"""The library tab: semantic search over a workspace's posts, best performers visible."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import gradio as gr

from ui.texts import language_of, t, text

SearchFn = Callable[[str, str, int], list[dict[str, Any]]]

COLUMNS = [
    "col_post",
    "col_channel",
    "col_date",
    "col_category",
    "col_similarity",
    "col_er",
    "col_reach",
]


def render(hits: list[dict[str, Any]], lang: str) -> str:
    """An HTML table; a bar shows engagement rate so the strong posts stand out at a glance."""
    if not hits:
        return f"<p>{html.escape(text('no_hits', lang))}</p>"
    best = max((h.get("engagement_rate") or 0.0) for h in hits) or 1.0
    head = "".join(f"<th>{html.escape(text(c, lang))}</th>" for c in COLUMNS)
    rows = []
    for h in hits:
        er = h.get("engagement_rate")
        bar = (
            f'<div style="background:#e8590c;height:6px;width:{int(100 * er / best)}%"></div>'
            f"{er:.1%}"
            if er is not None
            else "–"
        )
        reach = h.get("reach")
        cells = [
            html.escape(h["text"][:220]),
            html.escape(h["channel"]),
            html.escape(h["published_at"][:16].replace("T", " ")),
            html.escape(h.get("category") or ""),
            f"{float(h['similarity']):.3f}",
            bar,
            f"{reach:,}".replace(",", " ") if reach is not None else "–",
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (
        '<table class="gj-results" style="width:100%;border-collapse:collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


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
    table = gr.HTML(label=t("results"), elem_id="library-results")

    def run(ws: str | None, q: str, request: gr.Request) -> str:
        lang = language_of(request)
        if not ws or not q.strip():
            return ""
        return render(search(ws, q, 10), lang)

    button.click(run, inputs=[workspace, query], outputs=table)
    query.submit(run, inputs=[workspace, query], outputs=table)
