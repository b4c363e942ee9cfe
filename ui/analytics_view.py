"""The analysis part of the library tab: plots people look at instead of reading tables, the
high performers with their reason, and correcting a post's category."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd

from ui.texts import language_of, t, text

PostsFn = Callable[[str], list[dict[str, Any]]]
AnalysisFn = Callable[[str], dict[str, Any]]
CategoriesFn = Callable[[str], list[str]]
SetCategoryFn = Callable[[str, str, str], dict[str, Any]]

ALL = "*"


@dataclass(frozen=True)
class AnalyticsBackend:
    posts: PostsFn
    analysis: AnalysisFn
    categories: CategoriesFn
    set_category: SetCategoryFn
    reuse: Callable[[str], dict[str, Any]] | None = None  # ui/reuse_plot.py


def over_time(posts: list[dict[str, Any]], channel: str) -> pd.DataFrame:
    """Engagement rate per post by publishing date, one line per channel."""
    rows = [
        {
            "published": pd.Timestamp(p["published_at"][:10]),
            "engagement_rate": p["engagement_rate"],
            "channel": p["channel"],
        }
        for p in posts
        if p["engagement_rate"] is not None and channel in (ALL, p["channel"])
    ]
    frame = pd.DataFrame(rows, columns=["published", "engagement_rate", "channel"])
    return frame.sort_values("published").reset_index(drop=True)


def by_group(analysis: dict[str, Any], channel: str, key: str) -> pd.DataFrame:
    """Mean engagement rate per group with its count, so a bar resting on 3 posts is visible.
    One bar per channel and group: rates of different channels must not stack into a sum."""
    several = channel == ALL and len(analysis["channels"]) > 1
    rows = []
    for ch, a in analysis["channels"].items():
        if channel not in (ALL, ch):
            continue
        for group, stats in (a.get(key) or {}).items():
            if stats["mean_engagement_rate"] is None:
                continue
            rows.append(
                {
                    "group": f"{group} · {ch} (n={stats['n']})"
                    if several
                    else f"{group} (n={stats['n']})",
                    "engagement_rate": stats["mean_engagement_rate"],
                    "channel": ch,
                }
            )
    return pd.DataFrame(rows, columns=["group", "engagement_rate", "channel"])


def summary_html(analysis: dict[str, Any], posts: list[dict[str, Any]], lang: str) -> str:
    """Per channel: best hour band or weekday and the high performers with their reason."""
    by_id = {p["id"]: p for p in posts}
    parts = []
    for ch, a in analysis["channels"].items():
        best = a.get("best_hour_band") or a.get("best_weekday") or text("too_few", lang)
        label = text("best_band" if a.get("best_hour_band") else "best_weekday", lang)
        items = []
        for hp in a["high_performer_details"]:
            snippet = html.escape((by_id.get(hp["id"], {}).get("text") or "")[:120])
            items.append(f"<li><b>{html.escape(hp['reason'])}</b><br>{snippet}</li>")
        parts.append(
            f"<h4>{html.escape(ch)}</h4><p>{html.escape(label)}: <b>{html.escape(best)}</b> · "
            f"{a['n_posts']} {html.escape(text('posts_word', lang))}</p>"
            f"<p>{html.escape(text('high_performers', lang))}:</p><ol>{''.join(items)}</ol>"
        )
    return "".join(parts) or f"<p>{html.escape(text('no_posts', lang))}</p>"


def post_choices(posts: list[dict[str, Any]]) -> list[tuple[str, str]]:
    def label(p: dict[str, Any]) -> str:
        locked = " ✎" if p.get("category_locked") else ""
        snippet = " ".join(p["text"].split())[:70]
        category = p.get("category") or "?"
        return f"{p['published_at'][:10]} {p['channel']} [{category}{locked}] {snippet}"

    return [(label(p), p["id"]) for p in posts]


def build(backend: AnalyticsBackend, workspaces: list[str], default_workspace: str) -> None:
    with gr.Row():
        workspace = gr.Dropdown(
            choices=workspaces,
            value=default_workspace if default_workspace in workspaces else None,
            label=t("workspace"),
            elem_id="analytics-workspace",
        )
        channel = gr.Dropdown(
            choices=[(t("all_channels"), ALL)],
            value=ALL,
            label=t("channel"),
            elem_id="analytics-channel",
        )
        show = gr.Button(t("show_analysis"), variant="primary", elem_id="analytics-show")
    time_plot = gr.LinePlot(
        x="published",
        y="engagement_rate",
        color="channel",
        label=t("plot_over_time"),
        y_axis_format=".1%",
        elem_id="plot-over-time",
    )
    with gr.Row():
        category_plot = gr.BarPlot(
            x="group",
            y="engagement_rate",
            color="channel",
            label=t("plot_by_category"),
            y_axis_format=".1%",
            x_label_angle=-35,
            sort="x",
            elem_id="plot-by-category",
        )
        band_plot = gr.BarPlot(
            x="group",
            y="engagement_rate",
            color="channel",
            label=t("plot_by_band"),
            y_axis_format=".1%",
            x_label_angle=-35,
            sort="x",
            elem_id="plot-by-band",
        )
    summary = gr.HTML(elem_id="analytics-summary")
    gr.Markdown(t("correct_heading"))
    with gr.Row():
        post = gr.Dropdown(choices=[], label=t("post"), elem_id="correct-post", scale=3)
        category = gr.Dropdown(choices=[], label=t("category"), elem_id="correct-category")
        save = gr.Button(t("save_category"), elem_id="correct-save")
    saved = gr.Markdown(elem_id="correct-result")

    def load(ws: str | None, ch: str | None, request: gr.Request) -> tuple[Any, ...]:
        lang = language_of(request)
        if not ws:
            raise gr.Error(text("pick_workspace", lang))
        ch = ch or ALL
        posts = backend.posts(ws)
        analysis = backend.analysis(ws)
        channels = [(text("all_channels", lang), ALL)] + [(c, c) for c in analysis["channels"]]
        shown = [p for p in posts if ch in (ALL, p["channel"])]
        y_title = text("engagement_rate", lang)
        return (
            gr.update(choices=channels, value=ch),
            gr.update(value=over_time(posts, ch), x_title=text("published", lang), y_title=y_title),
            gr.update(
                value=by_group(analysis, ch, "category_stats"),
                x_title=text("category", lang),
                y_title=y_title,
            ),
            gr.update(
                value=by_group(analysis, ch, "hour_bands"),
                x_title=text("hour_band", lang),
                y_title=y_title,
            ),
            summary_html(
                {"channels": {k: v for k, v in analysis["channels"].items() if ch in (ALL, k)}},
                posts,
                lang,
            ),
            gr.update(choices=post_choices(shown), value=None),
            gr.update(choices=backend.categories(ws), value=None),
        )

    outputs = [channel, time_plot, category_plot, band_plot, summary, post, category]
    show.click(load, inputs=[workspace, channel], outputs=outputs)
    channel.input(load, inputs=[workspace, channel], outputs=outputs)

    def change(ws: str | None, post_id: str | None, cat: str | None, request: gr.Request) -> str:
        lang = language_of(request)
        if not ws or not post_id or not cat:
            raise gr.Error(text("pick_post_and_category", lang))
        done = backend.set_category(ws, post_id, cat)
        # Say what changed: this post, from what to what, and that no other post moved.
        return text("category_saved", lang).format(
            category=cat, before=done.get("before") or "–", others=done.get("reclassified", 0)
        )

    save.click(change, inputs=[workspace, post, category], outputs=saved)
    if backend.reuse is not None:
        from ui import reuse_plot

        reuse_plot.build(backend.reuse, workspace, show)
