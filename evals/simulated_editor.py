"""Simulated editor: scripted editing policies are applied to first drafts, the product learns
rules from the edits, and other outputs are checked for compliance with learning off and on.

Standalone: `python -m evals.simulated_editor [outputs.jsonl]` prints the table. The functions are
what `gjenbruk eval --simulate-editor` wires in.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from service.learning import text as tx
from service.learning.enforce import apply_rules, phrase_re
from service.learning.mining import EditPair, MiningConfig, mine_rules
from service.learning.rules import StyleRule, applicable

DEFAULT_RECORDING = Path(__file__).parent / "recordings" / "gemma3-270m-dev30" / "outputs.jsonl"
# The field that holds a surface's prose; surfaces without one (ad headline lists) are left out.
PROSE_FIELDS = ("text", "primary_text", "body")


class Output(BaseModel):
    case_id: str
    surface: str
    text: str

    @property
    def workspace(self) -> str:
        return self.case_id.rsplit("-", 1)[0]

    @property
    def channel(self) -> str:
        return self.surface.split("_", 1)[0]


@dataclass(frozen=True)
class Policy:
    name: str
    edit: Callable[[str], str]
    complies: Callable[[str], bool]


SIGN_OFF = "Vel møtt!"
OLD_WORD, NEW_WORD = "gavekort", "presentkort"


def _cap_tags(text: str, keep: int = 2) -> str:
    seen = 0

    def drop(m: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        return m.group(0) if seen <= keep else ""

    return tx.squash(tx.HASHTAG.sub(drop, text))


def _sign(text: str) -> str:
    if tx.norm_phrase(tx.last_line(text)).endswith(tx.norm_phrase(SIGN_OFF)):
        return text
    body, tail = tx.split_trailing_hashtags(text)
    body = f"{body}\n{SIGN_OFF}"
    return f"{body}\n\n{tail}" if tail else body


def _replace(text: str) -> str:
    def swap(m: re.Match[str]) -> str:
        return NEW_WORD.capitalize() if m.group(0)[0].isupper() else NEW_WORD

    return phrase_re(OLD_WORD).sub(swap, text)


POLICIES: tuple[Policy, ...] = (
    Policy(
        "remove all emojis", lambda t: tx.squash(tx.EMOJI.sub("", t)), lambda t: not tx.emojis(t)
    ),
    Policy(
        f"replace '{OLD_WORD}' -> '{NEW_WORD}'",
        _replace,
        lambda t: not phrase_re(OLD_WORD).search(t),
    ),
    Policy("cap hashtags at 2", _cap_tags, lambda t: len(tx.hashtags(t)) <= 2),
    Policy(
        f"add sign-off '{SIGN_OFF}'",
        _sign,
        lambda t: tx.norm_phrase(tx.last_line(t)).endswith(tx.norm_phrase(SIGN_OFF)),
    ),
)


def load_outputs(path: Path) -> list[Output]:
    out: list[Output] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        parts = rec.get("parts") or {}
        field = next((f for f in PROSE_FIELDS if isinstance(parts.get(f), str)), None)
        if field and parts[field].strip() and not rec.get("error"):
            out.append(Output(case_id=rec["case_id"], surface=rec["surface"], text=parts[field]))
    return out


def split(outputs: Sequence[Output]) -> tuple[list[Output], list[Output]]:
    """Odd-numbered cases are edited and learnt from; even-numbered ones are the new outputs."""

    def odd(o: Output) -> bool:
        tail = o.case_id.rsplit("-", 1)[-1]
        return tail.isdigit() and int(tail) % 2 == 1

    return [o for o in outputs if odd(o)], [o for o in outputs if not odd(o)]


def learn(policy: Policy, drafts: Sequence[Output], config: MiningConfig) -> list[StyleRule]:
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    pairs = [
        EditPair(
            draft_id=f"{o.case_id}/{o.surface}",
            channel=o.channel,
            surface=o.surface,
            generated=o.text,
            edited=policy.edit(o.text),
            approved_at=t0 + dt.timedelta(minutes=i),
        )
        for i, o in enumerate(drafts)
    ]
    return mine_rules(drafts[0].workspace if drafts else "sim", pairs, config)


class PolicyResult(BaseModel):
    policy: str
    edited: int
    rules: list[str]
    n: int
    before: float
    after: float
    changed_by_enforcement: int


def simulate(
    outputs: Sequence[Output],
    policies: Sequence[Policy] = POLICIES,
    config: MiningConfig | None = None,
) -> list[PolicyResult]:
    cfg = config or MiningConfig()
    drafts, fresh = split(outputs)
    results: list[PolicyResult] = []
    orgs = sorted({o.workspace for o in outputs})
    for policy in policies:
        # Each workspace learns from its own editors only, as in the product.
        learned = {w: learn(policy, [o for o in drafts if o.workspace == w], cfg) for w in orgs}
        rules = [r for w in orgs for r in learned[w]]
        enforced = [
            apply_rules(
                o.text, applicable(learned[o.workspace], channel=o.channel, surface=o.surface)
            )
            for o in fresh
        ]
        n = len(fresh)
        results.append(
            PolicyResult(
                policy=policy.name,
                edited=sum(1 for o in drafts if policy.edit(o.text) != o.text),
                rules=sorted(
                    {
                        f"{r.workspace}: {r.kind.value}{r.params}@{r.scope_value or '*'}"
                        for r in rules
                    }
                ),
                n=n,
                before=sum(policy.complies(o.text) for o in fresh) / n if n else 0.0,
                after=sum(policy.complies(t) for t in enforced) / n if n else 0.0,
                changed_by_enforcement=sum(
                    1 for o, t in zip(fresh, enforced, strict=True) if o.text != t
                ),
            )
        )
    return results


def table(results: Sequence[PolicyResult]) -> str:
    head = (
        "| policy | drafts edited | rules learned | new outputs "
        "| comply, learning off | comply, learning on | changed |"
    )
    lines = [head, "|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r.policy} | {r.edited} | {len(r.rules)} | {r.n} | {r.before:.0%} | {r.after:.0%} "
            f"| {r.changed_by_enforcement} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_RECORDING
    if not path.is_file():
        print(f"no recording at {path}", file=sys.stderr)
        return 2
    results = simulate(load_outputs(path))
    print(table(results))
    for r in results:
        print(f"{r.policy}: {', '.join(r.rules) or 'no rule'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
