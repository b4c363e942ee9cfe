"""Client review links (scope, verdicts, expiry, revocation), the audit log and the limits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from service.auth.dependencies import CSRF_HEADER
from service.auth.limits import RequestLimiter, charge_model_calls, check_concurrent_jobs
from service.domain import Draft
from service.errors import Invalid, LimitExceeded
from service.storage.auth_tables import ReviewLinkRow
from service.storage.repositories import DraftRepo, JobRepo, PlanRepo
from tests.auth_support import FOREIGN, OWN, SECRET_OF_RIVAL, World, make_world, world

__all__ = ["world"]


def _month(w: World) -> tuple[str, list[str]]:
    """A plan whose job wrote two drafts, plus a draft outside the plan."""
    with w.services.db.session() as s:
        drafts = [
            DraftRepo(s)
            .add(
                Draft(
                    id=f"plan-d{i}",
                    workspace=OWN,
                    surface="instagram_post",
                    language="nb",
                    text=f"utkast {i}",
                    passed=True,
                )
            )
            .id
            for i in (1, 2)
        ]
        DraftRepo(s).add(
            Draft(
                id="outside",
                workspace=OWN,
                surface="x_post",
                language="nb",
                text="not in the plan",
                passed=True,
            )
        )
        plan = PlanRepo(s).add(
            OWN,
            {
                "organisation": "Acme",
                "target_month": "2027-03",
                "channels": [{"channel": "instagram", "posts_per_week": 1}],
                "category_weights": {"produkt": 1.0},
            },
        )
        slots = [
            {
                "date": f"2027-03-0{i}",
                "time": "09:00",
                "channel": "instagram",
                "category": "produkt",
                "theme": "t",
            }
            for i in (1, 2)
        ]
        keys = [f"2027-03-0{i} 09:00 instagram" for i in (1, 2)]
        JobRepo(s).create(
            job_id="job-1",
            workspace=OWN,
            kind="plan_drafts",
            params={},
            items=keys,
            idempotency_key=None,
        )
        for key, draft_id in zip(keys, drafts, strict=True):
            JobRepo(s).finish_item("job-1", key, result={"draft_id": draft_id}, error=None)
        PlanRepo(s).update(plan.id, slots=slots, job_id="job-1")
    return plan.id, drafts


def _link(w: World, body: dict[str, object], credential: str = "editor") -> str:
    r = w.client.post(f"/v1/workspaces/{OWN}/review-links", json=body, headers=w.auth(credential))
    assert r.status_code == 201, r.text
    assert r.json()["path"] == f"/v1/review/{r.json()['token']}"
    return str(r.json()["token"])


def test_a_plan_link_shows_its_drafts_in_date_order_and_nothing_else(world: World) -> None:
    plan_id, drafts = _month(world)
    token = _link(world, {"plan_id": plan_id, "label": "Mars"})
    r = world.client.get(f"/v1/review/{token}")
    assert r.status_code == 200
    body = r.json()
    assert body["label"] == "Mars"
    assert [d["id"] for d in body["drafts"]] == drafts
    assert [d["date"] for d in body["drafts"]] == ["2027-03-01", "2027-03-02"]
    assert "outside" not in r.text and "acme voice" not in r.text
    outside = world.client.post(
        f"/v1/review/{token}/drafts/outside/verdict", json={"verdict": "approved"}
    )
    foreign = world.client.post(
        f"/v1/review/{token}/drafts/{world.draft_ids[FOREIGN]}/verdict",
        json={"verdict": "approved"},
    )
    assert outside.status_code == foreign.status_code == 404


def test_a_clients_verdict_sets_the_draft_and_the_editor_sees_who_and_when(world: World) -> None:
    plan_id, drafts = _month(world)
    token = _link(world, {"plan_id": plan_id})
    before = dt.datetime.now(dt.UTC)
    r = world.client.post(
        f"/v1/review/{token}/drafts/{drafts[0]}/verdict",
        json={"verdict": "approved", "comment": "Flott!", "author": "Kari"},
    )
    assert r.status_code == 201
    c = world.client.post(
        f"/v1/review/{token}/drafts/{drafts[1]}/comments",
        json={"comment": "Kortere?", "author": "Kari"},
    )
    assert c.status_code == 201
    with world.services.db.session() as s:
        assert DraftRepo(s).get(OWN, drafts[0]).status.value == "approved"
        assert DraftRepo(s).get(OWN, drafts[1]).status.value == "proposed"
    seen = world.client.get(
        f"/v1/workspaces/{OWN}/review-feedback", headers=world.auth("viewer")
    ).json()
    assert [(f["draft_id"], f["verdict"], f["comment"], f["author"]) for f in seen] == [
        (drafts[0], "approved", "Flott!", "Kari"),
        (drafts[1], None, "Kortere?", "Kari"),
    ]
    assert dt.datetime.fromisoformat(seen[0]["created_at"]) >= before - dt.timedelta(seconds=1)
    shown = world.client.get(f"/v1/review/{token}").json()["drafts"]
    assert shown[0]["status"] == "approved" and shown[0]["feedback"][0]["comment"] == "Flott!"


def test_a_link_for_chosen_drafts_sees_only_those(world: World) -> None:
    _, drafts = _month(world)
    token = _link(world, {"draft_ids": [drafts[1]]})
    assert [d["id"] for d in world.client.get(f"/v1/review/{token}").json()["drafts"]] == [
        drafts[1]
    ]
    r = world.client.post(
        f"/v1/review/{token}/drafts/{drafts[0]}/verdict", json={"verdict": "rejected"}
    )
    assert r.status_code == 404


def test_a_link_cannot_name_another_workspaces_plan_or_drafts(world: World) -> None:
    r = world.client.post(
        f"/v1/workspaces/{OWN}/review-links",
        json={"draft_ids": [world.draft_ids[FOREIGN]]},
        headers=world.auth("editor"),
    )
    assert r.status_code == 404 and SECRET_OF_RIVAL not in r.text
    neither = world.client.post(
        f"/v1/workspaces/{OWN}/review-links", json={}, headers=world.auth("editor")
    )
    assert neither.status_code == 422


def test_a_revoked_expired_or_forged_link_sees_nothing(world: World) -> None:
    plan_id, drafts = _month(world)
    revoked = _link(world, {"plan_id": plan_id})
    expired = _link(world, {"plan_id": plan_id})
    links = world.client.get(
        f"/v1/workspaces/{OWN}/review-links", headers=world.auth("editor")
    ).json()
    assert len(links) == 2 and all("token" not in link and "digest" not in link for link in links)
    revoked_id = next(link["id"] for link in links if revoked.split("_")[1] == link["prefix"])
    r = world.client.delete(
        f"/v1/workspaces/{OWN}/review-links/{revoked_id}", headers=world.auth("editor")
    )
    assert r.status_code == 200 and r.json()["revoked_at"]
    with world.services.db.session() as s:
        for row in s.query(ReviewLinkRow).filter(ReviewLinkRow.prefix == expired.split("_")[1]):
            row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    for token in (revoked, expired, revoked[:-3] + "zzz", "gjr_nonsense"):
        r = world.client.get(f"/v1/review/{token}")
        assert r.status_code == 401 and "drafts" not in r.text
        v = world.client.post(
            f"/v1/review/{token}/drafts/{drafts[0]}/verdict", json={"verdict": "approved"}
        )
        assert v.status_code == 401


def test_reviewers_and_viewers_cannot_make_links(world: World) -> None:
    plan_id, _ = _month(world)
    for role in ("reviewer", "viewer"):
        r = world.client.post(
            f"/v1/workspaces/{OWN}/review-links",
            json={"plan_id": plan_id},
            headers=world.auth(role),
        )
        assert r.status_code == 403


def test_the_audit_log_names_who_did_what_without_bodies_or_secrets(world: World) -> None:
    world.client.post(
        f"/v1/workspaces/{OWN}/imports", json={"name": "SECRET BODY"}, headers=world.auth("editor")
    )
    created = world.client.post(
        f"/v1/workspaces/{OWN}/keys",
        json={"role": "viewer", "label": "ci"},
        headers=world.auth("owner"),
    )
    secret = created.json()["secret"]
    world.client.put(
        f"/v1/workspaces/{OWN}/members/vera", json={"role": "reviewer"}, headers=world.auth("owner")
    )
    world.client.patch(
        f"/v1/workspaces/{OWN}/drafts/{world.draft_ids[OWN]}", headers=world.auth("reviewer")
    )
    world.client.post(
        f"/v1/workspaces/{OWN}/imports", json={"name": "x"}, headers=world.auth("viewer")
    )  # refused: not logged as done
    r = world.client.get(f"/v1/workspaces/{OWN}/audit-log", headers=world.auth("owner"))
    assert r.status_code == 200
    entries = [(e["action"], e["actor"].split(" ")[0]) for e in r.json()]
    assert entries[:4] == [
        ("dummy_review", "rut"),
        ("member.set", "olga"),
        ("key.create", "olga"),
        ("dummy_import", "egil"),
    ]
    member = r.json()[1]
    assert member["target"] == "vera" and member["details"] == {"role": "reviewer", "was": "viewer"}
    assert "SECRET BODY" not in r.text and secret not in r.text
    assert (
        world.client.get(
            f"/v1/workspaces/{OWN}/audit-log", headers=world.auth("editor")
        ).status_code
        == 403
    )
    rival = world.client.get(f"/v1/workspaces/{FOREIGN}/audit-log", headers=world.auth("owner"))
    assert rival.status_code == 404


def test_keys_over_http_are_shown_once_and_listed_by_whose_they_are(world: World) -> None:
    made = world.client.post(
        f"/v1/workspaces/{OWN}/keys", json={"role": "reviewer"}, headers=world.auth("editor")
    )
    assert made.status_code == 201
    secret, key_id = made.json()["secret"], made.json()["key"]["id"]
    mine = world.client.get(f"/v1/workspaces/{OWN}/keys", headers=world.auth("editor")).json()
    assert {k["user"] for k in mine} == {"egil"} and secret not in str(mine)
    everyone = world.client.get(f"/v1/workspaces/{OWN}/keys", headers=world.auth("owner")).json()
    assert {"olga", "egil", "rut", "vera"} <= {k["user"] for k in everyone}
    too_high = world.client.post(
        f"/v1/workspaces/{OWN}/keys", json={"role": "owner"}, headers=world.auth("editor")
    )
    assert too_high.status_code == 403
    use = {"Authorization": f"Bearer {secret}"}
    assert world.client.get(f"/v1/workspaces/{OWN}/things/t", headers=use).status_code == 200
    assert (
        world.client.delete(
            f"/v1/workspaces/{OWN}/keys/{key_id}", headers=world.auth("editor")
        ).status_code
        == 200
    )
    assert world.client.get(f"/v1/workspaces/{OWN}/things/t", headers=use).status_code == 401


def test_a_session_user_sees_only_their_workspaces(world: World) -> None:
    world.login("mallory")
    assert world.client.get("/v1/my-workspaces").json() == [FOREIGN]
    assert world.client.get(f"/v1/workspaces/{OWN}/things/t").status_code == 404


def test_too_many_requests_is_a_429_with_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_world(tmp_path, monkeypatch, limit_requests_per_minute=3)
    path = f"/v1/workspaces/{OWN}/things/t"
    codes = [w.client.get(path, headers=w.auth("viewer")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = w.client.get(path, headers=w.auth("viewer"))
    assert r.json()["error"]["code"] == "limit_exceeded"
    assert 1 <= int(r.headers["Retry-After"]) <= 20
    # Another person's budget is their own.
    assert w.client.get(path, headers=w.auth("editor")).status_code == 200
    w.services.close()


def test_the_request_bucket_refills_with_time() -> None:
    now = [1000.0]
    limiter = RequestLimiter(60, clock=lambda: now[0])
    for _ in range(60):
        limiter.hit("a")
    with pytest.raises(LimitExceeded) as refused:
        limiter.hit("a")
    assert refused.value.retry_after == 1
    now[0] += 1.0
    limiter.hit("a")


def test_model_calls_are_capped_per_request_and_per_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_world(
        tmp_path, monkeypatch, limit_model_calls_per_request=50, limit_model_calls_per_day=100
    )
    settings = w.services.settings
    with w.services.db.session() as s:
        with pytest.raises(Invalid, match="144 model calls"):
            charge_model_calls(s, settings, "u|acme", 144)
        assert charge_model_calls(s, settings, "u|acme", 50) == 50
        assert charge_model_calls(s, settings, "u|acme", 50) == 100
        with pytest.raises(LimitExceeded) as day:
            charge_model_calls(s, settings, "u|acme", 1)
        assert 1 <= day.value.retry_after <= 86_400
        assert day.value.headers["Retry-After"] == str(day.value.retry_after)
        assert charge_model_calls(s, settings, "u|other", 1) == 1
    w.services.close()


def test_unfinished_jobs_per_workspace_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_world(tmp_path, monkeypatch, limit_concurrent_jobs=1)
    with w.services.db.session() as s:
        check_concurrent_jobs(s, w.services.settings, OWN)
        JobRepo(s).create(
            job_id="j1", workspace=OWN, kind="k", params={}, items=["a"], idempotency_key=None
        )
        with pytest.raises(LimitExceeded, match="unfinished"):
            check_concurrent_jobs(s, w.services.settings, OWN)
        check_concurrent_jobs(s, w.services.settings, FOREIGN)
    w.services.close()


def test_a_members_change_over_http_needs_the_csrf_token_with_a_cookie(world: World) -> None:
    csrf = world.login("olga")
    path = f"/v1/workspaces/{OWN}/members/vera"
    assert world.client.put(path, json={"role": "editor"}).status_code == 403
    ok = world.client.put(path, json={"role": "editor"}, headers={CSRF_HEADER: csrf})
    assert ok.status_code == 200 and ok.json()["role"] == "editor"


def test_the_review_page_opens_only_with_a_live_token(world: World) -> None:
    plan_id, _ = _month(world)
    token = _link(world, {"plan_id": plan_id})
    page = world.client.get(f"/review/{token}")
    assert page.status_code == 200 and "/v1/review/" in page.text
    assert "innerHTML" not in page.text  # client data goes in as text only
    assert page.headers["referrer-policy"] == "same-origin"  # the token stays on this site
    assert world.client.get("/review/gjr_0123456789_forged").status_code == 401


def test_api_spend_is_capped_per_workspace_and_month(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.auth.limits import charge_spend

    w = make_world(tmp_path, monkeypatch, limit_spend_usd_per_month=1.0)
    settings = w.services.settings
    with w.services.db.session() as s:
        assert charge_spend(s, settings, OWN, 0.6) == pytest.approx(0.6)
        with pytest.raises(LimitExceeded, match="spent") as refused:
            charge_spend(s, settings, OWN, 0.5)
        assert 1 <= refused.value.retry_after <= 31 * 86_400
        assert charge_spend(s, settings, OWN, 0.4) == pytest.approx(1.0)
        assert charge_spend(s, settings, FOREIGN, 0.9) == pytest.approx(0.9)
    w.services.close()


def test_a_draft_that_failed_its_checks_says_so_and_only_the_editor_may_approve_it(
    world: World,
) -> None:
    from service.domain import Check

    _, drafts = _month(world)
    with world.services.db.session() as s:
        failed = DraftRepo(s).get(OWN, drafts[1])
        DraftRepo(s).add(
            failed.model_copy(
                update={
                    "id": "plan-failed",
                    "passed": False,
                    "checks": [
                        Check(
                            name="length",
                            passed=False,
                            code="check.length.chars",
                            params={"found": 2400, "limit": 2200},
                        ),
                        Check(name="hashtags", passed=True),
                    ],
                }
            )
        )
    token = _link(world, {"draft_ids": [drafts[0], "plan-failed"]})
    shown = {d["id"]: d for d in world.client.get(f"/v1/review/{token}").json()["drafts"]}
    assert shown[drafts[0]]["passed"] and shown[drafts[0]]["needs_editor"] is None
    bad = shown["plan-failed"]
    assert bad["passed"] is False
    assert bad["failed_checks"] == ["lengde: 2400/2200 tegn"]
    assert "redaktøren" in bad["needs_editor"] and "2400/2200" in bad["needs_editor"]
    en = world.client.get(f"/v1/review/{token}", params={"lang": "en"}).json()["drafts"]
    assert "editor" in next(d for d in en if d["id"] == "plan-failed")["needs_editor"]
    # The page offers no approve button for it: it shows the API's words instead.
    page = world.client.get(f"/review/{token}")
    assert page.status_code == 200 and "d.needs_editor" in page.text
    approve = world.client.post(
        f"/v1/review/{token}/drafts/plan-failed/verdict", json={"verdict": "approved"}
    )
    assert approve.status_code == 409
    reject = world.client.post(
        f"/v1/review/{token}/drafts/plan-failed/verdict",
        json={"verdict": "rejected", "comment": "For lang", "author": "Kari"},
    )
    assert reject.status_code == 201
    with world.services.db.session() as s:
        assert DraftRepo(s).get(OWN, "plan-failed").status.value == "rejected"
    seen = world.client.get(
        f"/v1/workspaces/{OWN}/review-feedback", headers=world.auth("viewer")
    ).json()
    assert [(f["draft_id"], f["verdict"]) for f in seen] == [("plan-failed", "rejected")]


def test_a_clients_approval_grounds_the_next_drafts_like_an_editors(world: World) -> None:
    plan_id, drafts = _month(world)
    token = _link(world, {"plan_id": plan_id})
    vectors = world.services.vectors
    assert vectors.vectors(OWN, [f"draft:{drafts[0]}"]) == {}
    r = world.client.post(
        f"/v1/review/{token}/drafts/{drafts[0]}/verdict",
        json={"verdict": "approved", "author": "Kari"},
    )
    assert r.status_code == 201
    assert list(vectors.vectors(OWN, [f"draft:{drafts[0]}"])) == [f"draft:{drafts[0]}"]
    hits = vectors.query(OWN, "utkast 1", k=5, where={"kind": "approved_draft"})
    assert [h.metadata["draft_id"] for h in hits] == [drafts[0]]
    # A rejection teaches nothing.
    world.client.post(
        f"/v1/review/{token}/drafts/{drafts[1]}/verdict", json={"verdict": "rejected"}
    )
    assert vectors.vectors(OWN, [f"draft:{drafts[1]}"]) == {}
