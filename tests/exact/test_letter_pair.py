import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.exact import letter_pair as lp

from .. import naive


@given(st.lists(st.integers(0, 5), min_size=1, max_size=4).filter(lambda w: sum(w) > 0), st.integers(1, 5))
def test_transfer_recurrences_match_label_enumeration(raw, length):
    w = [Fraction(x, sum(raw)) for x in raw]
    sch = em.schedules.iid(len(w), w)
    law = naive.label_law(sch, length, exact=True)
    brute_k = sum(p * Fraction(1, 4) ** naive.same_step_neighbours(lab) for lab, p in law)
    assert lp.same_step_generating(w, Fraction(1, 4), length) == brute_k

    def matching(labels):
        runs = [len(list(g)) for _, g in itertools.groupby(labels)]
        return sum(r // 2 for r in runs)

    m = Fraction(1, 3)
    assert lp.matching_generating(w, m, length) == sum(p * m ** matching(lab) for lab, p in law)
    assert lp.same_step_generating([float(x) for x in w], 0.25, length) == pytest.approx(float(brute_k), rel=1e-12)


@pytest.mark.parametrize("length", [2, 3, 4])
@pytest.mark.parametrize("n", [1, 2, 4])
def test_closed_form_equals_state_space_engine(length, n):
    lang = em.languages.counterexample16()
    out = em.exact.output_distribution(lang, length, em.schedules.iid(n))
    assert out.escaped == pytest.approx(float(lp.ser_uniform_exact(length, n)), rel=1e-12)
    # p(x) = q(x) (1 - SER) on the support, so KL(q||p) = -log(1 - SER)
    assert em.metrics.kl(lang, out, base=math.e) == pytest.approx(-math.log(1 - out.escaped), rel=1e-10)


def test_pair_match_bound_is_the_optimum():
    eps = 1 / 128
    m = lp.pair_match_bound(eps)
    assert 0.25 < m < float(lp.pinsker_match_bound(Fraction(1, 128))) == 33 / 128
    # no feasible letter law beats it (random search), and the optimum is approached
    rng = np.random.default_rng(0)
    best = 0.0
    for _ in range(20000):
        a = rng.dirichlet(np.ones(4) * rng.choice([5.0, 50.0, 500.0]))
        if -np.mean(np.log(4 * a)) <= eps:
            best = max(best, float(a @ a))
    assert best <= m
    assert best >= 0.25 + 0.9 * (m - 0.25)
    assert lp.pair_match_bound(0.0) == pytest.approx(0.25)


def _fixed_brute_force(sizes):
    """E[(1/4)^K] over every distinct arrangement of the step labels (uniform ordered partition)."""
    labels = [k for k, s in enumerate(sizes) for _ in range(s)]
    arrangements = set(itertools.permutations(labels))
    return sum(Fraction(1, 4) ** sum(a == b for a, b in zip(p, p[1:])) for p in arrangements) / len(arrangements)


@pytest.mark.parametrize("sizes", [[1], [2, 2], [3, 1, 2], [1, 1, 1, 1], [2, 2, 2], [3, 3, 2], [4, 1, 1, 1]])
def test_fixed_sizes_exact_dp_matches_brute_force_and_monte_carlo(sizes):
    exact = lp.fixed_sizes_correct_exact(sizes)
    assert exact == _fixed_brute_force(sizes)
    est, half = lp.fixed_sizes_correct_mc(sizes, 20000, seed=1)
    assert abs(est - float(exact)) <= half


@pytest.mark.parametrize("length", [2, 3, 4])
def test_fixed_sizes_exact_matches_the_engine(length):
    lang = em.languages.counterexample16()
    for n in range(1, length + 1):
        sch = em.schedules.balanced_sizes(length, n)
        out = em.exact.output_distribution(lang, length, sch)
        assert out.escaped == pytest.approx(float(1 - lp.fixed_sizes_correct_exact(sch.sizes)), rel=1e-12, abs=1e-15)


def test_ser_iid_exact_requires_rational_weights():
    with pytest.raises(ValueError, match="no exact rational weights"):
        lp.ser_iid(em.schedules.iid(3, "cosine"), 4, exact=True)
    assert lp.ser_iid(em.schedules.iid(3), 4, exact=True) == lp.ser_uniform_exact(4, 3)


@pytest.mark.parametrize("eps", [0.001, 1 / 128, 0.05])
def test_tilted_model_meets_its_eps_and_the_certified_bound_holds(eps):
    lang = em.languages.counterexample16()
    model = lp.tilted_letter_model(eps)
    assert em.metrics.eps_learning(lang, model, 3).max_nats <= eps * (1 + 1e-12)
    m = lp.pair_match_bound(eps)
    for length, n in ((2, 2), (3, 2), (4, 3)):
        ser = em.exact.output_distribution(lang, length, em.schedules.iid(n), model).escaped
        assert ser >= 1 - lp.matching_generating([1.0 / n] * n, m, length) - 1e-12
        assert ser <= float(lp.ser_uniform_exact(length, n)) + 1e-12  # tilting helps pairs agree
    # at L = 2 the only pair has both letters unknown: agreement |a|^2 for the budget eps/2
    ser2 = em.exact.output_distribution(lang, 2, em.schedules.iid(1), model).escaped
    assert ser2 == pytest.approx(1 - lp.pair_match_optimum(eps / 2)[0], rel=1e-9)
