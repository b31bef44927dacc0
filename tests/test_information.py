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
