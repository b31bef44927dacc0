"""The bounds layer: the worst same-step agreement under Assumption 4.1 (optimum, certified enclosure, the
near-worst model) and the pure bound formulas, each against an independent derivation."""

import math
from fractions import Fraction

import numpy as np
import pytest

import exactmdm as em
from exactmdm.exact import letter_pair as lp
from exactmdm.theorems import bounds


def test_pair_match_bound_is_the_optimum():
    eps = 1 / 128
    m = bounds.pair_match_bound(eps)
    assert 0.25 < m < float(bounds.pinsker_match_bound(Fraction(1, 128))) == 33 / 128
    # no feasible letter law beats it (random search), and the optimum is approached
    rng = np.random.default_rng(0)
    best = 0.0
    for _ in range(20000):
        a = rng.dirichlet(np.ones(4) * rng.choice([5.0, 50.0, 500.0]))
        if -np.mean(np.log(4 * a)) <= eps:
            best = max(best, float(a @ a))
    assert best <= m
    assert best >= 0.25 + 0.9 * (m - 0.25)
    assert bounds.pair_match_bound(0.0) == pytest.approx(0.25)




@pytest.mark.parametrize("eps", [0.001, 1 / 128, 0.05])
def test_tilted_model_meets_its_eps_and_the_certified_bound_holds(eps):
    lang = em.languages.counterexample16()
    model = bounds.tilted_letter_model(eps)
    assert em.metrics.eps_learning(lang, model, 3).max_nats <= eps * (1 + 1e-12)
    m = bounds.pair_match_bound(eps)
    for length, n in ((2, 2), (3, 2), (4, 3)):
        ser = em.exact.output_distribution(lang, length, em.schedules.iid(n), model).escaped
        assert ser >= 1 - lp.matching_generating([1.0 / n] * n, m, length) - 1e-12
        assert ser <= float(lp.ser_uniform_exact(length, n)) + 1e-12  # tilting helps pairs agree
    # at L = 2 the only pair has both letters unknown: agreement |a|^2 for the budget eps/2
    ser2 = em.exact.output_distribution(lang, 2, em.schedules.iid(1), model).escaped
    assert ser2 == pytest.approx(1 - bounds.pair_match_optimum(eps / 2)[0], rel=1e-9)




# --- the certified pair-agreement enclosure -------------------------------------------------------------------
def test_pair_match_enclosure_contains_an_independent_high_precision_optimum():
    import mpmath

    eps = Fraction(1, 128)
    lo, hi = bounds.pair_match_enclosure(eps)
    assert lo <= hi and hi - lo < Fraction(1, 10**9)
    with mpmath.workdps(50):  # solve KL(uniform || a(x)) = eps for each k by mpmath's root finder
        best = mpmath.mpf(1) / 4
        for k in (1, 2, 3):
            def kl_minus_eps(x, k=k):
                y = (1 - k * x) / (4 - k)
                return -mpmath.log(4) - (k * mpmath.log(x) + (4 - k) * mpmath.log(y)) / 4 - mpmath.mpf(1) / 128
            tiny = mpmath.mpf(10) ** -30
            root = mpmath.findroot(kl_minus_eps, (mpmath.mpf(1) / 4 + tiny, mpmath.mpf(1) / k - tiny), solver="bisect")
            best = max(best, k * root ** 2 + (1 - k * root) ** 2 / (4 - k))
        assert mpmath.mpf(lo.numerator) / lo.denominator <= best <= mpmath.mpf(hi.numerator) / hi.denominator
    assert bounds.pair_match_bound(1 / 128) == float(hi)


def test_disjoint_pairs_bound_is_below_every_iid_schedule():
    for L, N in ((8, 4), (16, 8), (9, 3)):
        bound = float(bounds.disjoint_pairs_ser_bound(L, N))
        for alpha in ("linear", "cosine", "poly:2", "poly:0.5"):
            assert lp.ser_iid(em.schedules.iid(N, alpha), L) >= bound - 1e-12


def test_limit_at_n_equal_c_l():
    for C in (0.5, 1.0, 3.0):
        L = 1 << 16
        assert float(lp.ser_uniform_exact(L, int(C * L))) == pytest.approx(bounds.limit_ser(C), abs=1e-4)
    # SER > 1/2 in the limit exactly when C < 3/(4 ln 2)
    assert bounds.limit_ser(0.75 / math.log(2)) == pytest.approx(0.5)


def test_li_cai_coefficient_against_its_definition_and_corollary_1():
    for length in range(2, 40):
        for T in range(1, length + 1):
            s = -(-length // T)
            c = bounds.li_cai_coefficient(s, length)
            assert c == ((2 ** math.ceil(math.log2(s)) - 1) / length if s > 1 else 0.0)
            assert c * T <= 2 + 1e-12  # C1 = 2 suffices for balanced sizes


def test_one_per_step_and_ter_bounds():
    assert bounds.one_per_step_ser_bound(10, 0.002) == pytest.approx(1 - math.exp(-0.02), rel=1e-15)
    assert bounds.one_per_step_ser_bound(10, 0.002) <= 0.02
    assert bounds.ter_bound_bits(0.01, 0.5, 4) == pytest.approx(0.5 + 0.08)
    assert bounds.ter_constant(64, 0.1, 3) == pytest.approx(64 * 0.1 ** 3.5 / 2)
