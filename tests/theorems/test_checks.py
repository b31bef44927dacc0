"""Every check runs at small sizes, holds, and is refuted when handed a deliberately false bound."""

import pytest

from exactmdm.errors import InvalidArgument
from exactmdm.theorems import CHECKS, run

SMALL = {
    "theorem_ter": dict(families=["ngram2-V2", "ngram3-V2"], seeds=[0], lengths=[3, 4], steps=[1, 2, 4, 8, 16],
                        eps=[0.02, 0.05], long_lengths=[64], long_steps=[64, 128], long_families=["ngram2-V2"],
                        long_model_steps=[16, 64], samples=8, exact_samples=2),
    "theorem_ser_sufficient": dict(seeds=[0], lengths=[2, 3], max_steps=32, long_lengths=[16], c_grid=[1.0],
                                   mc_samples=20),
    "theorem_li_cai": dict(families=["ngram2-V2"], seeds=[0], length=4, random_schedules=1, long_families=["ngram2-V2"],
                           long_lengths=[32], samples=8),
    "theorem_li_cai_lower": dict(families=["ngram2-V2"], seeds=[0], length=4),
    "assumption_eps_learning": dict(families=["ngram2-V2"], eps=[0.01], exact_length=3, sampled_length=16,
                                    samples=200),
    "schedules": dict(families=["ngram2-V2"], seeds=[0], length=3, dp_length=5, dp_steps=[2], table_families=["ngram2-V2"],
                      table_lengths=[16], steps_lengths=[16, 32], table_steps=[2, 4], kl_targets=[1.0]),
}
FALSE = {
    "theorem_ter": dict(bound_factor=0.0),
    "theorem_ser_sufficient": dict(bound_factor=0.0),
    "theorem_li_cai": dict(bound_factor=0.01),
    "theorem_li_cai_lower": dict(bound_factor=1000.0),
    "assumption_eps_learning": dict(claim_factor=0.5),
    "schedules": dict(bound_factor=0.01),
}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_check_holds_on_small_inputs(name):
    result = run(name, **SMALL[name])
    assert result.verdict, result.format()
    assert result.tables and all(t.rows for t in result.tables)
    text = result.format()
    assert "verdict: HOLDS" in text and result.paper in text


@pytest.mark.parametrize("name", sorted(SMALL))
def test_check_refutes_a_false_bound(name):
    result = run(name, **SMALL[name], **FALSE[name])
    assert not result.verdict
    assert result.counterexample
    assert "REFUTED" in result.format()


def test_every_check_is_covered():
    assert set(SMALL) | {"theorem_ser"} == set(CHECKS)


def test_unknown_option_is_refused():
    with pytest.raises(InvalidArgument, match="unknown option.*--nonsense"):
        run("theorem_ter", nonsense=1)


def test_li_cai_lower_reports_exact_zeros_and_no_ratio_over_a_zero_bound():
    result = run("theorem_li_cai_lower", families=["ngram2-V2", "hmm2-V3"], seeds=[0, 1], length=3)
    for row in result.table("LowerRow").rows:
        assert row.kl >= 0.0  # -5.7e-16 before
        if row.s_max == 1:
            assert row.kl == 0.0 and row.kl_over_lower is None
    assert "nan" not in result.format() and " inf " not in result.format()


def test_clamp_rounding_refuses_real_negatives():
    from exactmdm.information import clamp_rounding

    assert clamp_rounding(-5.7e-16) == 0.0 and clamp_rounding(0.25) == 0.25
    with pytest.raises(ArithmeticError):
        clamp_rounding(-1e-6)


def test_theorem_ser_spawns_independent_streams(monkeypatch):
    from exactmdm.theorems import theorem_ser

    seen = {}
    real_long, real_search = theorem_ser.long_tables, theorem_ser.search_table
    monkeypatch.setattr(theorem_ser, "long_tables", lambda *a: seen.setdefault("mc", a[-1]) and real_long(*a))
    monkeypatch.setattr(theorem_ser, "search_table", lambda c, s: seen.setdefault("search", s) and real_search(c, s))
    monkeypatch.setattr(theorem_ser, "random_languages_table", lambda *a: real_search(0, 0))
    theorem_ser.check(max_length=8, lengths=[2, 4], c_grid=[1.0], seed=3, search_candidates=0)
    assert seen["mc"] != seen["search"] and 3 not in seen.values()
