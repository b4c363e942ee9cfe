"""Deterministic slotting: dates and times per channel that meet each channel's frequency,
categories that meet the weights and do not repeat back to back, occasions placed before
their day, campaigns inside their date range. The same plan always gives the same slots."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter

from service.planning.calendar import occasions
from service.planning.models import WEEKDAYS, ContentPlan, Occasion, Slot

# When the workspace's own analytics give no better hour, these are the usual good ones.
DEFAULT_TIMES = {
    "instagram": "19:00",
    "facebook": "12:00",
    "linkedin": "08:30",
    "tiktok": "20:00",
    "x": "09:00",
}
DEFAULT_DAYS = {
    "instagram": ["tirsdag", "torsdag", "lørdag", "søndag", "onsdag", "fredag", "mandag"],
    "facebook": ["onsdag", "fredag", "mandag", "torsdag", "tirsdag", "lørdag", "søndag"],
    "linkedin": ["tirsdag", "onsdag", "torsdag", "mandag", "fredag"],
    "tiktok": ["torsdag", "fredag", "lørdag", "søndag", "tirsdag"],
    "x": ["tirsdag", "onsdag", "torsdag", "mandag", "fredag"],
}
THEMES_NB = {
    "ansatte": "Vis fram en av oss: hva hen gjør og hvorfor",
    "kunder": "Del en kundes opplevelse (med tillatelse)",
    "bak kulissene": "Et glimt bak kulissene",
    "produkt": "Løft fram et produkt eller en rett",
    "nostalgi/historie": "Noe fra historien vår",
    "tips og triks": "Et nyttig tips",
    "inspirasjon": "Inspirasjon fra sesongen",
    "kampanje": "Kampanjen",
    "kampanje/tilbud": "Kampanjen",
    "merkedag": "Dagen",
}
OCCASION_LEAD_DAYS = 3  # an occasion's post goes on the day or up to 3 days before, never after
CAMPAIGN_CATEGORIES = ("kampanje/tilbud", "kampanje")
# A plan with campaigns but no campaign category still gives them this share of its slots.
DEFAULT_CAMPAIGN_SHARE = 0.15


def _same_event(occasion: str, campaign: str) -> bool:
    """ "Halloween" and "Halloween – knask eller knep" are one event: one post, the campaign's."""
    words = {w for w in re.findall(r"\w{4,}", occasion.lower())}
    return bool(words & set(re.findall(r"\w{4,}", campaign.lower())))


def post_counts(plan: ContentPlan) -> dict[str, int]:
    """Posts per channel in the month: posts per week × days / 7, rounded."""
    days = len(plan.days)
    return {c.channel: max(1, round(c.posts_per_week * days / 7)) for c in plan.channels}


def category_counts(weights: dict[str, float], total: int) -> dict[str, int]:
    """Largest remainder: the counts add up to `total` and follow the weights as closely as
    whole numbers can."""
    norm = sum(weights.values())
    exact = {k: total * w / norm for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in exact.items()}
    rest = total - sum(counts.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - counts[k]), k))[:rest]:
        counts[k] += 1
    return counts


def with_campaign_share(plan: ContentPlan) -> dict[str, float]:
    """The plan's category weights, with a campaign share added when the plan has campaigns
    but no campaign category: a campaign with no slots is a plan not followed."""
    weights = dict(plan.category_weights)
    if plan.campaigns and not any(k in weights for k in CAMPAIGN_CATEGORIES):
        total = sum(weights.values())
        weights[CAMPAIGN_CATEGORIES[1]] = (
            total * DEFAULT_CAMPAIGN_SHARE / (1 - DEFAULT_CAMPAIGN_SHARE)
        )
    return weights


def campaign_shares(budget: int, room: dict[str, int]) -> dict[str, int]:
    """The campaign slots split between campaigns by the slots in their dates (largest
    remainder), each running campaign at least one while the budget lasts, none more than its
    dates hold."""
    running = {k: n for k, n in room.items() if n > 0}
    if not running or budget <= 0:
        return {k: 0 for k in room}
    shares = {k: 1 if i < budget else 0 for i, k in enumerate(sorted(running))}
    left = budget - sum(shares.values())
    total = sum(running.values())
    exact = {k: left * n / total for k, n in running.items()}
    for k, v in exact.items():
        shares[k] += math.floor(v)
    rest = budget - sum(shares.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - math.floor(exact[k])), k))[:rest]:
        shares[k] += 1
    return {k: min(shares.get(k, 0), n) for k, n in room.items()}


def blocked_days(plan: ContentPlan, found: list[Occasion]) -> set[dt.date]:
    blocked = set(plan.exclude_dates)
    if not plan.post_on_public_holidays:
        blocked |= {o.date for o in found if o.kind == "public_holiday"}
    return blocked


def _spread(days: list[dt.date], count: int) -> list[dt.date]:
    """`count` of `days` (in order), evenly spaced: the middle of each equal share."""
    if count >= len(days):
        return list(days)
    return [days[int((i + 0.5) * len(days) / count)] for i in range(count)]


