"""Checking one variant against a workspace of 100 vs 10 000 posts: the check's time should not
grow with the library (issue 13: ratio ≤ 1.2). Prints the per-attempt check time (all checks
and the rule repair of one variant), the per-request preparation of the allowed fact keys, and
for contrast the old way (every post re-scanned for facts on every check).

In memory, no model: the variant and the posts are built here, so only the checking is timed.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.generation.checks import CONTACT_KINDS, CheckContext, run_checks
from service.generation.facts import (
    STRICT_KINDS,
    FactKind,
    allowed_keys,
    extract_facts,
    invented_facts,
    text_keys,
)
from service.generation.repair import deterministic_repair
from service.generation.surfaces import load_surfaces

LIMIT = 1.2
SIZES = (100, 10_000)
REPEAT = 200
SOURCE = (
    "Årets første flasker med tørr sider er tappet! Prøvesmaking i gårdsbutikken lørdag "
    "11. april kl. 11–16. En flaske koster 189,-. Bestill på www.gardsider.no eller ring "
    "41 23 45 67."
)
VARIANT = {
    "text": "Nytappet tørr sider! Prøvesmaking lørdag 11. april kl. 11–16. Flaska koster 189,-. "
    "Bestill på www.gardsider.no eller ring 41 23 45 67. #sider"
}
rng = random.Random(13)


def posts(n: int) -> list[str]:
    """Posts of a busy organisation: prices, dates, opening hours, links and phones vary."""
    out = []
    for i in range(n):
        out.append(
            f"Innlegg {i}: nytt i butikken fra {rng.randint(1, 28)}. mai, åpent kl. "
            f"{rng.randint(8, 12)}–{rng.randint(15, 20)}. Pris {rng.randint(49, 999)},-. "
            f"Les mer på www.gardsider.no/nytt/{i} eller ring 9{rng.randint(1000000, 9999999)}."
        )
    return out


def timed(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(n: int) -> tuple[float, float, float, float]:
    texts = posts(n)
    surface = load_surfaces().get("facebook_post")
    required = [f for f in extract_facts(SOURCE) if f.kind in STRICT_KINDS]
    start = time.perf_counter()
    keys = allowed_keys(texts)  # first request of the workspace: every post scanned once
    cold_ms = (time.perf_counter() - start) * 1000
    warm_ms = timed(lambda: allowed_keys(texts), 5)  # later requests: remembered per text

    def check() -> None:
        ctx = CheckContext(
            surface=surface, language="nb", required=required, source_text=SOURCE,
            context_keys=keys,
        )  # fmt: skip
        run_checks(ctx, VARIANT)
        deterministic_repair(ctx, VARIANT)

    check_ms = timed(check, REPEAT)

    def old_way() -> None:
        text_keys.cache_clear()  # the old code scanned every post on every check
        allowed = [SOURCE, *texts]
        invented_facts(VARIANT["text"], allowed, kinds=CONTACT_KINDS | {FactKind.url})

    old_ms = timed(old_way, 3 if n > 1000 else 20)
    allowed_keys(texts)  # warm the text cache again for whoever runs next
    return check_ms, cold_ms, warm_ms, old_ms


def main() -> None:
    results = {n: measure(n) for n in SIZES}
    print(f"{'posts':>8}{'check ms':>11}{'prep cold ms':>14}{'prep warm ms':>14}{'old ms':>11}")
    for n, (check, cold, warm, old) in results.items():
        print(f"{n:>8,}{check:>11.2f}{cold:>14.1f}{warm:>14.2f}{old:>11.1f}")
    small, large = results[SIZES[0]], results[SIZES[1]]
    ratio = large[0] / small[0]
    print(
        f"\ncheck time {SIZES[1]:,} / {SIZES[0]:,} posts: {ratio:.2f} "
        f"(limit {LIMIT}: {'ok' if ratio <= LIMIT else 'OVER'}; {ratio / LIMIT:.2f} of the limit)"
    )
    print(
        f"old way (rescan every post per check): {large[3] / small[3]:.1f}× "
        f"slower at {SIZES[1]:,} posts; the allowed keys are now computed once per request "
        f"({large[2]:.1f} ms warm, {large[1]:.0f} ms the first time)"
    )


if __name__ == "__main__":
    main()
