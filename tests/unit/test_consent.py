from __future__ import annotations

import datetime as dt

from service.domain import Consent, ConsentScope, SourceType
from service.generation.consent import ConsentVerdict, decide

GRANTED = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _decide(
    source: SourceType,
    kind: str,
    scope: ConsentScope | None,
    consent: Consent | None = None,
    uses_asset: bool = False,
) -> ConsentVerdict:
    return decide(
        source_type=source,
        uses_others_asset=uses_asset,
        consent=consent,
        surface_kind=kind,
        scope_needed=scope,
        surface="s",
    ).verdict


def test_own_content_may_go_anywhere() -> None:
    assert _decide(SourceType.own, "paid", ConsentScope.paid) is ConsentVerdict.ok


def test_ugc_on_an_owned_surface_without_consent_carries_a_warning() -> None:
    assert _decide(SourceType.ugc, "owned", ConsentScope.organic_owned) is ConsentVerdict.warn


def test_ugc_in_an_ad_without_paid_consent_is_refused() -> None:
    organic_only = Consent(
        granted_by="Kari", granted_at=GRANTED, scopes=[ConsentScope.organic_owned]
    )
    assert _decide(SourceType.ugc, "paid", ConsentScope.paid, organic_only) is ConsentVerdict.refuse


def test_paid_consent_allows_the_ad() -> None:
    paid = Consent(granted_by="Kari", granted_at=GRANTED, scopes=[ConsentScope.paid])
    assert _decide(SourceType.partner, "paid", ConsentScope.paid, paid) is ConsentVerdict.ok


def test_a_customers_photo_in_our_own_post_needs_consent_too() -> None:
    assert (
        _decide(SourceType.own, "paid", ConsentScope.paid, uses_asset=True) is ConsentVerdict.refuse
    )


def test_asking_for_permission_is_always_allowed() -> None:
    assert _decide(SourceType.ugc, "earned", None) is ConsentVerdict.ok
