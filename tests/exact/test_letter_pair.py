import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.exact import letter_pair as lp
from exactmdm.theorems import theorem_ser as ts

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


# --- long-L numerics: log P(correct), no 1 - E[z^K] cancellation ---------------------------------------------
def _reference_log_correct(length, num_steps, digits=40):
    """(L-1) log(1 - 3/(4N)) at 40 digits with mpmath: an independent high-precision reference."""
    import mpmath

    with mpmath.workdps(digits):
        return float((length - 1) * mpmath.log(1 - mpmath.mpf(3) / (4 * num_steps)))


@pytest.mark.parametrize("num_steps", [1, 2, 3, 8, 64, 1024, 4096, 10**5])
def test_kl_per_token_is_finite_and_exact_at_l4096(num_steps):
    length = 4096
    reference = _reference_log_correct(length, num_steps)
    closed = lp.log_correct_uniform(length, num_steps)
    recurrence = lp.log_correct_iid(em.schedules.iid(num_steps), length)
    assert math.isfinite(closed) and math.isfinite(recurrence)
    assert closed == pytest.approx(reference, rel=1e-12)
    assert recurrence == pytest.approx(reference, rel=1e-12)
    # the check's table: KL/L in bits from the same log, finite (the old 1 - SER gave inf at N = 8)
    table, _ = ts.long_tables([length], [num_steps / length], 10, 0)
    assert math.isfinite(table.rows[0].kl_bits_per_token)
    assert table.rows[0].kl_bits_per_token == pytest.approx(-reference / math.log(2) / length, rel=1e-12)


def test_nonuniform_weights_log_recurrence_matches_exact_rationals_at_long_l():
    sch = em.schedules.iid(4, "poly:2")  # rational weights: the Fraction recurrence is exact
    length = 1024
    exact = lp.same_step_generating(sch.exact_weights, Fraction(1, 4), length)
    reference = math.log(exact.numerator) - math.log(exact.denominator)
    assert lp.log_correct_iid(sch, length) == pytest.approx(reference, rel=1e-12)
    matching = lp.matching_generating(sch.exact_weights, Fraction(1, 3), 512)
    assert lp.log_matching_generating(sch.weights, 1 / 3, 512) == pytest.approx(
        math.log(matching.numerator) - math.log(matching.denominator), rel=1e-12)


def test_ter_long_table_is_finite_where_ser_rounds_to_one():
    from exactmdm.theorems import theorem_ter

    result = theorem_ter.check(families=["ngram2-V2"], seeds=[0], lengths=[2], steps=[1, 2], eps=[0.05],
                               long_lengths=[4096], long_steps=[1, 8], long_families=["ngram3-V2"],
                               long_model_steps=[4096], samples=2, exact_samples=0)
    rows = result.table("LetterPairRow").rows
    assert all(math.isfinite(r.eps_total_percent) and r.eps_total_percent > 0 for r in rows)
    assert rows[1].N == 8
    assert rows[1].eps_total_percent == pytest.approx(100 * math.expm1(-_reference_log_correct(4096, 8) / 4096),
                                                      rel=1e-12)


def _letter_pair_chain(letters: int, perm=None) -> em.NGram:
    """A letter-pair chain over ``letters`` letters built by hand, tokens relabelled by ``perm``."""
    vocab = letters * letters
    perm = np.arange(vocab) if perm is None else np.asarray(perm)
    transition = np.zeros((vocab, vocab))
    for a, b, c in itertools.product(range(letters), repeat=3):
        transition[perm[letters * a + b], perm[letters * b + c]] = 1.0 / letters
    return em.NGram(2, np.full(vocab, 1.0 / vocab), transition)


def test_letter_pairs_are_recognised_under_any_labels_and_forms():
    perm = np.random.default_rng(0).permutation(16)
    relabelled = _letter_pair_chain(4, perm)
    assert not em.languages.same_language(relabelled, em.languages.counterexample16())
    k, left, right = lp.letter_pairs(relabelled)
    assert k == 4
    t = relabelled.transition
    for x, y in itertools.product(range(16), repeat=2):  # the recovered letters explain every transition
        assert (t[x, y] > 0) == (right[x] == left[y])
    for lang in (relabelled, relabelled.as_hmm(), _letter_pair_chain(3), em.languages.counterexample16()):
        assert lp.letter_pairs(lang) is not None


def test_near_copies_are_not_letter_pairs():
    base = em.languages.counterexample16()
    tilted = base.transition.copy()
    tilted[0, :4] = [0.4, 0.2, 0.2, 0.2]  # same support, not uniform letters
    shifted = base.transition.copy()
    shifted[0] = np.roll(shifted[0], 1)  # one row reaches the wrong tokens
    start = np.full(16, 1 / 16)
    start[:2] = [1 / 8, 0.0]
    for lang in (em.NGram(2, base.initial, tilted), em.NGram(2, base.initial, shifted), em.NGram(2, start, base.transition),
                 em.NGram.random(4, 2, seed=0), em.HMM.random(4, 16, seed=0), em.NGram(2, [1.0], [[1.0]])):
        assert lp.letter_pairs(lang) is None


@pytest.mark.parametrize("length, n", [(3, 2), (4, 3)])
def test_exact_ser_dispatches_on_the_letter_pair_property(length, n):
    sch = em.schedules.iid(n, "cosine")
    relabelled = _letter_pair_chain(4, np.random.default_rng(1).permutation(16))
    assert em.exact.ser(relabelled, 64, sch) == em.exact.ser(em.languages.counterexample16(), 64, sch)
    for lang in (relabelled.as_hmm(), _letter_pair_chain(3)):
        exact = em.exact.output_distribution(lang, length, sch).escaped
        assert em.exact.ser(lang, length, sch, method="letter-pair") == pytest.approx(exact, rel=1e-12)
    near = em.NGram(2, relabelled.initial, np.where(relabelled.transition > 0, relabelled.transition, 0.0)[::-1])
    with pytest.raises(em.errors.InvalidArgument, match="letter-pair chain"):
        em.exact.ser(near, length, sch, method="letter-pair")


def test_exact_ser_refuses_a_recurrence_beyond_the_work_budget_before_starting():
    with pytest.raises(em.errors.EnumerationTooLarge, match=r"L=1000000, N=1000000.*log_correct_uniform"):
        em.exact.ser(em.languages.counterexample16(), 10**6, em.schedules.iid(10**6))
    assert lp.log_correct_uniform(10**6, 10**6) < 0  # the alternative the message names
