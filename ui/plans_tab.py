"""The tab "Månedsplan": the plan as a form (upload or download its JSON), the month as a
calendar, one progress bar while the drafts are written, and each slot's draft as a preview
card styled per network, with its checks in words and approve / edit / reject in place."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import gradio as gr

from ui.status_tab import progress_html
from ui.texts import (
    WEEKDAYS_LONG,
    WEEKDAYS_SHORT,
    channel_name,
    check_label,
    date_text,
    language_of,
    t,
    text,
)

# The plan model's weekday values: what the form stores, never what it shows.
PLAN_WEEKDAYS = WEEKDAYS_LONG["nb"]


@dataclass(frozen=True)
class PlansBackend:
    slots: Callable[
        [str, str], dict[str, Any]
    ]  # workspace, plan JSON -> slots, occasions, estimate
    start: Callable[[str, str], str]  # -> job id (the same plan twice is the same job)
    # workspace, job id, all|failed (or a slot's key) -> {job_id, pending: slots sent back}
    regenerate: Callable[[str, str, str], dict[str, Any]]
    regenerate_slot: Callable[[str, str, str], dict[str, Any]]
    move: Callable[[str, str, str, str, str], dict[str, Any]]  # ..., key, day, time -> draft
    progress: Callable[[str], dict[str, Any]]  # job id -> JobProgress
    drafts: Callable[[str, str], list[dict[str, Any]]]  # workspace, job id -> PlannedDraft
    review: Callable[[str, str, str, str, bool], dict[str, Any]]  # ..., override failed checks
    download: Callable[[str, str, str, str, str], bytes]
    validate: Callable[[str], dict[str, Any]]  # plan JSON -> the plan as the model reads it
    save: Callable[[str, str], dict[str, Any]]
    saved: Callable[[str], dict[str, Any] | None]  # the workspace's last saved plan
    latest_job: Callable[[str], str | None]
    channels: Callable[[], list[str]]
    networks: Callable[[], dict[str, dict[str, Any]]]  # channel -> names, visible, max
    check_text: Callable[[dict[str, Any], str], str]


_COLOURS = {
    "instagram": "#c2255c",
    "facebook": "#1c7ed6",
    "linkedin": "#0b7285",
    "tiktok": "#212529",
    "x": "#495057",
}
_STATUS_COLOURS = {"approved": "#2b8a3e", "rejected": "#868e96", "proposed": "#1c7ed6"}
_HASHTAG = re.compile(r"(#\w+)")
_CSS = (
    "<style>.gj-calendar-wrap{overflow-x:auto}.gj-calendar{min-width:560px}"
    "@media (max-width:600px){.gj-calendar{display:none}.gj-agenda{display:block!important}}"
    "</style>"
)


def render_calendar(result: dict[str, Any], lang: str) -> str:
    """Weeks as rows, Monday first; each day lists its slots and occasions. On a narrow screen
    the same slots are a list by day (the grid does not fit 390 px)."""
    slots = result["slots"]
    if not slots:
        return ""
    by_day: dict[str, list[dict[str, Any]]] = {}
    for s in slots:
        by_day.setdefault(s["date"], []).append(s)
    named: dict[str, list[str]] = {}
    for o in result["occasions"]:
        named.setdefault(o["date"], []).append(o["name"])
    first = dt.date.fromisoformat(slots[0]["date"]).replace(day=1)
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    start = first - dt.timedelta(days=first.weekday())
    head = "".join(f"<th>{d}</th>" for d in WEEKDAYS_SHORT[lang])

    def item(s: dict[str, Any]) -> str:
        extra = (
            f"<br><i>{html.escape(s['theme'])}</i>"
            if s.get("occasion") or s.get("campaign")
            else ""
        )
        return (
            f"<div class='gj-slot' data-channel='{html.escape(s['channel'])}' "
            f"style='border-left:3px solid {_COLOURS.get(s['channel'], '#888')};"
            f"padding-left:4px;margin:2px 0;font-size:12px'>{html.escape(s['time'])} "
            f"<b>{html.escape(channel_name(s['channel']))}</b><br>{html.escape(s['category'])}"
            f"{extra}</div>"
        )

    def marks(key: str) -> str:
        return "".join(
            "<div class='gj-occasion' style='color:#e8590c;font-size:11px'>"
            f"★ {html.escape(n)}</div>"
            for n in named.get(key, [])
        )

    rows, day = [], start
    while day < nxt:
        cells = []
        for _ in range(7):
            key = day.isoformat()
            inside = first <= day < nxt
            items = "".join(item(s) for s in by_day.get(key, []))
            cells.append(
                f"<td style='vertical-align:top;border:1px solid #eee;width:14%;"
                f"{'' if inside else 'opacity:.35;'}'><small>{day.day}</small>"
                f"{marks(key)}{items}</td>"
            )
            day += dt.timedelta(days=1)
        rows.append(f"<tr>{''.join(cells)}</tr>")
    agenda = "".join(
        f"<div style='margin:6px 0'><b>{html.escape(date_text(key, lang, weekday=True))}</b>"
        f"{marks(key)}{''.join(item(s) for s in by_day[key])}</div>"
        for key in sorted(by_day)
    )
    return (
        f"{_CSS}<div class='gj-calendar-wrap'><table class='gj-calendar' "
        "style='width:100%;border-collapse:collapse'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        f"<div class='gj-agenda' style='display:none'>{agenda}</div>"
    )


def _estimate_md(e: dict[str, Any], lang: str) -> str:
    minutes = f", ≈ {e['seconds'] / 60:.0f} min" if e.get("seconds") else ""
    price = f"${e['cost_usd']:.4f}" if e["priced"] else text("no_price", lang)
    return (
        f"**{e['drafts']}** {text('drafts_word', lang)} · {e['prompt_tokens']} + "
        f"{e['completion_tokens']} tokens · {price}{minutes}"
    )


# The plan form: plan JSON <-> the values of the form's components.


def _weekday(value: str, lang: str) -> str:
    """A weekday typed or picked in any of the UI's languages, as the plan model names it."""
    v = value.strip().lower()
    for names in (*WEEKDAYS_LONG.values(), *WEEKDAYS_SHORT.values()):
        lowered = [n.lower() for n in names]
        if v in lowered:
            return PLAN_WEEKDAYS[lowered.index(v)]
    raise gr.Error(
        text("plan_invalid", lang).format(reason=text("bad_weekday", lang).format(value=value))
    )


