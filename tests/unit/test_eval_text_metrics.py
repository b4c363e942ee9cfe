from __future__ import annotations

from evals.text_metrics import (
    chrf,
    distinct_n,
    max_chrf,
    near_duplicate_rate,
    self_bleu,
    shared_ngrams,
    words,
)
from service.library.stats import bootstrap

SRC = "Fiskesuppe med blåskjell og rømme på Sjøbua hver fredag kl. 19.00, kr 149,-."


def test_words_keep_norwegian_letters() -> None:
    assert words("Blåbær, rømme og SJØBUA!") == ["blåbær", "rømme", "og", "sjøbua"]


def test_a_copy_scores_near_100_and_an_adaptation_lower() -> None:
    copy = chrf(SRC, SRC)
    adapted = chrf("Fredagssuppe på Sjøbua: blåskjell og rømme, kl. 19.00. Kun 149,-!", SRC)
    unrelated = chrf("Vi ansetter kokk til sommeren.", SRC)
    assert copy > 99 and unrelated < adapted < copy


def test_nynorsk_and_bokmal_spellings_are_not_counted_as_copies() -> None:
    assert chrf("Ho et fiskesuppe kvar fredag.", "Hun spiser fiskesuppe hver fredag.") < 60


def test_max_chrf_picks_the_closest_reference() -> None:
    assert max_chrf(SRC, ["helt annen tekst", SRC]) > 99
    assert max_chrf(SRC, []) == 0.0


def test_shared_8_grams_detect_long_copied_runs() -> None:
    copied = "Nytt: " + SRC
    assert shared_ngrams(copied, SRC) > 0
    assert shared_ngrams("Suppe på fredag, blåskjell og rømme, velkommen innom.", SRC) == 0


def test_self_bleu_is_high_for_repeats_and_low_for_varied_texts() -> None:
    same = self_bleu([SRC, SRC, SRC])
    varied = self_bleu([SRC, "Møt kokken Per, som har jobbet her i 20 år.", "Nye stoler ute!"])
    assert same is not None and varied is not None and same > 90 > 20 > varied
    assert self_bleu([SRC]) is None


def test_distinct_n_falls_when_texts_repeat() -> None:
    assert distinct_n(["en to tre", "fire fem seks"], 1) == 1.0
    assert distinct_n(["en to tre", "en to tre"], 2) == 0.5
    assert distinct_n([""], 2) is None


def test_near_duplicates_are_found_and_distinct_texts_are_not() -> None:
    texts = [SRC, SRC.replace("fredag", "fredager"), "Møt Kari i pakkeriet."]
    rate = near_duplicate_rate(texts)
    assert rate is not None and abs(rate - 2 / 3) < 1e-9


def test_bootstrap_interval_contains_the_mean_and_narrows_with_more_data() -> None:
    small = bootstrap([0, 1, 1, 0, 1])
    large = bootstrap([0, 1, 1, 0, 1] * 40)
    assert small.low is not None and small.high is not None and small.mean is not None
    assert small.low <= small.mean <= small.high
    assert large.low is not None and large.high is not None
    assert (large.high - large.low) < (small.high - small.low)
    assert bootstrap([]).mean is None
