"""A month batch of 60 drafts against a local OpenAI-compatible server with a fixed latency,
through the real job runner, pipeline and checks, at several concurrencies. Prints wall time
vs the ideal ceil(N/C) × latency × model calls per draft, as a ratio (1.0 = no overhead), and
where the rest goes, per draft: the local embedding model's time (the query that grounds the
draft in the library, and the near-copy comparison; summed over threads, it is CPU work that
parallel threads share on the same cores), the time spent in database statements, and how
many drafts were written twice as near-copies of an earlier one.

The server answers each call with a different text, as a model does for different briefs
(`--templated`: the old answers, one sentence with two words changed, which the near-copy check
rightly rewrites almost every time).
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, event

from service.container import Services
from service.library.demo import load_demo
from service.planning.models import ContentPlan
from service.planning.slots import make_slots
from service.providers.embeddings import LocalE5Embedder
from service.settings import Settings
from service.storage.repositories import JobRepo

LATENCY = 0.3
CONCURRENCY = (1, 4, 8)
calls = count()
PLAN = ContentPlan.model_validate(
    {
        "organisation": "Eplehagen Sideri",
        "target_month": "2026-11",  # 30 days, no public holiday: 2 × 30 = 60 slots
        "channels": [
            {"channel": "facebook", "posts_per_week": 7},
            {"channel": "instagram", "posts_per_week": 7},
        ],
        "category_weights": {"produkt": 0.4, "ansatte": 0.3, "bak kulissene": 0.3},
    }
)


# Three sentences per answer, from lists of 11, 13 and 17 (prime lengths): two answers of the
# first 143 calls share at most one sentence, as two posts of one organisation may.
OPENINGS = [
    "Denne uka står eplene i fokus hos oss i Ulvik.",
    "Endelig er det fredag, og låven er pyntet til helg.",
    "Vi har fått besøk av en skoleklasse fra Odda.",
    "Regnet har stilnet, og hagen dufter av høst igjen.",
    "Ny etikett på flaskene: tegnet av en av de ansatte.",
    "Kjelleren er full av tønner som venter på tapping.",
    "I dag fyller Eplehagen femten år, og vi feirer stille.",
    "Marit har plukket epler her siden hun var tolv.",
    "Frosten kom tidlig i år, men trærne klarte seg fint.",
    "Bak kulissene: slik vasker vi pressene etter en lang dag.",
    "Sideren fra 2024 fikk sølv i Hardanger-konkurransen.",
]
MIDDLES = [
    "Vi presser saften samme dag som eplene plukkes.",
    "Gravensteinen gir en frisk og litt syrlig smak.",
    "Alle tønnene er laget av eik fra Voss.",
    "Praktikanten vår har lært seg å blande sin egen cuvée.",
    "Hver flaske merkes for hånd før den forlater gården.",
    "Biene fra nabogården har gjort en stor jobb i vår.",
    "Vi prøver ut en ny gjær som gir mer fruktighet.",
    "Tre generasjoner har stelt disse trærne.",
    "Mosten lagres kaldt i fire uker før den filtreres.",
    "Kunder spør ofte om hvordan sideren passer til mat.",
    "Vi har plantet tjue nye trær langs fjorden.",
    "Etter lunsj er det alltid en runde kortspill på kontoret.",
    "Den tørre sideren selger best til jul.",
]
CLOSINGS = [
    "Kom innom gårdsbutikken på lørdag!",
    "Fortell oss gjerne hvilken smak du liker best.",
    "Følg med her for flere bilder fra hagen.",
    "Takk til alle som har handlet hos oss i år.",
    "Vi sees på smakingen neste helg.",
    "Del gjerne med en venn som elsker epler.",
    "God helg fra alle oss på gården.",
    "Husk at butikken har åpent hver dag i høstferien.",
    "Skriv i kommentarfeltet om du vil vite mer.",
    "Neste uke viser vi deg pressehuset.",
    "Velkommen til oss når du er i Hardanger.",
    "Vi gleder oss til å se deg.",
    "Ha en fin uke, hilsen oss i Eplehagen.",
    "Si gjerne fra hva du vil se mer av.",
    "Bestill gjerne bord til cideraften i god tid.",
    "Hilsen Marit, Jon og resten av gjengen.",
    "Skål for høsten!",
]
TEMPLATED = "--templated" in sys.argv


def answer(n: int) -> str:
    if TEMPLATED:
        words = ["epler", "sider", "most", "blomster", "høst", "låven", "trærne", "smaking"]
        return (
            f"Denne uka handler om {words[n % 8]} og {words[(n // 8) % 8]} hos oss i Ulvik. "
            f"Kom innom gårdsbutikken og hils på folka som lager alt, utkast nummer {n}."
        )
    return " ".join((OPENINGS[n % 11], MIDDLES[(5 * n + 3) % 13], CLOSINGS[(7 * n + 1) % 17]))


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(LATENCY)
        n = next(calls)
        name = body["tools"][0]["function"]["name"]
        text = answer(n)
        reply = {
            "id": f"c{n}",
            "object": "chat.completion",
            "created": 0,
            "model": "latency-server",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": f"t{n}",
                                "type": "function",
                                "function": {"name": name, "arguments": json.dumps({"text": text})},
                            }
                        ],
                    },
                }
            ],
            "usage": {"prompt_tokens": 600, "completion_tokens": 60, "total_tokens": 660},
        }
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


class TimedEmbedder(LocalE5Embedder):
    """The same model, with the seconds spent in it counted: queries (grounding) and documents
    (the near-copy comparison) apart."""

    spent: ClassVar[dict[str, float]] = {"query": 0.0, "documents": 0.0}
    _lock = threading.Lock()

    def _count(self, what: str, started: float) -> None:
        with self._lock:
            TimedEmbedder.spent[what] += time.perf_counter() - started

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        started = time.perf_counter()
        try:
            return super().embed_documents(texts)
        finally:
            self._count("documents", started)

    def embed_query(self, text: str) -> list[float]:
        started = time.perf_counter()
        try:
            return super().embed_query(text)
        finally:
            self._count("query", started)


class StatementClock:
    """Seconds spent in database statements and commits, summed over threads."""

    def __init__(self, engine: Engine) -> None:
        self.spent = 0.0
        self._lock = threading.Lock()
        self._started: dict[int, float] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args: Any) -> None:
        self._started[threading.get_ident()] = time.perf_counter()

    def _after(self, *_args: Any) -> None:
        started = self._started.pop(threading.get_ident(), None)
        if started is not None:
            with self._lock:
                self.spent += time.perf_counter() - started


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    embedder = TimedEmbedder(threads=2)
    slots = make_slots(PLAN)
    style = "templated" if TEMPLATED else "distinct"
    print(f"{len(slots)} drafts, server latency {LATENCY * 1000:.0f} ms per call, {style} answers")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at start {load} on {os.cpu_count()} cores; per draft, outside the model:")
    for c in CONCURRENCY:
        settings = Settings(
            data_dir=Path(tempfile.mkdtemp()),
            llm="openai",
            embeddings="local",
            openai_base_url=url,
            openai_api_key="bench",
            openai_model="latency-server",
            job_concurrency=c,
        )
        services = Services(settings, embedder=embedder)
        load_demo(services.db, services.vectors)
        before = next(calls)
        TimedEmbedder.spent = {"query": 0.0, "documents": 0.0}
        clock = StatementClock(services.db.engine)
        job = services.planner.generate("demo", PLAN, slots, background=False)
        started = time.perf_counter()
        done = services.jobs.run(job.id)
        wall = time.perf_counter() - started
        per_draft = (next(calls) - before - 1) / len(slots)
        with services.db.session() as s:
            items = JobRepo(s).items(job.id)
        twice = sum(1 for i in items if i.result and i.result.get("regenerated"))
        ideal = math.ceil(len(slots) / c) * LATENCY * per_draft
        n = len(slots)
        print(
            f"  concurrency {c}: {wall:6.2f} s wall, ideal {ideal:5.2f} s "
            f"({per_draft:.2f} calls/draft), ratio {wall / ideal:.2f}, "
            f"{done.done} done / {done.failed} failed, {twice} rewritten as near-copies; "
            f"embedding {TimedEmbedder.spent['query'] / n * 1000:.0f} ms query + "
            f"{TimedEmbedder.spent['documents'] / n * 1000:.0f} ms documents, "
            f"database {clock.spent / n * 1000:.0f} ms"
        )
        services.close()
    server.shutdown()


if __name__ == "__main__":
    main()
