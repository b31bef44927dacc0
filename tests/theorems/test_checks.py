"""Every check runs at small sizes, holds, and is refuted when handed a deliberately false bound."""

import pytest

from exactmdm.errors import InvalidArgument
from exactmdm.theorems import CHECKS, run

SMALL = {
    "theorem_ter": dict(families=["ngram2-V2", "ngram3-V2"], seeds=[0], lengths=[3, 4], steps=[1, 2, 4, 8, 16],
                        eps=[0.02, 0.05], long_lengths=[64], long_steps=[64, 128]),
    "theorem_ser_sufficient": dict(seeds=[0], lengths=[2, 3], max_steps=32),
    "theorem_li_cai": dict(families=["ngram2-V2"], seeds=[0], length=4, random_schedules=1),
    "theorem_li_cai_lower": dict(families=["ngram2-V2"], seeds=[0], length=4),
    "assumption_eps_learning": dict(families=["ngram2-V2"], eps=[0.01], exact_length=3, sampled_length=16,
                                    samples=200),
}
FALSE = {
    "theorem_ter": dict(bound_factor=0.0),
    "theorem_ser_sufficient": dict(bound_factor=0.0),
    "theorem_li_cai": dict(bound_factor=0.01),
    "theorem_li_cai_lower": dict(bound_factor=1000.0),
    "assumption_eps_learning": dict(claim_factor=0.5),
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
