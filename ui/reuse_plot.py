"""Reuse measured, in the analysis view: per channel, the posts published from approved drafts
against their sources and the channel's other posts (mean engagement rate, n, 95 % interval).
Kept apart from analytics_view so the view can be reorganised around it."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import gradio as gr
import pandas as pd

from ui.texts import channel_name, language_of, t, text

ReuseFn = Callable[[str], dict[str, Any]]
GROUPS = ("reused", "sources", "baseline")


def reuse_frame(report: dict[str, Any], lang: str) -> pd.DataFrame:
    """One bar per channel and group, its n in the label: a mean over 2 posts must look it."""
    rows = []
    for ch in report["channels"]:
        for group in GROUPS:
            g = ch[group]
            if g["mean"] is None:
                continue
            name = channel_name(ch["channel"])
            rows.append(
                {
                    "group": f"{name} · {text('reuse_' + group, lang)} (n={g['n']})",
                    "engagement_rate": g["mean"],
                    "kind": text("reuse_" + group, lang),
                }
            )
    return pd.DataFrame(rows, columns=["group", "engagement_rate", "kind"])


def reuse_html(report: dict[str, Any], lang: str) -> str:
    if not report["links"]:
        return f"<p>{html.escape(text('reuse_none', lang))}</p>"
    rows = []
    for ch in report["channels"]:
        cells = [html.escape(channel_name(ch["channel"]))]
        for group in GROUPS:
            g = ch[group]
            ci = (
                f" [{g['ci_low']:.1%}–{g['ci_high']:.1%}]"
                if g.get("ci_low") is not None and g.get("ci_high") is not None
                else ""
            )
            cells.append(f"{g['mean']:.1%}{ci} (n={g['n']})" if g["mean"] is not None else "–")
        lift = ch.get("lift_vs_baseline")
        cells.append(f"×{lift:.2f}" if lift is not None else "–")
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(
        f"<th>{html.escape(text(k, lang))}</th>"
        for k in ("channel", "reuse_reused", "reuse_sources", "reuse_baseline", "reuse_lift")
    )
    return (
        f"<p>{html.escape(text('reuse_links', lang).format(n=len(report['links'])))}</p>"
        f'<table class="gj-reuse"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
        "</table>"
    )


def build(reuse: ReuseFn, workspace: Any, show: Any) -> None:
    plot = gr.BarPlot(
        x="group",
        y="engagement_rate",
        color="kind",
        label=t("plot_reuse"),
        y_axis_format=".1%",
        x_label_angle=-35,
        sort="x",
        elem_id="plot-reuse",
    )
    table = gr.HTML(elem_id="reuse-table")

    def load(ws: str | None, request: gr.Request) -> tuple[Any, str]:
        lang = language_of(request)
        if not ws:
            return gr.update(), ""
        report = reuse(ws)
        return gr.update(value=reuse_frame(report, lang)), reuse_html(report, lang)

    show.click(load, inputs=[workspace], outputs=[plot, table])
