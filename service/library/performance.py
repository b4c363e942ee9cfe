"""Per-post rates as the method defines them (domain.md §3)."""

from __future__ import annotations

from service.domain import Post


def engagement_rate(post: Post) -> float | None:
    """Engagements / reach; None when either is unknown or reach is zero."""
    m = post.metrics
    if m.engagements is None or not m.reach:
        return None
    return round(m.engagements / m.reach, 6)


def reach_rate(post: Post) -> float | None:
    """Reach / followers at posting; unknown followers give None, never a guess."""
    m = post.metrics
    if m.reach is None or not m.followers_at_posting:
        return None
    return round(m.reach / m.followers_at_posting, 6)
