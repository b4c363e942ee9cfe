"""A month batch of 60 drafts against a local OpenAI-compatible server with a fixed latency,
through the real job runner, pipeline and checks, at several concurrencies. Prints wall time
vs the ideal ceil(N/C) × latency × model calls per draft, as a ratio (1.0 = no overhead), and
where the rest goes: the local embedding model's time (summed over threads; it is CPU work
that parallel threads share on the same cores) and how many drafts were written twice as
near-copies of an earlier one (this server's answers are templated, so most are)."""

from __future__ import annotations

import json
import math
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(LATENCY)
        n = next(calls)
        name = body["tools"][0]["function"]["name"]
        words = ["epler", "sider", "most", "blomster", "høst", "låven", "trærne", "smaking"]
        text = (
            f"Denne uka handler om {words[n % 8]} og {words[(n // 8) % 8]} hos oss i Ulvik. "
            f"Kom innom gårdsbutikken og hils på folka som lager alt, utkast nummer {n}."
        )
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
    """The same model, with the seconds spent in it counted."""

    spent = 0.0
    _lock = threading.Lock()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        started = time.perf_counter()
        try:
            return super().embed_documents(texts)
        finally:
            with self._lock:
                TimedEmbedder.spent += time.perf_counter() - started

    def embed_query(self, text: str) -> list[float]:
        started = time.perf_counter()
        try:
            return super().embed_query(text)
        finally:
            with self._lock:
                TimedEmbedder.spent += time.perf_counter() - started


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    embedder = TimedEmbedder(threads=2)
    slots = make_slots(PLAN)
    print(f"{len(slots)} drafts, server latency {LATENCY * 1000:.0f} ms per call")
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
        TimedEmbedder.spent = 0.0
        job = services.planner.generate("demo", PLAN, slots, background=False)
        started = time.perf_counter()
        done = services.jobs.run(job.id)
        wall = time.perf_counter() - started
        per_draft = (next(calls) - before - 1) / len(slots)
        embedding = TimedEmbedder.spent
        with services.db.session() as s:
            items = JobRepo(s).items(job.id)
        twice = sum(1 for i in items if i.result and i.result.get("regenerated"))
        ideal = math.ceil(len(slots) / c) * LATENCY * per_draft
        print(
            f"  concurrency {c}: {wall:6.2f} s wall, ideal {ideal:5.2f} s "
            f"({per_draft:.2f} calls/draft), ratio {wall / ideal:.2f}, "
            f"{done.done} done / {done.failed} failed; embedding {embedding:5.1f} s, "
            f"{twice} drafts rewritten as near-copies"
        )
        services.close()
    server.shutdown()


if __name__ == "__main__":
    main()
