import pytest

from exactmdm import montecarlo
from exactmdm.theorems import theorem_ter


def _fake_estimates(monkeypatch, table):
    """kl_per_token returns the interval table[(L, N)] (bits/token) instead of sampling."""
    def fake(lang, length, schedule, model=None, **kw):
        low, high = table[length, schedule.num_steps]
        return montecarlo.Estimate((low + high) / 2, low, high, 8, 0.99, "upper bound", "KL(q||p)/L", "bits/token", "")
    monkeypatch.setattr(montecarlo, "kl_per_token", fake)


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
