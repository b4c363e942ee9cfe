"""The learning round trip over HTTP: variants → an editor's edit → approve ×3 → a proposed rule
with its evidence → accept → the next variant already complies; and manual rules, versions,
deletion remembered, the brand voice."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.container import Services
from service.library.demo import load_demo
from service.providers.llm_fake import FakeLLM
from tests.api_client import owner_client

WRITTEN = (
    "Kjempegod vintersider med kanel og nellik. 229,- flaska i gårdsbutikken.\nSe eplehagen.no."
)
# The pasted source the model rewrites: WRITTEN is an adaptation of it, not a copy.
SOURCE = (
    "Nå er vintersideren vår med kanel og nellik her! Flaska koster 229,- i gårdsbutikken, "
    "og du finner den på eplehagen.no."
)
BASE = "/v1/workspaces/demo"


@pytest.fixture
def client(services: Services, fake_llm: FakeLLM) -> Iterator[TestClient]:
    load_demo(services.db, services.vectors)
    fake_llm.default = json.dumps({"text": WRITTEN}, ensure_ascii=False)
    with owner_client(create_app(services=services, with_ui=False), services) as c:
        yield c


def variant(client: TestClient) -> dict[str, object]:
    r = client.post(f"{BASE}/variants", json={"text": SOURCE, "surfaces": ["facebook_post"]})
    assert r.status_code == 200, r.text
    v: dict[str, object] = r.json()["variants"][0]
    return v


def approve_edited(client: TestClient, times: int) -> list[str]:
    ids = []
    for _ in range(times):
        v = variant(client)
        edit = str(v["text"]).replace("Kjempegod", "God")
        r = client.patch(
            f"{BASE}/drafts/{v['draft_id']}", json={"status": "approved", "edited_text": edit}
        )
        assert r.status_code == 200, r.text
        ids.append(str(v["draft_id"]))
    return ids


def test_three_edited_approvals_propose_a_rule_that_once_accepted_the_next_variant_obeys(
    client: TestClient,
) -> None:
    approve_edited(client, 2)
    assert client.get(f"{BASE}/style-rules").json() == []  # below the threshold: no rule
    ids = approve_edited(client, 1)
    rules = client.get(f"{BASE}/style-rules", params={"lang": "en"}).json()
    [rule] = rules
    assert rule["kind"] == "replacement" and rule["params"] == {"old": "kjempegod", "new": "god"}
    assert rule["status"] == "proposed" and rule["enforced"] and rule["support"] == 3
    assert rule["text"] == "Write “god”, not “kjempegod”"
    assert ids[0] in {e["draft_id"] for e in rule["evidence"]}
    assert all(
        "Kjempegod" in e["before"] and "Kjempegod" not in e["after"] for e in rule["evidence"]
    )
    # A proposal is not enforced until a person accepts it.
    assert "Kjempegod" in str(variant(client)["text"])
    r = client.patch(f"{BASE}/style-rules/{rule['id']}", json={"enabled": True})
    assert r.status_code == 200 and r.json()["status"] == "on" and r.json()["version"] == 2
    v = variant(client)
    assert str(v["text"]).startswith("God vintersider") and v["passed"] and v["rule_repaired"]
    history = client.get(f"{BASE}/style-rules/{rule['id']}/history").json()
    assert [(h["version"], h["status"]) for h in history] == [(1, "proposed")]


def test_a_manual_rule_is_created_edited_switched_off_and_deleted_for_good(
    client: TestClient,
) -> None:
    r = client.post(
        f"{BASE}/style-rules",
        json={"kind": "forbidden_phrase", "params": {"phrase": "billig"}},
    )
    assert r.status_code == 201, r.text
    rule = r.json()
    assert (
        rule["source"] == "manual"
        and rule["status"] == "on"
        and rule["text"] == ("Ikke skriv «billig»")
    )
    r = client.patch(
        f"{BASE}/style-rules/{rule['id']}",
        json={"params": {"phrase": "kjempegod"}, "scope": "channel", "scope_value": "facebook"},
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    assert "kjempegod" not in str(variant(client)["text"]).lower()
    r = client.patch(f"{BASE}/style-rules/{rule['id']}", json={"enabled": False})
    assert r.json()["status"] == "off"
    assert "Kjempegod" in str(variant(client)["text"])
    assert client.delete(f"{BASE}/style-rules/{rule['id']}").status_code == 204
    assert client.get(f"{BASE}/style-rules").json() == []
    assert client.delete(f"{BASE}/style-rules/{rule['id']}").status_code == 404


def test_a_rule_with_missing_or_wrong_params_is_a_422_naming_it(client: TestClient) -> None:
    r = client.post(f"{BASE}/style-rules", json={"kind": "emoji_cap", "params": {}})
    assert r.status_code == 422 and "max" in r.json()["error"]["message"]
    r = client.post(
        f"{BASE}/style-rules",
        json={"kind": "emoji_cap", "params": {"max": 1}, "scope": "channel"},
    )
    assert r.status_code == 422 and "scope_value" in r.json()["error"]["message"]


def test_a_deleted_proposal_is_not_proposed_again(client: TestClient) -> None:
    approve_edited(client, 3)
    [rule] = client.get(f"{BASE}/style-rules").json()
    assert client.delete(f"{BASE}/style-rules/{rule['id']}").status_code == 204
    approve_edited(client, 2)
    assert client.get(f"{BASE}/style-rules").json() == []


def test_the_brand_voice_is_proposed_from_the_best_posts_then_saved(client: TestClient) -> None:
    voice = client.get(f"{BASE}/brand-voice").json()
    assert voice["stats"]["posts"] >= 1 and voice["written_standard"] in ("bokmål", "nynorsk")
    voice |= {"tone_words": ["lun", "lokal"], "words_to_avoid": ["billig"], "address": "dere"}
    assert client.put(f"{BASE}/brand-voice", json=voice).status_code == 200
    assert client.get(f"{BASE}/brand-voice").json()["tone_words"] == ["lun", "lokal"]
    variant(client)
    # The saved voice is what the next prompt carries.
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    llm = services.llm
    assert isinstance(llm, FakeLLM)
    prompt = "\n".join(m.content for m in llm.requests[-1])
    assert "Tone: lun, lokal" in prompt and "Unngå: billig" in prompt


def test_published_reuses_are_linked_at_import_and_measured_against_source_and_channel(
    client: TestClient, services: Services
) -> None:
    """A constructed history: four approved drafts, later imported back (through the import
    API) as published posts with known numbers: three edited again on the way, one rewritten
    by hand whose link kept the export's utm_content; one unrelated post. The import's end
    links every reuse and nothing else (the report only reads the stored links), and the
    report's means are the posts' own engagement rates. Posts stored without an import are
    seen once the report is asked to relink."""
    import csv
    import datetime as dt
    import io

    from service.domain import Channel, Post, PostMetrics
    from service.storage.repositories import PostRepo

    edits = [
        "Kveldsmeny med torsk, poteter og smør fra gården i dag.",
        "Quiz på torsdag klokka sju, premie til beste lag.",
        "Ny vintersider på hylla i gårdsbutikken denne uka.",
        "Julemarked i låven søndag med lokale produsenter.",
    ]
    drafts = []
    for edit in edits:
        v = variant(client)
        r = client.patch(
            f"{BASE}/drafts/{v['draft_id']}", json={"status": "approved", "edited_text": edit}
        )
        assert r.status_code == 200
        drafts.append(str(v["draft_id"]))
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    rows = [
        [
            f"pub-{i}",
            "facebook",
            later,
            edit + (" #eplehagen" if i == 0 else ""),
            "",
            1000,
            50 + 10 * i,
        ]
        for i, edit in enumerate(edits[:3])
    ]
    rows.append(
        [
            "pub-3",
            "facebook",
            later,
            "Velkommen til oss på søndag: se eplehagen.no/jul?utm_source=facebook"
            f"&utm_medium=social&utm_campaign=2026-12&utm_content={drafts[3]} for alt om dagen!",
            "",
            1000,
            80,
        ]
    )
    rows.append(
        [
            "pub-other",
            "facebook",
            later,
            "Stengt i morgen på grunn av strømbrudd i hele bygda.",
            "",
            1000,
            20,
        ]
    )
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "channel", "published_at", "text", "permalink", "reach", "engagements"])
    w.writerows(rows)
    r = client.post(
        f"{BASE}/imports", files=[("files", ("published.csv", out.getvalue().encode()))]
    )
    assert r.status_code == 200, r.text
    assert r.json()["files"][0]["imported"] == 5, r.text

    report = client.get(f"{BASE}/reuse").json()
    assert {(lk["draft_id"], lk["post_id"], lk["method"]) for lk in report["links"]} == {
        *((d, f"pub-{i}", "text") for i, d in enumerate(drafts[:3])),
        (drafts[3], "pub-3", "ref"),
    }
    [facebook] = report["channels"]
    assert facebook["reused"]["n"] == 4
    assert facebook["reused"]["mean"] == pytest.approx((0.05 + 0.06 + 0.07 + 0.08) / 4)
    assert facebook["baseline"]["n"] >= 1 and facebook["lift_vs_baseline"] is not None

    # Stored behind the import's back (data from before links were stored): not linked until
    # the report is asked to link again.
    v = variant(client)
    text = "Eplekake med vaniljesaus hver fredag i kafeen på gården."
    client.patch(f"{BASE}/drafts/{v['draft_id']}", json={"status": "approved", "edited_text": text})
    with services.db.session() as s:
        PostRepo(s).upsert_many(
            [
                Post(
                    id="pub-old",
                    workspace="demo",
                    channel=Channel("facebook"),
                    published_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
                    text=text,
                    metrics=PostMetrics(reach=1000, engagements=40),
                )
            ]
        )
    assert len(client.get(f"{BASE}/reuse").json()["links"]) == 4
    again = client.get(f"{BASE}/reuse", params={"relink": "true"}).json()
    assert (str(v["draft_id"]), "pub-old") in {
        (lk["draft_id"], lk["post_id"]) for lk in again["links"]
    }
    assert len(client.get(f"{BASE}/reuse").json()["links"]) == 5