def _dates_for(plan: ContentPlan, channel: str, count: int, blocked: set[dt.date]) -> list[dt.date]:
    """A channel's posting days. Weekdays the plan names for the channel are a rule: only those
    days are used, evenly over the month, and other days only when the named ones run out.
    Without named days, evenly spaced over the month, each moved to the nearest usual day."""
    spec = next(c for c in plan.channels if c.channel == channel)
    days = [d for d in plan.days if d not in blocked]
    if spec.preferred_days:
        wanted = {WEEKDAYS.index(d) for d in spec.preferred_days}
        named = [d for d in days if d.weekday() in wanted]
        picked = _spread(named, count)
        others = [d for d in days if d.weekday() not in wanted]
        return sorted(picked + _spread(others, count - len(picked)))
    rank = {WEEKDAYS.index(d): i for i, d in enumerate(DEFAULT_DAYS[channel])}
    chosen: list[dt.date] = []
    for i in range(count):
        ideal = plan.days[0] + dt.timedelta(days=(i + 0.5) * len(plan.days) / count)
        free = [d for d in days if d not in chosen]
        if not free:
            break
        # Close to the ideal day first; a usual weekday wins within three days of it.
        best = min(
            free,
            key=lambda d: (
                abs((d - ideal).days) // 4,
                rank.get(d.weekday(), 9),
                abs((d - ideal).days),
                d,
            ),
        )
        chosen.append(best)
    return sorted(chosen)


def _time_for(plan: ContentPlan, channel: str, best_hours: dict[str, str]) -> str:
    spec = next(c for c in plan.channels if c.channel == channel)
    return spec.time or best_hours.get(channel) or DEFAULT_TIMES[channel]


def make_slots(plan: ContentPlan, best_hours: dict[str, str] | None = None) -> list[Slot]:
    found = occasions(plan)
    blocked = blocked_days(plan, found)
    counts = post_counts(plan)
    raw: list[tuple[dt.date, str, str]] = []
    for channel, count in counts.items():
        time = _time_for(plan, channel, best_hours or {})
        raw += [(d, time, channel) for d in _dates_for(plan, channel, count, blocked)]
    raw.sort(key=lambda r: (r[0], r[1], r[2]))
    weights = with_campaign_share(plan)
    quota = category_counts(weights, len(raw))
    fixed: dict[int, tuple[str, str, str | None, str | None]] = {}

    # Campaigns first: each gets its share of the campaign slots (by how many slots fall in its
    # dates on its channels, at least one), spread evenly over its range.
    campaign_cat = next((k for k in CAMPAIGN_CATEGORIES if k in weights), None)
    if campaign_cat is not None and plan.campaigns:
        inside_of = {
            camp.name: [
                i
                for i, (d, _, ch) in enumerate(raw)
                if camp.start <= d <= camp.end and (not camp.channels or ch in camp.channels)
            ]
            for camp in plan.campaigns
        }
        running = sum(1 for v in inside_of.values() if v)
        quota[campaign_cat] = max(quota[campaign_cat], running)
        shares = campaign_shares(quota[campaign_cat], {k: len(v) for k, v in inside_of.items()})
        for camp in sorted(plan.campaigns, key=lambda c: (c.end - c.start, c.start)):
            inside = [i for i in inside_of[camp.name] if i not in fixed]
            take = min(shares.get(camp.name, 0), len(inside))
            for j in range(take):
                i = inside[int((j + 0.5) * len(inside) / take)]
                fixed[i] = (campaign_cat, camp.name, None, camp.name)
    # Occasions by priority, as many as the merkedag share holds (own dates always): the slot
    # on the day or the closest before it, never after. One a campaign already covers is skipped.
    merkedag = "merkedag" if "merkedag" in weights else None
    room = quota.get("merkedag", 0)
    for occ in sorted(found, key=lambda o: (o.priority, o.date)):
        if merkedag is None or (room <= 0 and occ.kind != "own"):
            continue
        window = [
            i for i, (d, _, _) in enumerate(raw) if 0 <= (occ.date - d).days <= OCCASION_LEAD_DAYS
        ]
        if any(_same_event(occ.name, fixed[i][3] or "") for i in window if i in fixed):
            continue
        candidates = [i for i in window if i not in fixed]
        if not candidates:
            continue
        i = min(candidates, key=lambda i: ((occ.date - raw[i][0]).days, raw[i][2]))
        fixed[i] = (merkedag, occ.name, occ.name, None)
        room -= 1
    used = Counter(cat for cat, *_ in fixed.values())
    remaining = {k: max(0, quota[k] - used[k]) for k in quota}
    slots: list[Slot] = []
    last_by_channel: dict[str, str] = {}
    last_overall = ""
    for i, (d, time, channel) in enumerate(raw):
        if i in fixed:
            cat, theme, occasion, campaign = fixed[i]
        else:
            active = [
                c for c in plan.campaigns
                if c.start <= d <= c.end and (not c.channels or channel in c.channels)
            ]  # fmt: skip
            # merkedag belongs to an occasion and kampanje to a running campaign, never alone.
            usable = [
                k for k in weights
                if k != "merkedag" and (k not in CAMPAIGN_CATEGORIES or active)
            ]  # fmt: skip
            open_cats = [k for k in usable if remaining.get(k, 0) > 0] or usable
            # The category furthest behind its share, not the one just used here or on this
            # channel; alphabetical on a tie, so the result is the same every time.
            fresh = [
                k for k in open_cats if k != last_overall and k != last_by_channel.get(channel)
            ] or open_cats
            cat = max(fresh, key=lambda k: (remaining.get(k, 0) / max(quota.get(k, 1), 1), k))
            remaining[cat] = remaining.get(cat, 0) - 1
            theme, occasion, campaign = THEMES_NB.get(cat, cat), None, None
            if cat in CAMPAIGN_CATEGORIES:
                theme = campaign = min(active, key=lambda c: (c.end, c.name)).name
        slots.append(
            Slot(
                date=d, time=time, channel=channel, category=cat, theme=theme,
                occasion=occasion, campaign=campaign,
            )
        )  # fmt: skip
        last_by_channel[channel] = cat
        last_overall = cat
    return slots
