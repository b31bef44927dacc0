import pytest

from exactmdm import montecarlo
from exactmdm.theorems import theorem_ter


def _fake_estimates(monkeypatch, table):
    """The path KL of each (L, N) is the interval table[(L, N)] (bits/token) instead of a computed one."""
    def fake(lang, length, steps, samples, seed):
        return {N: montecarlo.Estimate(sum(table[length, N]) / 2, *table[length, N], 8, 0.99, "upper bound", "KL(q||p)/L",
                                       "bits/token", "") for N in steps}
    monkeypatch.setattr(theorem_ter, "path_kl_per_token", fake)


def test_shape_summary_reads_flatness_fall_and_n_min_growth(monkeypatch):
    # at N = 4 the intervals over L are disjoint (not flat); from N = 4 to 16 they fall at both L, from 16 to 64
    # they overlap at L = 64 (no significant fall); eps = 0.05 is met (bound 0.2 bits for V = 2) at N = 16 for
    # L = 32 but only at N = 64 for L = 64, so N_min doubles
    table = {(32, 4): (0.5, 0.6), (64, 4): (0.7, 0.8),
             (32, 16): (0.1, 0.15), (64, 16): (0.14, 0.3),
             (32, 64): (0.01, 0.02), (64, 64): (0.01, 0.19)}
    _fake_estimates(monkeypatch, table)
    tables, constants = theorem_ter.long_random_tables(["ngram2-V2"], [0], [32, 64], [4, 16, 64], [0.05], 8, 0, 0,
                                                       lambda m: None)
    shape = next(t for t in tables if t.kind == "ShapeRow")
    assert shape.rows == [theorem_ter.ShapeRow("ngram2-V2", 0, (16, 64), (4,), 4.0)]
    assert constants["N_min_growth_long_ngram2-V2"].float == pytest.approx(4.0)


def test_letter_pair_constants_are_flat_in_l_and_halve_with_n():
    result = theorem_ter.check(families=["ngram2-V2"], seeds=[0], lengths=[3], steps=[1, 2, 4], eps=[0.05],
                               long_lengths=[256, 1024], long_steps=[64, 128, 256], long_families=["ngram2-V2"],
                               long_model_steps=[64], samples=4, exact_samples=0)
    assert result.constants["letter_pair_eps_total_spread_in_L"].float < 0.01
    assert 0.49 < result.constants["letter_pair_eps_total_step_ratio"].float < 0.51


def test_path_kl_is_exact_for_chains_and_its_intervals_cover_it_otherwise():
    """The profile identity against the Monte Carlo path KL (sampled reveal paths), an independent estimator."""
    import math

    import exactmdm as em

    chain = em.NGram.random(2, 2, seed=0, prune=0.1)
    exact = theorem_ter.path_kl_per_token(chain, 64, [4, 16], 32, 0)
    for N, est in exact.items():
        assert est.kind == "exact" and est.low == est.high == est.value
        sampled = montecarlo.kl_per_token(chain, 64, em.schedules.iid(N), num=400, seed=1, method="path")
        assert sampled.low <= est.value <= sampled.high
    trigram = em.NGram.random(2, 3, seed=0, prune=0.1)
    estimated = theorem_ter.path_kl_per_token(trigram, 64, [4, 16], 64, 0)
    for N, est in estimated.items():
        sampled = montecarlo.kl_per_token(trigram, 64, em.schedules.iid(N), num=64, seed=1, method="path")
        assert est.low < est.high and max(est.low, sampled.low) <= min(est.high, sampled.high)  # the intervals meet
        assert est.high - est.low < sampled.high - sampled.low  # and at equal samples the profile's is narrower
        assert math.isfinite(est.value)
