"""The Markov gap DP against the revealed-set DP (itself checked against literal enumeration)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.errors import InvalidArgument
from exactmdm.models import Perturbed
from exactmdm.testing import languages, schedules

markov_languages = languages(kinds=("ngram",), orders=(2,), max_vocab=3)


@given(st.data(), markov_languages, st.integers(1, 13), st.sampled_from(["oracle", "uniform", "temperature"]),
       st.booleans())
def test_gap_dp_equals_the_revealed_set_dp(data, lang, length, kind, as_hmm):
    sch = data.draw(schedules(length, max_steps=4, kinds=("iid",)))
    model = None if kind == "oracle" else Perturbed(lang, data.draw(st.sampled_from([0.01, 0.3])), kind)
    target = lang.as_hmm() if as_hmm else lang  # an HMM that is a token chain is detected, not declared
    x = lang.sample(1, length, seed=data.draw(st.integers(0, 10**6)))[0]
    model = None if model is None else Perturbed(target, model.eps_learning, kind)
    assert em.exact.choose_method(target, sch, model) == "gap-dp"
    reference = em.exact.sequence_prob(target, x, sch, model, method="revealed-set")
    got = em.exact.sequence_logprob(target, x, sch, model)
    # the temperature model is a bisection on beta, whose end moves with the last bits of its input row; the two
    # methods form the posterior row along different float paths (powers of T vs forward-backward), so that kind
    # agrees to the bisection's resolution, the others to rounding
    rel = 1e-9 if kind == "temperature" else 1e-12
    assert got == pytest.approx(math.log(reference), rel=rel, abs=1e-13)


def gap_recursion_reference(lang, x, schedule, model):
    """p(x) by the gap recursion written out plainly: F(a, b, k) for every gap and step, each by the sum over the
    set revealed at step k taken left to right (H(j) = probability-weighted sum over the revealed sets whose last
    element is j). Rows come from the model called on the state with only the gap's ends revealed (the
    masked forward-backward for the oracle); no code is shared with the Numba kernel."""
    length = len(x)

    def row(a, b, j):
        xt = np.full(length, em.MASK)
        if a >= 0:
            xt[a] = x[a]
        if b < length:
            xt[b] = x[b]
        return model(xt[None])[0, j] if model is not None else em.posterior(lang, xt)[j]

    rates = schedule.rates
    memo = {}

    def f(a, b, k):
        n = b - a - 1
        if k == len(rates):
            return 1.0 if n == 0 else 0.0
        if (a, b, k) not in memo:
            r = rates[k]
            probs = {j: row(a, b, j)[x[j]] for j in range(a + 1, b)}
            h = {}
            for j in range(a + 1, b):
                total = (1 - r) ** (j - a - 1) * f(a, j, k + 1)
                total += sum(h[i] * (1 - r) ** (j - i - 1) * f(i, j, k + 1) for i in range(a + 1, j))
                h[j] = r * probs[j] * total
            memo[a, b, k] = (1 - r) ** n * f(a, b, k + 1) + sum(h[j] * (1 - r) ** (b - j - 1) * f(j, b, k + 1)
                                                                 for j in range(a + 1, b))
        return memo[a, b, k]

    return f(-1, length, 0)


@pytest.mark.parametrize("length, kind", [(21, None), (30, "uniform")])
def test_gap_dp_equals_the_plain_recursion_past_one_block(length, kind):
    """Lengths past the kernel's block of 8 positions (the hypothesis test above reaches 13)."""
    lang = em.NGram.random(3, 2, seed=length, prune=0.2)
    x = lang.sample(1, length, seed=1)[0]
    schedule = em.schedules.iid(4, alpha="cosine")
    model = None if kind is None else Perturbed(lang, 0.2, kind)
    reference = gap_recursion_reference(lang, x, schedule, model)
    assert em.exact.sequence_logprob(lang, x, schedule, model) == pytest.approx(math.log(reference), rel=1e-12)


def test_letter_pair_chain_closed_form_at_long_length():
    """p(x) = q(x) (1 - 3/(4N))^(L-1) for every support x (the oracle agrees unless a same-step pair collides)."""
    lang = em.languages.counterexample16()
    x = lang.sample(1, 160, seed=4)[0]
    for n in (1, 3, 40):
        got = em.exact.sequence_logprob(lang, x, em.schedules.iid(n))
        assert got - lang.log_prob(x) == pytest.approx(159 * math.log1p(-0.75 / n), rel=1e-12)


@pytest.mark.slow
def test_tilted_tables_stay_finite_where_p_over_q_underflows():
    lang = em.languages.counterexample16()
    x = lang.sample(1, 520, seed=1)[0]  # p(x)/q(x) = 4^-519 = e^-719.5 < 1e-308
    got = em.exact.sequence_logprob(lang, x, em.schedules.iid(1))
    assert math.isfinite(got)
    assert got - lang.log_prob(x) == pytest.approx(519 * math.log(0.25), rel=1e-12)


def test_auto_method_and_clear_errors():
    chain = em.NGram.random(3, 2, 0)
    trigram = em.NGram.random(2, 3, 0)
    x = chain.sample(1, 6, seed=0)[0]
    assert em.exact.choose_method(trigram, em.schedules.iid(3)) == "revealed-set"
    assert em.exact.choose_method(chain, em.schedules.fixed_sizes([3, 3])) == "revealed-set"
    with pytest.raises(InvalidArgument, match="not a Markov chain"):
        em.exact.sequence_logprob(trigram, trigram.sample(1, 5, seed=0)[0], em.schedules.iid(2), method="gap-dp")
    with pytest.raises(InvalidArgument, match="i.i.d."):
        em.exact.sequence_logprob(chain, x, em.schedules.fixed_sizes([3, 3]), method="gap-dp")
    with pytest.raises(InvalidArgument, match="method="):
        em.exact.sequence_logprob(chain, x, em.schedules.iid(2), method="fast")
    lookup = em.testing.lookup_model(3, 0)
    with pytest.raises(InvalidArgument, match="row transform"):
        em.exact.sequence_logprob(chain, x, em.schedules.iid(2), lookup, method="gap-dp")
    bad = np.array([0, 0, 0])
    pruned = em.NGram(2, [1.0, 0.0], [[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(InvalidArgument, match="not in the support"):
        em.exact.sequence_logprob(pruned, bad, em.schedules.iid(2))