def _number(value: Any, lang: str) -> float:
    try:
        return float(str(value).replace(",", ".").strip())
    except ValueError:
        raise gr.Error(
            text("plan_invalid", lang).format(reason=text("bad_number", lang).format(value=value))
        ) from None


def _rows(value: Any) -> list[list[Any]]:
    """A Dataframe's rows without the empty ones people leave at the end."""
    if isinstance(value, dict):
        value = value.get("data") or []
    elif hasattr(value, "values") and hasattr(value, "columns"):
        value = value.values.tolist()
    return [list(r) for r in value or [] if any(str(c).strip() for c in r if c is not None)]


def _table(headers: list[str], rows: list[list[Any]], lang: str) -> dict[str, Any]:
    return {"headers": [text(h, lang) for h in headers], "data": rows or [[""] * len(headers)]}


CATEGORY_COLUMNS = ["category", "col_weight"]
CAMPAIGN_COLUMNS = ["col_name", "col_start", "col_end", "col_channels", "col_details"]
FACT_COLUMNS = ["col_fact", "col_value"]


def build(
    backend: PlansBackend,
    workspaces: list[str],
    default_workspace: str,
    rights: Callable[[str | None, str], list[str]] | None = None,
) -> Loader:
    """`rights(user, workspace)`: the permissions the person logged in holds there (None: no
    login, every action); a card shows only the buttons they may use."""
    example = Path(__file__).resolve().parent / "examples" / "plan.json"
    example_plan: dict[str, Any] = (
        json.loads(example.read_text(encoding="utf-8")) if example.is_file() else {}
    )
    channels = backend.channels()
    networks = backend.networks()
    job_state = gr.State("")
    drafts_state = gr.State([])
    rest_state = gr.State({})  # the plan's fields the form does not show, kept as they were
    raw_state = gr.State(json.dumps(example_plan, ensure_ascii=False))
    workspace = gr.Dropdown(
        choices=workspaces,
        value=default_workspace if default_workspace in workspaces else None,
        label=t("workspace"),
        elem_id="plans-workspace",
    )
    with gr.Accordion(t("plan_form"), open=True, elem_id="plan-form"):
        with gr.Row():
            organisation = gr.Textbox(label=t("organisation"), elem_id="plan-organisation")
            month = gr.Textbox(label=t("target_month"), elem_id="plan-month", max_lines=1)
            language = gr.Dropdown(
                choices=[("bokmål", "nb"), ("nynorsk", "nn"), ("English", "en")],
                value="nb",
                label=t("plan_language"),
                elem_id="plan-language",
            )
        gr.Markdown(t("plan_channels"))
        channel_fields: list[tuple[gr.Checkbox, gr.Number, gr.CheckboxGroup, gr.Textbox]] = []
        for ch in channels:
            with gr.Group(elem_id=f"plan-channel-{ch}"), gr.Row(equal_height=True):
                use = gr.Checkbox(label=channel_name(ch), elem_id=f"plan-use-{ch}", min_width=120)
                per_week = gr.Number(
                    label=t("col_per_week"),
                    minimum=0,
                    maximum=21,
                    step=0.5,
                    elem_id=f"plan-per-week-{ch}",
                    min_width=120,
                )
                days = gr.CheckboxGroup(
                    choices=[(t(f"wd_{i}"), d) for i, d in enumerate(PLAN_WEEKDAYS)],
                    label=t("col_days"),
                    elem_id=f"plan-days-{ch}",
                    scale=3,
                )
                at = gr.Textbox(
                    label=t("col_time"),
                    placeholder="19:00",
                    max_lines=1,
                    elem_id=f"plan-time-{ch}",
                    min_width=90,
                )
            channel_fields.append((use, per_week, days, at))
        categories = gr.Dataframe(
            label=t("plan_categories"), type="array", interactive=True, elem_id="plan-categories"
        )
        campaigns = gr.Dataframe(
            label=t("plan_campaigns"),
            type="array",
            interactive=True,
            wrap=True,
            elem_id="plan-campaigns",
        )
        voice = gr.Textbox(label=t("plan_voice"), lines=2, elem_id="plan-voice")
        facts = gr.Dataframe(
            label=t("plan_facts"), type="array", interactive=True, wrap=True, elem_id="plan-facts"
        )
        with gr.Row():
            # The buttons' labels are typed str; I18nData resolves in the browser all the same.
            upload = gr.UploadButton(
                cast(str, t("upload_plan")), file_types=[".json"], elem_id="plan-upload"
            )
            save = gr.Button(t("save_plan"), variant="primary", elem_id="plan-save")
            download_plan = gr.DownloadButton(
                cast(str, t("download_plan")), elem_id="plan-download"
            )
        form_note = gr.Markdown(elem_id="plan-note")
    make = gr.Button(t("make_slots"), variant="primary", elem_id="plans-slots")
    est = gr.Markdown(elem_id="plans-estimate")
    calendar = gr.HTML(elem_id="plans-calendar")
    with gr.Row():
        go = gr.Button(t("generate_month"), elem_id="plans-generate")
        regenerate = gr.Button(t("regenerate_failed"), elem_id="plans-regenerate")
    status = gr.HTML(elem_id="plans-status")
    with gr.Row():
        channel_filter = gr.Dropdown(
            choices=[(t("all_channels"), "")] + [(channel_name(c), c) for c in channels],
            value="",
            label=t("channel"),
            elem_id="plans-filter-channel",
        )
        status_filter = gr.Dropdown(
            choices=[(t("all_statuses"), "")]
            + [(t(f"status_{k}"), k) for k in ("proposed", "approved", "rejected", "failed")],
            value="",
            label=t("filter_status"),
            elem_id="plans-filter-status",
        )
    reviewed = gr.Markdown(elem_id="plans-reviewed")
    lang_state = gr.State("nb")
    occasions_state = gr.State([])

    form: list[Any] = [organisation, month, language, *[c for row in channel_fields for c in row]]
    form += [categories, campaigns, voice, facts]

    def fill(plan: dict[str, Any], lang: str) -> list[Any]:
        """The form's values for a plan; fields it does not show go to the kept rest."""
        by_channel = {c["channel"]: c for c in plan.get("channels", [])}
        out: list[Any] = [
            plan.get("organisation", ""),
            plan.get("target_month", ""),
            plan.get("language", "nb"),
        ]
        for ch in channels:
            spec = by_channel.get(ch) or {}
            out += [
                bool(spec),
                spec.get("posts_per_week", 2 if not spec else None),
                list(spec.get("preferred_days") or []),
                spec.get("time") or "",
            ]
        out.append(
            _table(
                CATEGORY_COLUMNS,
                [[k, v] for k, v in (plan.get("category_weights") or {}).items()],
                lang,
            )
        )
        out.append(
            _table(
                CAMPAIGN_COLUMNS,
                [
                    [
                        c["name"],
                        str(c["start"]),
                        str(c["end"]),
                        ", ".join(channel_name(x) for x in c.get("channels") or []),
                        c.get("details", ""),
                    ]
                    for c in plan.get("campaigns") or []
                ],
                lang,
            )
        )
        out.append(plan.get("brand_voice", ""))
        out.append(
            _table(FACT_COLUMNS, [[k, v] for k, v in (plan.get("facts") or {}).items()], lang)
        )
        return out

    def rest_of(plan: dict[str, Any]) -> dict[str, Any]:
        shown = {"organisation", "target_month", "language", "category_weights", "campaigns"}
        shown |= {"brand_voice", "facts"}
        rest = {k: v for k, v in plan.items() if k not in shown and k != "channels"}
        # A channel's own language, formats and role stay as the file had them.
        rest["channel_extra"] = {
            c["channel"]: {
                k: v
                for k, v in c.items()
                if k not in ("channel", "posts_per_week", "preferred_days", "time")
            }
            for c in plan.get("channels", [])
        }
        return rest

    def collect(values: list[Any], rest: dict[str, Any], lang: str) -> str:
        """The form as plan JSON, read back through the plan model by the backend."""
        org, target, plan_lang, *tail = values
        n = 4 * len(channels)
        chans, (cats, camps, brand_voice, fact_rows) = tail[:n], tail[n:]
        extra = rest.get("channel_extra") or {}
        plan_channels = []
        for i, ch in enumerate(channels):
            use, per_week, days, at = chans[4 * i : 4 * i + 4]
            if not use:
                continue
            spec: dict[str, Any] = {**extra.get(ch, {}), "channel": ch}
            spec["posts_per_week"] = _number(per_week, lang) if per_week not in (None, "") else 0
            spec["preferred_days"] = sorted(days or [], key=PLAN_WEEKDAYS.index)
            if str(at or "").strip():
                spec["time"] = str(at).strip()
            plan_channels.append(spec)
        known = {channel_name(c).lower(): c for c in channels} | {c: c for c in channels}
        campaigns_out = []
        for name, start, end, chs, details in ((r + [""] * 5)[:5] for r in _rows(camps)):
            names = [x.strip().lower() for x in str(chs or "").split(",") if x.strip()]
            for x in names:
                if x not in known:
                    raise gr.Error(
                        text("plan_invalid", lang).format(
                            reason=text("bad_channel", lang).format(value=x)
                        )
                    )
            campaigns_out.append(
                {
                    "name": str(name).strip(),
                    "start": str(start).strip(),
                    "end": str(end).strip(),
                    "channels": [known[x] for x in names],
                    "details": str(details or ""),
                }
            )
        plan = {
            **{k: v for k, v in rest.items() if k != "channel_extra"},
            "organisation": str(org or "").strip(),
            "target_month": str(target or "").strip(),
            "language": plan_lang or "nb",
            "channels": plan_channels,
            "category_weights": {
                str(r[0]).strip(): _number(r[1], lang) for r in _rows(cats) if str(r[0]).strip()
            },
            "campaigns": campaigns_out,
            "brand_voice": str(brand_voice or ""),
            "facts": {str(r[0]).strip(): str(r[1]) for r in _rows(fact_rows) if str(r[0]).strip()},
        }
        raw = json.dumps(plan, ensure_ascii=False)
        try:
            checked = backend.validate(raw)
        except Exception as exc:  # a GjenbrukError carries the precise reason
            reason = str(getattr(exc, "message", exc))
            raise gr.Error(text("plan_invalid", lang).format(reason=reason)) from exc
        return json.dumps(checked, ensure_ascii=False, indent=2)

    def plan_file(ws: str | None, raw: str) -> str:
        path = Path(tempfile.mkdtemp()) / f"{ws or 'plan'}-plan.json"
        path.write_text(raw, encoding="utf-8")
        return str(path)

    def open_tab(ws: str | None, request: gr.Request) -> list[Any]:
        """On page open: the workspace's saved plan (else the example) in the form, and the
        newest month's drafts on the cards, as they were left."""
        lang = language_of(request)
        plan = (backend.saved(ws) if ws else None) or example_plan
        job_id = (backend.latest_job(ws) if ws else None) or ""
        drafts = backend.drafts(ws, job_id) if ws and job_id else []
        raw = json.dumps(plan, ensure_ascii=False, indent=2)
        return [
            *fill(plan, lang),
            rest_of(plan),
            raw,
            plan_file(ws, raw),
            job_id,
            drafts,
            lang,
        ]

    load_outputs = [*form, rest_state, raw_state, download_plan, job_state, drafts_state]
    load_outputs.append(lang_state)
    workspace.change(open_tab, workspace, load_outputs)

    def uploaded(file: Any, request: gr.Request) -> list[Any]:
        lang = language_of(request)
        body = Path(file if isinstance(file, str) else file.name).read_text(encoding="utf-8-sig")
        try:
            plan = backend.validate(body)
        except Exception as exc:
            reason = str(getattr(exc, "message", exc))
            raise gr.Error(text("plan_invalid", lang).format(reason=reason)) from exc
        return [*fill(plan, lang), rest_of(plan)]

    upload.upload(uploaded, upload, [*form, rest_state])

    inputs: set[Any] = {workspace, rest_state, *form}

    def form_json(data: dict[Any, Any], lang: str) -> str:
        return collect([data[c] for c in form], data[rest_state], lang)

    def asked(data: dict[Any, Any], request: gr.Request) -> tuple[str, str, str]:
        """What a plan button works on: the reader's language, the workspace (one must be
        picked) and the form as the plan model reads it."""
        lang = language_of(request)
        ws = data[workspace]
        if not ws:
            raise gr.Error(text("pick_workspace", lang))
        return lang, ws, form_json(data, lang)

    def saving(data: dict[Any, Any], request: gr.Request) -> tuple[Any, ...]:
        lang, ws, raw = asked(data, request)
        try:
            plan = backend.save(ws, raw)
        except Exception as exc:
            reason = str(getattr(exc, "message", exc))
            raise gr.Error(text("plan_invalid", lang).format(reason=reason)) from exc
        note = text("plan_saved", lang).format(
            channels=len(plan["channels"]), categories=len(plan["category_weights"])
        )
        return note, raw, plan_file(ws, raw)

    save.click(saving, inputs, [form_note, raw_state, download_plan])

    def show_slots(data: dict[Any, Any], request: gr.Request) -> tuple[Any, ...]:
        lang, ws, raw = asked(data, request)
        try:
            result = backend.slots(ws, raw)
        except Exception as exc:
            raise gr.Error(str(getattr(exc, "message", exc))) from exc
        return (
            _estimate_md(result["estimate"], lang),
            render_calendar(result, lang),
            raw,
            result["occasions"],
        )

    make.click(show_slots, inputs, [est, calendar, raw_state, occasions_state])

    def follow(ws: str, job_id: str, lang: str) -> Iterator[tuple[Any, ...]]:
        """One progress element for the job, updated from its stored state; the cards come
        when it is finished."""
        while True:
            p = backend.progress(job_id)
            finished = p["job"]["status"] in ("done", "failed", "cancelled")
            drafts = backend.drafts(ws, job_id) if finished else gr.skip()
            yield job_id, progress_html(p, lang), drafts, lang
            if finished:
                return
            time.sleep(1.0)

    def run(data: dict[Any, Any], request: gr.Request) -> Iterator[tuple[Any, ...]]:
        lang, ws, raw = asked(data, request)
        try:
            job_id = backend.start(ws, raw)
        except Exception as exc:
            raise gr.Error(str(getattr(exc, "message", exc))) from exc
        yield from follow(ws, job_id, lang)

    job_outputs = [job_state, status, drafts_state, lang_state]
    go.click(run, inputs, job_outputs, show_progress="hidden")

    def rewrite(ws: str | None, job_id: str, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """The month's failed, empty and rejected drafts written again, in its job, with the
        same progress; approved drafts and their edits stay."""
        lang = language_of(request)
        if not ws or not job_id:
            raise gr.Error(text("no_month_job", lang))
        try:
            sent = backend.regenerate(ws, job_id, "failed")
        except Exception as exc:
            raise _refused(exc, lang) from exc
        if not sent["pending"]:
            gr.Info(text("regenerate_none", lang))
        yield from follow(ws, job_id, lang)

    regenerate.click(rewrite, [workspace, job_state], job_outputs, show_progress="hidden")

    def redraw(drafts: list[dict[str, Any]], occasions: list[Any], lang: str) -> Any:
        """The calendar as the month's job has it: a moved slot on its new day."""
        if not drafts:
            return gr.skip()
        return render_calendar({"slots": [d["slot"] for d in drafts], "occasions": occasions}, lang)

    drafts_state.change(
        redraw, [drafts_state, occasions_state, lang_state], calendar, show_progress="hidden"
    )

    # Re-drawn when the drafts or the filters change, the last change winning; the keys keep
    # each card's components (and so its listeners) the same across re-draws.
    @gr.render(  # type: ignore[untyped-decorator]
        inputs=[drafts_state, channel_filter, status_filter, workspace],
        triggers=[drafts_state.change, channel_filter.change, status_filter.change],
        trigger_mode="always_last",
        concurrency_limit=1,
    )
    def cards(
        drafts: list[dict[str, Any]], ch: str, st: str, ws: str | None, request: gr.Request
    ) -> None:
        lang = language_of(request)
        # The buttons a card offers are the caller's (the backend refuses the rest anyway).
        may = set(rights(request.username, ws or "")) if rights is not None else None

        def allowed(permission: str) -> bool:
            return may is None or permission in may

        shown = [d for d in drafts if _matches(d, ch, st)]
        if not drafts:
            gr.Markdown(text("no_drafts_yet", lang), elem_id="plans-no-drafts")
            return
        # By the day each slot stands on now (a moved one in its new place).
        shown.sort(key=lambda d: (d["slot"]["date"], d["slot"]["time"]))
        for d in shown:
            slot = d["slot"]
            # The slot's key as scheduled: the same card (and listeners) after a move.
            key = d.get("key") or f"{slot['date']} {slot['time']} {slot['channel']}"
            with gr.Group(elem_classes=["gj-card-group"], key=f"group-{key}"):
                gr.HTML(preview_card(d, networks, lang, backend.check_text), key=f"card-{key}")
                slot_actions(d, key, move=allowed("plan.edit"), again=allowed("generate"))
                if not d.get("draft_id") or not allowed("draft.review"):
                    continue
                box = gr.Textbox(
                    value=d.get("edited_text") or d.get("text") or "",
                    lines=3,
                    label=t("edit"),
                    elem_classes=["gj-card-edit"],
                    interactive=True,
                    key=f"edit-{key}",
                )
                failed = not d.get("passed", True)
                with gr.Row(key=f"row-{key}"):
                    # A draft that failed its checks is approved only by this explicit "approve
                    # anyway", which the draft records (checks_overridden).
                    ok = gr.Button(
                        t("approve_card_anyway" if failed else "approve"),
                        size="sm",
                        variant="stop" if failed else "secondary",
                        elem_classes=["gj-approve-anyway" if failed else "gj-approve"],
                        key=f"ok-{key}",
                    )
                    keep = gr.Button(
                        t("save_edit"), size="sm", elem_classes=["gj-save-edit"], key=f"keep-{key}"
                    )
                    no = gr.Button(
                        t("reject"),
                        size="sm",
                        variant="stop",
                        elem_classes=["gj-reject"],
                        key=f"no-{key}",
                    )

                def act(
                    verdict: str | None,
                    chosen_id: str = str(d["draft_id"]),
                    status_now: str = d.get("status") or "proposed",
                    override: bool = failed,
                ) -> Callable[..., Any]:
                    def decide(
                        value: str, ws: str | None, job_id: str, request: gr.Request
                    ) -> tuple[Any, str]:
                        ui = language_of(request)
                        if not ws or not job_id:
                            raise gr.Error(text("pick_variant", ui))
                        chosen = verdict or status_now
                        backend.review(ws, chosen_id, chosen, value, override)
                        drafts = backend.drafts(ws, job_id)
                        mine = next(x for x in drafts if x.get("draft_id") == chosen_id)
                        when = date_text(mine["slot"]["date"], ui)
                        name = channel_name(mine["slot"]["channel"])
                        note = text("slot_saved", ui).format(
                            when=f"{when} {name}", status=text(f"status_{chosen}", ui)
                        )
                        return drafts, note

                    return decide

                given = [box, workspace, job_state]
                ok.click(act("approved"), given, [drafts_state, reviewed])
                keep.click(act(None), given, [drafts_state, reviewed])
                no.click(act("rejected"), given, [drafts_state, reviewed])

    def slot_actions(d: dict[str, Any], key: str, *, move: bool, again: bool) -> None:
        """Under a card: write this slot's draft again (not an approved one), and move the
        slot to another day and time of the month; each only for a caller who may."""
        if move:
            slot_move(d, key)
        if again and d.get("status") != "approved":
            slot_again(key)

    def slot_move(d: dict[str, Any], key: str) -> None:
        with gr.Row(key=f"moves-{key}", equal_height=True):
            day = gr.Textbox(
                value=d["slot"]["date"],
                label=t("move_day"),
                max_lines=1,
                elem_classes=["gj-move-day"],
                interactive=True,
                key=f"day-{key}",
                min_width=140,
            )
            at = gr.Textbox(
                value=d["slot"]["time"],
                label=t("col_time"),
                max_lines=1,
                elem_classes=["gj-move-time"],
                interactive=True,
                key=f"time-{key}",
                min_width=90,
            )
            move = gr.Button(t("move_slot"), size="sm", elem_classes=["gj-move"], key=f"move-{key}")

        def moving(
            new_day: str, new_time: str, ws: str | None, job_id: str, request: gr.Request
        ) -> tuple[Any, str]:
            ui = language_of(request)
            if not ws or not job_id:
                raise gr.Error(text("no_month_job", ui))
            try:
                moved = backend.move(ws, job_id, key, new_day, new_time)
            except Exception as exc:
                raise _refused(exc, ui) from exc
            where = moved["slot"]
            note = text("slot_moved", ui).format(
                what=channel_name(where["channel"]),
                when=f"{date_text(where['date'], ui, weekday=True)} {where['time']}",
            )
            return backend.drafts(ws, job_id), note

        move.click(moving, [day, at, workspace, job_state], [drafts_state, reviewed])

    def slot_again(key: str) -> None:
        again = gr.Button(
            t("regenerate_slot"), size="sm", elem_classes=["gj-regenerate"], key=f"again-{key}"
        )

        def writing(ws: str | None, job_id: str, request: gr.Request) -> Iterator[Any]:
            ui = language_of(request)
            if not ws or not job_id:
                raise gr.Error(text("no_month_job", ui))
            try:
                backend.regenerate_slot(ws, job_id, key)
            except Exception as exc:
                raise _refused(exc, ui) from exc
            yield from follow(ws, job_id, ui)

        again.click(writing, [workspace, job_state], job_outputs, show_progress="hidden")

    with gr.Row():
        fmt = gr.Dropdown(
            choices=[
                ("iCalendar (.ics)", "ics"),
                ("Buffer (CSV)", "buffer"),
                ("Hootsuite (CSV)", "hootsuite"),
                ("Publer (CSV)", "publer"),
                ("Markdown", "md"),
            ],
            value="ics",
            label=t("export_format"),
            elem_id="plans-format",
        )
        date_format = gr.Radio(["dd/mm", "mm/dd"], value="dd/mm", label="Hootsuite")
        download = gr.DownloadButton("⬇", elem_id="plans-download")

    def fetch(ws: str | None, job_id: str, kind: str, order: str) -> str | None:
        if not ws or not job_id:
            return None
        data = backend.download(ws, "", job_id, kind, order)
        ext = {"ics": "ics", "md": "md"}.get(kind, "csv")
        path = Path(tempfile.mkdtemp()) / f"{ws}-{kind}.{ext}"
        path.write_bytes(data)
        return str(path)

    # The file carries what people decided: it is made again after every verdict.
    for trigger in (fmt.change, date_format.change, job_state.change, drafts_state.change):
        trigger(fetch, [workspace, job_state, fmt, date_format], download, show_progress="hidden")
    # Open with the saved plan and the last month's cards: the app registers it on page load.
    return open_tab, [workspace], load_outputs


Loader = tuple[Callable[..., Any], list[Any], list[Any]]

_MOVE_REASONS = {
    "not_a_date": "move_not_a_date",
    "not_a_time": "move_not_a_time",
    "outside_month": "move_outside_month",
    "taken": "move_taken",
}


def _refused(exc: Exception, lang: str) -> gr.Error:
    """An owner's refusal in the reader's language: the month still being written, an approved
    draft not to be written over, a day the slot cannot move to."""
    details: dict[str, Any] = getattr(exc, "details", None) or {}
    code = getattr(exc, "code", "")
    if code == "conflict" and "status" in details:
        return gr.Error(text("job_busy", lang))
    if code == "conflict" and details.get("reason") == "approved":
        return gr.Error(text("regenerate_approved", lang))
    reason = _MOVE_REASONS.get(str(details.get("reason")))
    if code == "invalid" and reason is not None:
        params = {k: str(v) for k, v in details.items() if k != "reason"}
        return gr.Error(text(reason, lang).format(**params))
    return gr.Error(str(getattr(exc, "message", exc)))


def _matches(d: dict[str, Any], channel: str, status: str) -> bool:
    if channel and d["slot"]["channel"] != channel:
        return False
    if not status:
        return True
    if status == "failed":
        return not d.get("passed")
    return bool(d.get("passed")) and d.get("status") == status


# How each network draws the preview of a link under a post: where the domain stands, in
# capitals or not, the box's colour and corners. Networks without link previews have none here.
_LINK_STYLES: dict[str, dict[str, Any]] = {
    "facebook": {"domain_first": True, "upper": True, "bg": "#f0f2f5", "radius": "0"},
    "linkedin": {"domain_first": False, "upper": False, "bg": "#eef3f8", "radius": "4px"},
    "x": {"domain_first": False, "upper": False, "bg": "#ffffff", "radius": "16px"},
}


def link_card(channel: str, link: dict[str, str] | None, lang: str) -> str:
    """The link card the network shows under a post that carries a link: an image
    placeholder, the domain and a title placeholder (the page's own title is fetched by the
    network when the post is published). No link, no card."""
    if not link or not link.get("domain"):
        return ""
    style = _LINK_STYLES.get(channel, _LINK_STYLES["facebook"])
    domain = html.escape(link["domain"].upper() if style["upper"] else link["domain"])
    parts = [
        f"<small class='gj-link-domain' style='color:#65676b'>{domain}</small>",
        f"<b class='gj-link-title'>{html.escape(text('link_title', lang))}</b>",
    ]
    if not style["domain_first"]:
        parts.reverse()
    return (
        f"<div class='gj-link-card' data-domain='{html.escape(link['domain'])}' "
        f"title='{html.escape(link.get('url', ''))}' style='border:1px solid #dadde1;"
        f"border-radius:{style['radius']};overflow:hidden;margin:6px 0 8px'>"
        "<div class='gj-link-image' aria-hidden='true' style='height:72px;"
        "background:repeating-linear-gradient(45deg,#e9ecef,#e9ecef 8px,#dee2e6 8px,#dee2e6 16px)'>"
        f"</div><div style='padding:6px 10px;background:{style['bg']};display:flex;"
        f"flex-direction:column'>{''.join(parts)}</div></div>"
    )


def preview_card(
    d: dict[str, Any],
    networks: dict[str, dict[str, Any]],
    lang: str,
    check_text: Callable[[dict[str, Any], str], str],
) -> str:
    """The draft as its network shows it: a name and avatar placeholder, the text cut where the
    network cuts it ("… more"), hashtags marked, then the checks in words."""
    slot = d["slot"]
    net = networks.get(slot["channel"], {})
    colour = _COLOURS.get(slot["channel"], "#888")
    body = d.get("edited_text") or d.get("text") or ""
    visible = net.get("visible")
    cut = visible is not None and len(body) > visible
    shown = body[:visible] if cut and visible is not None else body
    words = _HASHTAG.sub(
        r"<span class='gj-hashtag' style='color:#1c7ed6'>\1</span>", html.escape(shown)
    )
    more = (
        f"<span class='gj-more' style='color:#868e96'>{html.escape(text('see_more', lang))}</span>"
        if cut
        else ""
    )
    status = d.get("status") or "proposed"
    state = status if d.get("passed") else "failed"
    badge = html.escape(text(f"status_{state}", lang))
    limit = net.get("max")
    count = text("chars_of", lang).format(found=len(body), limit=limit) if limit else str(len(body))
    network = (net.get("names") or {}).get(lang) or channel_name(slot["channel"])
    checks = "".join(
        f"<li class='gj-check' data-passed='{str(c['passed']).lower()}'>"
        f"<b>{html.escape(check_label(c, lang))}</b>: "
        f"{html.escape(text('check_passed' if c['passed'] else ('check_failed' if c.get('hard', True) else 'check_advice'), lang))}"  # noqa: E501
        + (f" – {html.escape(check_text(c, lang))}" if check_text(c, lang) else "")
        + "</li>"
        for c in d.get("checks") or []
    )
    when = f"{date_text(slot['date'], lang, weekday=True)} {slot['time']}"
    theme = html.escape(slot.get("campaign") or slot.get("occasion") or slot["category"])
    return (
        f"<div class='gj-card' data-channel='{html.escape(slot['channel'])}' "
        f"data-status='{html.escape(state)}' style='border:1px solid #dee2e6;"
        f"border-top:4px solid {colour};border-radius:8px;padding:10px 12px;max-width:520px'>"
        "<div style='display:flex;align-items:center;gap:8px'>"
        f"<div class='gj-avatar' aria-hidden='true' style='width:32px;height:32px;"
        f"border-radius:50%;background:{colour};opacity:.8'></div>"
        f"<div><b>{html.escape(network)}</b><br><small>{html.escape(when)} · {theme}</small>"
        f"</div><span class='gj-state' style='margin-left:auto;font-size:12px;"
        f"color:{_STATUS_COLOURS.get(state, '#c92a2a')};font-weight:bold'>{badge}</span></div>"
        f"<p class='gj-text' style='white-space:pre-wrap;margin:8px 0'>{words}{more}</p>"
        f"{link_card(slot['channel'], d.get('link'), lang)}"
        f"<small class='gj-count'>{html.escape(count)}</small>"
        + (
            f"<br><small>{html.escape(text('cut_note', lang).format(network=network, visible=visible))}</small>"  # noqa: E501
            if cut
            else ""
        )
        + f"<ul style='margin:6px 0;padding-left:18px;font-size:12px'>{checks}</ul></div>"
    )
