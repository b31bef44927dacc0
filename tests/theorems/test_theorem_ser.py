import math
from fractions import Fraction



from exactmdm.exact import letter_pair as lp
from exactmdm.theorems import run, theorem_ser as ts


def test_c_star_derived_twice_agrees():
    # exact: integer comparisons; float: the transfer matrix in float64
    exact_c, arg, tail = ts.certified_c_star(64)
    assert exact_c == 1 and arg == 2 and tail >= 1
    float_best = min((ts._largest_n(lambda n, L=L: lp.same_step_generating([1.0 / n] * n, 0.25, L), Fraction(1, 2)) + 1)
                     / L for L in range(2, 65))
    assert float_best == float(exact_c)
    for L in range(2, 40):
        assert ts.n_max_uniform(L) == ts._largest_n(
            lambda n, L=L: lp.same_step_generating([1.0 / n] * n, 0.25, L), Fraction(1, 2))


def test_asymptotic_constant():
    # (N_max + 1)/L approaches 3/(4 ln 2) from below the tail bound
    L = 4096
    value = (ts.n_max_uniform(L) + 1) / L
    assert 0.75 / math.log(2) * (1 - 1 / L) <= value <= 0.75 / math.log(2) + 1 / L


def test_check_holds_and_a_false_claim_is_refuted():
    small = dict(max_length=32, lengths=[2, 8, 32], c_grid=[0.5, 1.0], mc_samples=500, search_candidates=10,
                 long_lengths=[16], long_c_grid=[1.0], samples=50)
    result = run("theorem_ser", **small)
    assert result.verdict and result.constants["C*_oracle_iid_uniform"].value == 1
    assert result.constants["C*_oracle_every_iid_schedule"].float > 0.5
    # the certified constants are put to work: SER > 1/2 just below C* L at every L, recomputed in rationals
    work = result.table("ConsistencyRow").rows
    assert {r.L for r in work} == {2, 8, 32} and all(r.above_half and r.ser_bound > Fraction(1, 2) for r in work)
    refuted = run("theorem_ser", claim_c=1.5, **small)
    assert not refuted.verdict
    assert refuted.counterexample["L"] == 2 and refuted.counterexample["SER_exact"] == "3/8"
    assert refuted.tables == []  # judged first: the other tables are not computed for a false claim
    assert run("theorem_ser", claim_c=0.99, **small).verdict


def test_a_wrong_constant_is_caught_by_the_consistency_table():
    from exactmdm.theorems.records import Constant

    # C* = 1 is exact: claiming 1 + 1/8 must put a (L, N) with SER <= 1/2 in the table
    table = ts.consistency_table([2, 8], {"C*_oracle_iid_uniform": Constant(Fraction(9, 8)),
                                          "C*_eps<1/128_every_iid_schedule": Constant(Fraction(1, 2))}, Fraction(1, 4))
    assert not all(r.above_half for r in table.rows)


def test_fixed_balanced_constant():
    from exactmdm.schedules import balanced_sizes

    value, arg = ts.fixed_balanced_c_star(12)
    # recomputed from the definition: every N, not assuming SER decreases in N
    best = None
    for L in range(2, 13):
        n = 0
        while n + 1 <= L and 1 - lp.fixed_sizes_correct_exact(balanced_sizes(L, n + 1).sizes) > Fraction(1, 2):
            n += 1
        best = Fraction(n + 1, L) if best is None else min(best, Fraction(n + 1, L))
    assert value == best
    assert 0.5 < float(value) < 1
