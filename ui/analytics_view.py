"""The tab "Analyse": plots people look at instead of reading tables (shown when the page
opens, labelled in the reader's language, bars on fewer than 5 posts marked as thin evidence),
the high performers with their reason, and correcting a post's category."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd

from service.errors import GjenbrukError
from ui.texts import channel_name, date_text, language_of, short_date, short_month, t, text

PostsFn = Callable[[str], list[dict[str, Any]]]
AnalysisFn = Callable[[str], dict[str, Any]]
CategoriesFn = Callable[[str], list[str]]
SetCategoryFn = Callable[[str, str, str], dict[str, Any]]

ALL = "*"
THIN = 5  # a mean over fewer posts than this is shown, but marked as too few to rely on
MAX_DAYS = 24  # more days than this on the time axis: weeks, then months (each label is drawn)


@dataclass(frozen=True)
class AnalyticsBackend:
    posts: PostsFn
    analysis: AnalysisFn
    categories: CategoriesFn
    set_category: SetCategoryFn
    reuse: Callable[[str], dict[str, Any]] | None = None  # ui/reuse_plot.py


def over_time(posts: list[dict[str, Any]], channel: str, lang: str = "nb") -> pd.DataFrame:
    """Engagement rate per post by publishing day, one line per channel (its name, as the
    legend shows it). The day is its label in the reader's language («15. mar.», "15 Mar"; with
    the year when the posts span more than one): the browser's plot would write a time axis in
    English, so the axis is these labels, in date order (`day_order`), the plot drawing the mean
    per label. Every label is drawn, so more than MAX_DAYS days are grouped by week (labelled
    by its Monday), and more weeks than that by month; `frame.attrs["unit"]` says which."""
    rows = [
        {
            "day": p["published_at"][:10],
            "engagement_rate": p["engagement_rate"],
            "channel": channel_name(p["channel"]),
        }
        for p in posts
        if p["engagement_rate"] is not None and channel in (ALL, p["channel"])
    ]
    frame = pd.DataFrame(rows, columns=["day", "engagement_rate", "channel"])
    frame = frame.sort_values("day", kind="stable").reset_index(drop=True)
    several = len({day[:4] for day in frame["day"]}) > 1
    unit, starts = "day", list(frame["day"])
    if len(set(starts)) > MAX_DAYS:
        unit = "week"
        starts = [_monday(day) for day in frame["day"]]
    if len(set(starts)) > MAX_DAYS:
        unit = "month"
        frame["published"] = [short_month(day, lang, year=several) for day in frame["day"]]
    else:
        frame["published"] = [short_date(day, lang, year=several) for day in starts]
    out = frame[["published", "engagement_rate", "channel"]]
    out.attrs["unit"] = unit
    return out


def _monday(day: str) -> str:
    d = dt.date.fromisoformat(day)
    return (d - dt.timedelta(days=d.weekday())).isoformat()


def day_order(frame: pd.DataFrame) -> list[str]:
    """The axis labels of `over_time` in date order, each once (the plot's sort)."""
    return list(dict.fromkeys(frame["published"]))


def by_group(analysis: dict[str, Any], channel: str, key: str, lang: str = "nb") -> pd.DataFrame:
    """Mean engagement rate per group with its count, so a bar resting on 3 posts is visible:
    its colour says "thin evidence" (n < 5) in words in the legend. One bar per channel and
    group: rates of different channels must not stack into a sum."""
    several = channel == ALL and len(analysis["channels"]) > 1
    rows = []
    for ch, a in analysis["channels"].items():
        if channel not in (ALL, ch):
            continue
        for group, stats in (a.get(key) or {}).items():
            if stats["mean_engagement_rate"] is None:
                continue
            thin = stats["n"] < THIN
            mark = " ⚠" if thin else ""
            rows.append(
                {
                    "group": f"{group} · {channel_name(ch)} (n={stats['n']}){mark}"
                    if several
                    else f"{group} (n={stats['n']}){mark}",
                    "engagement_rate": stats["mean_engagement_rate"],
                    "channel": channel_name(ch),
                    "evidence": text("evidence_thin" if thin else "evidence_ok", lang),
                }
            )
    return pd.DataFrame(rows, columns=["group", "engagement_rate", "channel", "evidence"])


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
            f"<h4>{html.escape(channel_name(ch))}</h4>"
            f"<p>{html.escape(label)}: <b>{html.escape(best)}</b> · "
            f"{a['n_posts']} {html.escape(text('posts_word', lang))}</p>"
            f"<p>{html.escape(text('high_performers', lang))}:</p><ol>{''.join(items)}</ol>"
        )
    return "".join(parts) or f"<p>{html.escape(text('no_posts', lang))}</p>"


