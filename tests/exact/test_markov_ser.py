"""The Markov SER DP against the state-space engine (small L) and the letter-pair closed form (long L)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.errors import EnumerationTooLarge, InvalidArgument
from exactmdm.models import Perturbed
from exactmdm.testing import languages, schedules

markov_languages = languages(kinds=("ngram",), orders=(2,), max_vocab=3)


@given(st.data(), markov_languages, st.integers(1, 7), st.sampled_from(["oracle", "uniform", "temperature"]),
       st.booleans())
def test_markov_dp_equals_the_state_space_engine(data, lang, length, kind, as_hmm):
    sch = data.draw(schedules(length, max_steps=4, kinds=("iid",)))
    target = lang.as_hmm() if as_hmm else lang  # an HMM that is a token chain is detected, not declared
    model = None if kind == "oracle" else Perturbed(target, data.draw(st.sampled_from([0.01, 0.3])), kind)
    reference = em.exact.ser(target, length, sch, model, method="state-space")
    got = em.exact.ser(target, length, sch, model, method="markov-dp")
    # SER = 1 - P(consistent): exact to rounding in absolute terms. The temperature model is a bisection on beta
    # whose end moves with the last bits of its input row, and the two methods form the posterior row along
    # different float paths (powers of T vs forward-backward), so that kind agrees to the bisection's resolution.
    rel = 1e-9 if kind == "temperature" else 1e-12
    assert got == pytest.approx(reference, rel=rel, abs=1e-14)
    assert em.exact.ser(target, length, sch, model) == got  # "auto" picks it


@pytest.mark.parametrize("length, steps", [(3, 1), (24, 5), (40, 40)])
def test_markov_dp_equals_the_letter_pair_closed_form(length, steps):
    """The 16-symbol counterexample is a Markov chain on its tokens: the general DP must reproduce the
    transfer recurrence derived for it alone (1 - SER = E[(1/4)^K])."""
    lang = em.languages.counterexample16()
    sch = em.schedules.iid(steps, alpha="cosine")
    closed = em.exact.ser(lang, length, sch, method="letter-pair")
    assert em.exact.ser(lang, length, sch, method="markov-dp") == pytest.approx(closed, rel=1e-12, abs=1e-14)


def test_markov_dp_long_length_against_monte_carlo():
    """At L = 96 nothing else is exact: the Clopper-Pearson interval (99.9%) of 4000 samples must cover it."""
    lang = em.NGram.random(4, 2, seed=3, prune=0.15)
    sch = em.schedules.iid(24)
    exact = em.exact.ser(lang, 96, sch)
    estimate = em.montecarlo.ser(lang, 96, sch, num=4000, seed=11, confidence=0.999)
    assert 0.05 < exact < 0.95
    assert estimate.low <= exact <= estimate.high


def test_markov_dp_refusals():
    chain = em.NGram.random(3, 2, 0, prune=0.2)
    with pytest.raises(InvalidArgument, match="i.i.d."):
        em.exact.ser(chain, 6, em.schedules.fixed_sizes([3, 3]), method="markov-dp")
    with pytest.raises(InvalidArgument, match="not a Markov chain"):
        em.exact.ser(em.NGram.random(2, 3, 0), 6, em.schedules.iid(3), method="markov-dp")
    with pytest.raises(InvalidArgument, match="letter-pair"):
        em.exact.ser(chain, 6, em.schedules.iid(3), method="letter-pair")
    with pytest.raises(InvalidArgument, match="method="):
        em.exact.ser(chain, 6, em.schedules.iid(3), method="fast")
    with pytest.raises(EnumerationTooLarge, match="montecarlo.ser"):
        em.exact.ser(em.NGram.random(8, 2, 0), 4096, em.schedules.iid(64))
    assert math.isfinite(em.exact.ser(chain, 200, em.schedules.iid(2)))
