"""The library tab: semantic search over a workspace's posts, only the results similar enough
(a cut-off people can move), sorted by similarity, engagement or date, and "reuse this post"
that opens the reuse tab with the post picked."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import gradio as gr

from ui.texts import channel_name, date_text, language_of, t, text

SearchFn = Callable[[str, str, int], list[dict[str, Any]]]  # workspace, query, k -> hits
K = 20

SORTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "relevance": lambda h: float(h["similarity"]),
    "engagement": lambda h: h.get("engagement_rate") or 0.0,
    "date": lambda h: h["published_at"],
}


def match_word(similarity: float, threshold: float, lang: str) -> str:
    """How close a result is, in words: a raw cosine of 0.83 means nothing to an editor."""
    margin = similarity - threshold
    key = "match_strong" if margin >= 0.06 else "match_good" if margin >= 0.02 else "match_weak"
    return text(key, lang)


def sort_hits(hits: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    """Best first: the most similar, the highest engagement rate or the newest."""
    return sorted(hits, key=SORTS.get(order, SORTS["relevance"]), reverse=True)


def render(hits: list[dict[str, Any]], lang: str, threshold: float = 0.0) -> str:
    """An HTML table; a bar shows engagement rate so the strong posts stand out at a glance.
    The post and its numbers come first so that a phone shows them without scrolling sideways;
    the rest scrolls inside the table."""
    if not hits:
        return f"<p>{html.escape(text('no_hits', lang))}</p>"
    best = max((h.get("engagement_rate") or 0.0) for h in hits) or 1.0
    order = ["col_post", "col_er", "col_channel", "col_date", "col_match", "col_category"]
    order.append("col_reach")
    head = "".join(f"<th>{html.escape(text(c, lang))}</th>" for c in order)
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
        cells = {
            "col_post": html.escape(h["text"][:220]),
            "col_er": bar,
            "col_channel": html.escape(channel_name(h["channel"])),
            "col_date": html.escape(date_text(h["published_at"], lang)),
            "col_match": html.escape(match_word(float(h["similarity"]), threshold, lang)),
            "col_category": html.escape(h.get("category") or ""),
            "col_reach": f"{reach:,}".replace(",", " ") if reach is not None else "–",
        }
        rows.append(
            f"<tr data-post='{html.escape(h['post_id'])}'>"
            + "".join(
                f"<td style='min-width:{'180px' if c == 'col_post' else '70px'}'>{cells[c]}</td>"
                for c in order
            )
            + "</tr>"
        )
    return (
        '<div style="overflow-x:auto"><table class="gj-results" '
        'style="width:100%;border-collapse:collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def reuse_choices(hits: list[dict[str, Any]], lang: str) -> list[tuple[str, str]]:
    def label(h: dict[str, Any]) -> str:
        snippet = " ".join(h["text"].split())[:60]
        return f"{date_text(h['published_at'], lang)} {channel_name(h['channel'])}: {snippet}"

    return [(label(h), h["post_id"]) for h in hits]


def build(
    search: SearchFn, workspaces: list[str], default_workspace: str, threshold: float = 0.0
) -> tuple[gr.Button, gr.Dropdown, gr.State]:
    """Returns the reuse button, the picked post and the shown results, for the app to wire
    to the reuse tab."""
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
    with gr.Row():
        cutoff = gr.Slider(
            0, 100, value=round(100 * threshold), step=1, label=t("min_relevance"),
            elem_id="library-cutoff",
        )  # fmt: skip
        order = gr.Dropdown(
            choices=[
                (t("sort_relevance"), "relevance"),
                (t("sort_engagement"), "engagement"),
                (t("sort_date"), "date"),
            ],
            value="relevance",
            label=t("sort_by"),
            elem_id="library-sort",
        )
    button = gr.Button(t("search_button"), variant="primary", elem_id="library-search")
    note = gr.Markdown(elem_id="library-note")
    table = gr.HTML(label=t("results"), elem_id="library-results")
    hits_state = gr.State([])
    with gr.Row():
        pick = gr.Dropdown(choices=[], label=t("reuse_pick"), elem_id="library-reuse-pick", scale=3)
        reuse = gr.Button(t("reuse_post"), elem_id="library-reuse")

    def run(ws: str | None, q: str, cut: float, sort: str, request: gr.Request) -> tuple[Any, ...]:
        lang = language_of(request)
        if not ws or not q.strip():
            return "", "", [], gr.update(choices=[], value=None)
        floor = cut / 100
        # All K, then the cut-off here: the note can say how many were left out.
        everything = search(ws, q, K)
        hits = sort_hits([h for h in everything if float(h["similarity"]) >= floor], sort)
        hidden = len(everything) - len(hits)
        message = text("hidden_hits", lang).format(n=hidden, percent=round(cut)) if hidden else ""
        choices = reuse_choices(hits, lang)
        return (
            message,
            render(hits, lang, floor),
            hits,
            gr.update(choices=choices, value=choices[0][1] if choices else None),
        )

    outputs = [note, table, hits_state, pick]
    for trigger in (button.click, query.submit, cutoff.release, order.input):
        trigger(run, inputs=[workspace, query, cutoff, order], outputs=outputs)
    return reuse, pick, hits_state
