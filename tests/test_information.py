import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactmdm.information import entropy, information_series, kl, kl_rows
from exactmdm.testing import languages

from . import naive


@given(languages(max_vocab=2, max_states=2), st.integers(2, 4), st.integers(0, 3))
def test_information_series_matches_term_by_term_summation(lang, length, cap):
    cap = min(cap, length - 1)
    q = naive.joint(lang, length)
    assert information_series(lang.joint(length), cap) == pytest.approx(naive.information_series(q, length, cap),
                                                                         rel=1e-9, abs=1e-12)


def test_kl_and_entropy_conventions():
    assert kl([0.5, 0.5, 0.0], [0.25, 0.75, 0.0]) == pytest.approx(0.5 * math.log(2) + 0.5 * math.log(2 / 3))
    assert kl([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert kl([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert entropy([[0.25, 0.25], [0.5, 0.0]]) == pytest.approx(1.5 * math.log(2))
    rows = kl_rows(np.array([[1.0, 0.0], [0.5, 0.5]]), np.array([[0.5, 0.5], [1.0, 0.0]]))
    assert rows[0] == pytest.approx(math.log(2)) and rows[1] == math.inf


@given(languages(kinds=("ngram",), orders=(2,), max_vocab=3), st.integers(1, 5))
def test_markov_information_matches_the_enumeration(lang, length):
    from exactmdm.information import (dual_total_correlation, markov_information, mutual_information_each,
                                      total_correlation)

    table = lang.joint(length)
    got = markov_information(*lang.token_chain(), length)
    assert got["entropy"] == pytest.approx(entropy(table), rel=1e-10, abs=1e-12)
    assert got["sum_mi"] == pytest.approx(float(mutual_information_each(table).sum()), rel=1e-9, abs=1e-12)
    assert got["tc"] == pytest.approx(total_correlation(table), rel=1e-9, abs=1e-12)
    assert got["dtc"] == pytest.approx(dual_total_correlation(table), rel=1e-9, abs=1e-12)


@given(languages(kinds=("hmm", "ngram"), orders=(2, 3), max_vocab=3), st.integers(1, 5))
def test_monte_carlo_information_terms_average_to_the_enumeration(lang, length):
    """The per-sequence terms of montecarlo.information, averaged over the whole support with weights q(x),
    are exactly TC, DTC and sum_i I(X^i; X^-i) of the enumerated joint law."""
    import itertools

    from exactmdm.information import dual_total_correlation, mutual_information_each, total_correlation
    from exactmdm.montecarlo.estimators import information_values

    table = lang.joint(length)
    xs = np.array([x for x in itertools.product(range(lang.vocab_size), repeat=length) if table[x] > 0])
    tc, dtc = information_values(lang, xs)
    weights = table[tuple(xs.T)]
    assert weights @ tc == pytest.approx(total_correlation(table), rel=1e-9, abs=1e-12)
    assert weights @ dtc == pytest.approx(dual_total_correlation(table), rel=1e-9, abs=1e-12)
    assert weights @ (tc + dtc) == pytest.approx(float(mutual_information_each(table).sum()), rel=1e-9, abs=1e-12)


def test_monte_carlo_information_interval_covers_the_exact_chain_value_at_long_length():
    import exactmdm as em
    from exactmdm.information import markov_information

    lang = em.NGram.random(3, 2, seed=5, prune=0.1)
    exact = markov_information(*lang.token_chain(), 128)
    got = em.montecarlo.information(lang, 128, num=300, seed=2, confidence=0.999)
    for name in ("sum_mi", "tc", "dtc"):
        assert got[name].low <= exact[name] <= got[name].high, (name, got[name], exact[name])
        assert got[name].high - got[name].low < 0.2 * exact["sum_mi"]  # informative, not vacuous
    with pytest.raises(em.errors.InvalidArgument, match="num"):
        em.montecarlo.information(lang, 8, num=1, seed=0)
