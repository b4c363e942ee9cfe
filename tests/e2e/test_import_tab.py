"""In a real browser: drop an export and read its report (skipped rows with their numbers,
columns placed by content); drop a file the importer is unsure about, correct its proposal and
import it; and a viewer sees only their workspace and none of the buttons that act."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from service.auth.bootstrap import add_user
from service.auth.permissions import Role
from service.container import Services
from service.domain import Workspace
from service.library.importers import MappingNeeded, open_export
from service.storage.repositories import PostRepo, WorkspaceRepo
from tests.e2e.conftest import LIVE, OWNER
from tests.fixtures.synthetic import english, to_csv, translate


def _open_import_tab(browser: Any, live_url: str) -> Any:
    page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 2400})
    page.goto(f"{live_url}/ui/", wait_until="load")
    page.get_by_role("tab", name="Importer").click()
    return page


def test_a_dropped_export_shows_its_report_with_skipped_rows_and_inferred_columns(
    live_url: str, browser: Any, services: Services, tmp_path: Path
) -> None:
    header, rows = english("meta_facebook_posts", 0, 20, seed=11)
    rows[4][header.index("Publish time")] = "not a time"
    export = tmp_path / "Beiträge.csv"
    export.write_text(to_csv(translate(header, "de"), rows), encoding="utf-8")
    with services.db.session() as s:
        before = PostRepo(s).count("demo")

    page = _open_import_tab(browser, live_url)
    page.locator("#import-files input[type=file]").set_input_files(str(export))
    page.locator("#import-go").click()
    report = page.locator("#import-report .gj-import-file")
    report.first.wait_for(timeout=60_000)
    assert report.get_attribute("data-file") == "Beiträge.csv"
    assert report.locator(".gj-imported").inner_text() == "19"
    assert report.locator(".gj-format").inner_text() == "meta_facebook_posts"
    skipped = report.locator("tr.gj-skip")
    assert skipped.count() == 1 and skipped.get_attribute("data-row") == "6"
    assert skipped.locator("td").nth(1).inner_text().strip(), "the reason is shown"
    # German headers: columns were placed by their content, and the report says why.
    assert report.locator("tr.gj-inferred[data-field='post_id']").count() == 1
    assert "Hoppet over" in report.inner_text()
    with services.db.session() as s:
        assert PostRepo(s).count("demo") == before + 19


def test_a_large_import_shows_its_job_then_the_report(
    live_url: str, browser: Any, services: Services, tmp_path: Path
) -> None:
    header, rows = english("meta_facebook_posts", 0, 40, seed=5)
    export = tmp_path / "stor.csv"
    export.write_text(to_csv(header, rows), encoding="utf-8")
    services.settings.import_background_rows = 10  # 40 rows is "large" here

    page = _open_import_tab(browser, live_url)
    page.locator("#import-files input[type=file]").set_input_files(str(export))
    page.locator("#import-go").click()
    job = page.locator("#import-progress .gj-job")
    job.first.wait_for(timeout=60_000)
    page.locator("#import-progress .gj-job[data-status='done']").wait_for(timeout=120_000)
    line = job.locator("li.gj-job-file").first
    assert line.get_attribute("data-stage") == "done"
    assert "40 lest" in line.inner_text() and "40 lagret" in line.inner_text()
    report = page.locator("#import-report .gj-import-file")
    assert report.locator(".gj-imported").inner_text() == "40"


def test_an_unsure_file_shows_a_proposal_that_is_corrected_and_imported(
    live_url: str, browser: Any, services: Services, tmp_path: Path
) -> None:
    header, rows = english("meta_facebook_posts", 0, 30, seed=3)
    order = list(range(len(header)))
    random.Random(1).shuffle(order)  # an order no layout has: the counts are ambiguous
    de = translate(header, "de")
    unsure = tmp_path / "gemischt.csv"
    unsure.write_text(
        to_csv([de[i] for i in order], [[r[i] for i in order] for r in rows]), encoding="utf-8"
    )
    try:
        open_export(unsure, workspace="demo", timezone="Europe/Oslo")
        raise AssertionError("the file should need a mapping")
    except MappingNeeded as exc:
        fields = [f.field for f in exc.proposal.fields]
    reach_at = fields.index("reach")

    page = _open_import_tab(browser, live_url)
    page.locator("#import-files input[type=file]").set_input_files(str(unsure))
    page.locator("#import-go").click()
    proposal = page.locator("#import-proposal table.gj-proposal")
    proposal.wait_for(timeout=60_000)
    assert proposal.locator("tr.gj-proposed[data-field='reach'][data-unsure='true']").count() == 1
    assert proposal.locator("tr.gj-proposed").count() == len(fields)
    assert "30" in page.locator("#import-mapping-heading").inner_text()
    assert page.locator("#import-report .gj-imported").first.inner_text() == "0"

    page.locator(f"#import-map-{reach_at} input").first.click()
    page.get_by_role("option", name="Reichweite", exact=True).first.click()
    page.locator("#import-confirm").click()
    page.locator("#import-confirm").wait_for(state="hidden", timeout=60_000)
    done = page.locator("#import-report .gj-import-file")
    done.locator(".gj-imported").filter(has_text="30").wait_for(timeout=60_000)

    reach = {str(r[header.index("Post ID")]): r[header.index("Reach")] for r in rows}
    with services.db.session() as s:
        stored = {p.id: p.metrics.reach for p in PostRepo(s).list("demo") if p.id in reach}
    assert len(stored) == 30
    assert all(stored[pid] == int(str(n).replace(",", "")) for pid, n in reach.items())


def test_a_viewer_sees_only_their_workspace_and_no_buttons_that_act(
    live_url: str, browser: Any, services: Services
) -> None:
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="annen", name="Annen kunde"))
    from service.auth.bootstrap import adopt_unowned

    adopt_unowned(services.db, OWNER)  # the owner's second workspace
    password = "a-viewer-password-123"
    add_user(services.db, "vera", workspace="demo", role=Role.viewer, password=password)

    context = browser.new_context(locale="nb-NO", viewport={"width": 1300, "height": 2000})
    page = context.new_page()
    r = page.request.post(f"{LIVE['url']}/v1/login", data={"user": "vera", "password": password})
    assert r.ok, r.text()
    page.goto(f"{live_url}/ui/", wait_until="load")

    page.locator("#library-workspace input").first.click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=30_000)
    assert [o.replace("✓", "").strip() for o in options.all_inner_texts()] == ["demo"]
    page.keyboard.press("Escape")
    for tab, hidden in (
        ("Importer", ("import-go", "import-li-save")),
        ("Månedsplan", ("plans-generate", "plans-slots", "plans-approve")),
        ("Gjenbruk et innlegg", ("variants-go", "variants-approve")),
        ("Profiltekster", ("profiles-go", "profiles-propose", "profiles-accept")),
    ):
        page.get_by_role("tab", name=tab).click()
        # The tab is drawn (its picker shows) before its buttons are judged.
        prefix = hidden[0].split("-")[0]
        page.locator(f"#{prefix}-workspace").first.wait_for(state="visible", timeout=30_000)
        for elem_id in hidden:
            assert page.locator(f"#{elem_id}").is_hidden(), f"{elem_id} is shown to a viewer"
    context.close()

    owner = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 2000})
    owner.goto(f"{live_url}/ui/", wait_until="load")
    owner.locator("#library-workspace input").first.click()
    owner.get_by_role("option", name="annen").first.wait_for(timeout=30_000)
    owner.keyboard.press("Escape")
    owner.get_by_role("tab", name="Importer").click()
    owner.locator("#import-go").wait_for(state="visible", timeout=30_000)
