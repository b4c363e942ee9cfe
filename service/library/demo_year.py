"""A year of the demo organisation's posts and follower counts, composed from the material in
service/data/demo_year.yaml with a fixed seed.

Twelve posts say nothing: every analysis would answer "too few posts yet". A year on three
channels, where category, format and posting hour move reach and engagement the way the
material says, lets every tab show something real on the first start. The same seed gives the
same year on every machine, so the demo can be tested.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict

from service.domain import Channel, FollowerCount, Post
from service.domain.post import PostMetrics

YEAR_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_year.yaml"
_TZ = ZoneInfo("Europe/Oslo")


class ChannelMaterial(BaseModel):
    model_config = ConfigDict(extra="forbid")

    posts_per_week: float
    followers: tuple[int, int]
    reach_rate: float
    engagement_rate: float
    formats: dict[str, float]


class DemoYear(BaseModel):
    posts: list[Post]
    followers: list[FollowerCount]


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    names = list(weights)
    return rng.choices(names, weights=[weights[n] for n in names], k=1)[0]


def _followers_on(material: ChannelMaterial, day: dt.date, start: dt.date, end: dt.date) -> int:
    share = (day - start).days / max(1, (end - start).days)
    first, last = material.followers
    return round(first + (last - first) * share)


class _Composer:
    def __init__(self, raw: dict[str, Any], rng: random.Random) -> None:
        self.raw = raw
        self.rng = rng

    def pick(self, key: str) -> Any:
        return self.rng.choice(self.raw[key])

    def fill(self, template: str, day: dt.date) -> str:
        person: dict[str, Any] = self.pick("people")
        product: dict[str, Any] = self.pick("products")
        season: dict[str, str] = self.raw["seasons"][str(day.month)]
        first = str(person["name"])
        pron = str(person["pron"])
        old_year = self.rng.choice([1958, 1962, 1967, 1974, 1981, 1988])
        values = {
            "person": first,
            "first": first,
            "pron": pron,
            "Pron": pron,
            "obj": "henne" if pron == "Hun" else "ham",
            "role": person["role"],
            "years": person["years"],
            "Pron_detail": f"{pron} {person['detail']}.",
            "detail_lc": person["detail"],
            "product": product["name"],
            "product_cap": str(product["name"]).capitalize(),
            "price": product["price"],
            "variety": self.pick("varieties"),
            "place": self.pick("places"),
            "family": self.pick("families"),
            "town": self.pick("towns"),
            "food": self.pick("foods"),
            "month_name": self.raw["month_names"][day.month - 1],
            "Scene": season["scene"].capitalize(),
            "scene_lc": season["scene"],
            "Weather": season["weather"].capitalize(),
            "work": season["work"].capitalize(),
            "work_lc": season["work"],
            "kilos": self.rng.choice([800, 1200, 1600, 2000, 2400, 3100]),
            "bottles": self.rng.choice([18000, 24000, 32000, 40000]),
            "visitors": self.rng.choice([300, 450, 600, 800, 1100]),
            "pct": self.rng.choice([15, 20, 25, 30]),
            "seasonal": self.rng.choice([4, 6, 8]),
            "old_year": old_year,
            "ago": day.year - old_year,
            "since_start": day.year - 1962,
        }
        return template.format(**values)


def compose_year(path: Path = YEAR_FILE, *, workspace: str = "demo") -> DemoYear:
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    rng = random.Random(int(raw["seed"]))
    start = dt.date.fromisoformat(raw["start"])
    end = dt.date.fromisoformat(raw["end"])
    composer = _Composer(raw, rng)
    effects: dict[str, Any] = raw["effects"]
    posts: list[Post] = []
    followers: list[FollowerCount] = []
    for name, spec in raw["channels"].items():
        channel = Channel(name)
        material = ChannelMaterial.model_validate(spec)
        templates: dict[str, Sequence[str]] = (
            raw["linkedin_templates"] if channel is Channel.linkedin else raw["templates"]
        )
        mix: dict[str, float] = raw["category_mix"][name]
        used: set[str] = set()
        day = start
        while day <= end:
            followers.append(
                FollowerCount(
                    channel=channel,
                    date=day,
                    followers=_followers_on(material, day, start, end),
                )
            )
            day += dt.timedelta(days=1)
        days = (end - start).days + 1
        count = round(material.posts_per_week * days / 7)
        for i in range(count):
            # Evenly over the year, a day or two either way, as a person posts.
            offset = round(i * days / count) + rng.randint(-1, 1)
            day = min(end, max(start, start + dt.timedelta(days=offset)))
            category = _weighted(rng, mix)
            text = ""
            for _ in range(8):  # a text written once already is not written again
                text = composer.fill(rng.choice(list(templates[category])), day)
                if text not in used:
                    break
            used.add(text)
            if channel is Channel.instagram and "#" not in text:
                tags = rng.sample(raw["hashtags"], k=rng.randint(2, 4))
                text = f"{text} {' '.join(tags)}"
            fmt = _weighted(rng, material.formats)
            hour = rng.choice(raw["hours"][name])
            published = dt.datetime.combine(day, dt.time(hour, rng.choice([0, 5, 15, 30, 45])))
            posts.append(
                Post(
                    id=f"demo-{name[:2]}-{day:%Y%m%d}-{i:03d}",
                    workspace=workspace,
                    channel=channel,
                    published_at=published.replace(tzinfo=_TZ),
                    text=text,
                    format=fmt,
                    category=category,
                    category_locked=True,
                    metrics=_metrics(
                        rng,
                        material,
                        _followers_on(material, day, start, end),
                        effects["category"][category],
                        effects["format"][fmt],
                        float(effects["hour"][str(hour)]),
                        saves=channel is Channel.instagram,
                    ),
                )
            )
    return DemoYear(posts=posts, followers=followers)


def _metrics(
    rng: random.Random,
    material: ChannelMaterial,
    followers: int,
    category: Sequence[float],
    fmt: Sequence[float],
    hour: float,
    *,
    saves: bool,
) -> PostMetrics:
    # Log-normal noise: most posts near the usual, a few far above it, as feeds behave.
    noise = math.exp(rng.gauss(0, 0.35))
    reach = max(30, round(followers * material.reach_rate * category[0] * fmt[0] * hour * noise))
    rate = material.engagement_rate * category[1] * fmt[1] * math.exp(rng.gauss(0, 0.25))
    engagements = max(1, round(reach * rate))
    comments = round(engagements * rng.uniform(0.06, 0.14))
    shares = round(engagements * rng.uniform(0.03, 0.1))
    saved = round(engagements * rng.uniform(0.04, 0.12)) if saves else None
    reactions = max(0, engagements - comments - shares - (saved or 0))
    return PostMetrics(
        followers_at_posting=followers,
        reach=reach,
        reactions=reactions,
        comments=comments,
        shares=shares,
        saves=saved,
        engagements=engagements,
    )