def post_choices(posts: list[dict[str, Any]], lang: str = "nb") -> list[tuple[str, str]]:
    def label(p: dict[str, Any]) -> str:
        locked = " ✎" if p.get("category_locked") else ""
        snippet = " ".join(p["text"].split())[:70]
        category = p.get("category") or "?"
        day = date_text(p["published_at"], lang)
        return f"{day} {channel_name(p['channel'])} [{category}{locked}] {snippet}"

    return [(label(p), p["id"]) for p in posts]


def build(
    backend: AnalyticsBackend, workspaces: list[str], default_workspace: str
) -> tuple[Callable[..., Any], list[Any], list[Any]]:
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
        # The days are labels (see over_time): posts of one channel on one day, their mean.
        y_aggregate="mean",
        x_label_angle=-35,
        elem_id="plot-over-time",
    )
    with gr.Row():
        category_plot = gr.BarPlot(
            x="group",
            y="engagement_rate",
            label=t("plot_by_category"),
            color="evidence",
            y_axis_format=".1%",
            x_label_angle=-35,
            sort="x",
            elem_id="plot-by-category",
        )
        band_plot = gr.BarPlot(
            x="group",
            y="engagement_rate",
            label=t("plot_by_band"),
            color="evidence",
            y_axis_format=".1%",
            x_label_angle=-35,
            sort="x",
            elem_id="plot-by-band",
        )
    thin = gr.Markdown(elem_id="analytics-thin")
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
            return tuple(gr.skip() for _ in range(8))
        ch = ch or ALL
        posts = backend.posts(ws)
        analysis = backend.analysis(ws)
        channels = [(text("all_channels", lang), ALL)] + [
            (channel_name(c), c) for c in analysis["channels"]
        ]
        shown = [p for p in posts if ch in (ALL, p["channel"])]
        # Column names are what the axes and legends show: the reader's words, not ours.
        rate, legend = text("engagement_rate", lang), text("channel", lang)
        when, evidence = text("published", lang), text("evidence", lang)

        def bars(key: str, x_title: str) -> Any:
            frame = by_group(analysis, ch, key, lang).rename(
                columns={"group": x_title, "engagement_rate": rate, "evidence": evidence}
            )
            return gr.update(value=frame, x=x_title, y=rate, color=evidence, x_title=x_title,
                             y_title=rate)  # fmt: skip

        days = over_time(posts, ch, lang)
        # The axis title says when the days are grouped.
        unit = days.attrs.get("unit", "day")
        when = when if unit == "day" else text(f"published_{unit}", lang)
        line = days.rename(columns={"published": when, "engagement_rate": rate, "channel": legend})
        return (
            gr.update(choices=channels, value=ch),
            gr.update(
                value=line,
                x=when,
                y=rate,
                color=legend,
                x_title=when,
                y_title=rate,
                sort=day_order(days),
            ),
            bars("category_stats", text("category", lang)),
            bars("hour_bands", text("hour_band", lang)),
            summary_html(
                {"channels": {k: v for k, v in analysis["channels"].items() if ch in (ALL, k)}},
                posts,
                lang,
            ),
            text("thin_evidence", lang),
            gr.update(choices=post_choices(shown, lang), value=None),
            gr.update(choices=backend.categories(ws), value=None),
        )

    outputs = [channel, time_plot, category_plot, band_plot, summary, thin, post, category]

    def on_open(ws: str | None, ch: str | None, request: gr.Request) -> tuple[Any, ...]:
        """The page's load: the preselected workspace may not be the caller's (the page is one
        build for everyone); then nothing is drawn, and the picker's change to one of theirs
        draws it."""
        try:
            return load(ws, ch, request)
        except GjenbrukError:
            return tuple(gr.skip() for _ in outputs)

    show.click(load, inputs=[workspace, channel], outputs=outputs)
    channel.input(load, inputs=[workspace, channel], outputs=outputs)
    workspace.change(load, inputs=[workspace, channel], outputs=outputs)

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
    # Shown when the page opens, not after a button: the app registers this on load.
    return on_open, [workspace, channel], outputs
