"""The block transfer (exact SER and KL of LLaDA's sampler at any length, Markov chains) against the whole-sequence
engine at small L, and against Monte Carlo at long L."""

import math

import numpy as np
import pytest
from hypothesis import given as given_, note, settings
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.errors import InvalidArgument
from exactmdm.testing import languages

from .test_remasking import one_token_prompt


@settings(max_examples=25, deadline=None)
@given_(st.data(), languages(max_vocab=3, max_states=3, kinds=("hmm", "ngram"), orders=(2,)),
        st.sampled_from([(6, 6, 2), (6, 3, 2), (4, 2, 2), (6, 4, 3), (4, 4, 1), ("iid", 6, 2), ("iid", 6, 3)]),
        st.integers(0, 1),
        st.sampled_from([("random", 1.0), ("confidence", 0.0), ("confidence", 1.0), ("margin", 0.5)]))
def test_the_block_transfer_is_the_whole_sequence_law(data, lang, llada, prompt, rule):
    """SER and KL from the V x V transfer equal those of the whole-sequence law (the engines behind it are
    checked against the literal LLaDA sampler in test_remasking.py)."""
    if lang.token_chain() is None:
        return
    gen, steps, width = llada
    if gen == "iid":  # blocks of an i.i.d. schedule (schedules.blocks)
        gen, schedule = steps, em.schedules.blocks(em.schedules.iid(2, "cosine"), width, steps)
    else:
        schedule = em.schedules.llada(gen, steps, width)
    length = gen + prompt
    start = one_token_prompt(data, lang, length) if prompt else None
    model = data.draw(st.sampled_from([None, em.models.Perturbed(lang, 0.1),
                                       em.models.Perturbed(lang, 0.1, "temperature")]))
    strategy, temperature = rule
    note(f"{schedule.name} given={start} {getattr(model, 'name', None)} {rule}")
    out = em.exact.output_distribution(lang, length, schedule, model, given=start, strategy=strategy,
                                       temperature=temperature)
    fast = em.exact.block_metrics(lang, length, schedule, model, given=start, strategy=strategy,
                                  temperature=temperature)
    assert fast.ser == pytest.approx(em.metrics.ser(lang, out), abs=1e-12)
    reference = em.metrics.kl(lang, out, base="nats")
    assert (fast.kl == reference == math.inf) or fast.kl == pytest.approx(reference, rel=1e-9, abs=1e-12)
    if strategy == "random":
        assert em.exact.ser(lang, length, schedule, model, given=start) == fast.ser  # "auto" takes the transfer


def test_long_llada_ser_against_monte_carlo():
    """At gen_length = 96 in blocks of 4 (no whole-sequence engine reaches it) the exact SER lies in the Monte
    Carlo sampler's 99.9% Clopper-Pearson interval, for random and low-confidence remasking."""
    lang = em.NGram.random(3, 2, seed=5, prune=0.3)
    length, prompt = 100, 4
    schedule = em.schedules.llada(96, 48, 4)
    x = lang.sample(1, length, seed=0)[0]
    start = np.where(np.arange(length) < prompt, x, em.MASK)
    for strategy in ("random", "confidence"):
        exact = em.exact.block_metrics(lang, length, schedule, given=start, strategy=strategy)
        estimate = em.montecarlo.ser(lang, length, schedule, num=4000, seed=1, given=start, strategy=strategy,
                                     confidence=0.999)
        assert estimate.low <= exact.ser <= estimate.high, (strategy, exact.ser, estimate)
        assert 0.05 < exact.ser < 0.95  # a case where the check can fail
    assert math.isfinite(exact.kl) and exact.kl_per_token > 0


def test_refusals_name_the_reason():
    hmm = em.HMM.random(3, 3, seed=0)
    schedule = em.schedules.llada(4, 2, 2)
    with pytest.raises(InvalidArgument, match="not a Markov chain"):
        em.exact.block_metrics(hmm, 4, schedule)
    lang = em.NGram.random(3, 2, seed=1)
    with pytest.raises(InvalidArgument, match="row transform"):
        em.exact.block_metrics(lang, 4, schedule, em.testing.lookup_model(3, seed=0))
    with pytest.raises(TypeError, match="schedules.llada"):
        em.exact.block_metrics(lang, 4, em.schedules.iid(2))
    with pytest.raises(InvalidArgument, match="LLaDA's layout"):
        em.exact.block_metrics(lang, 5, schedule, given=[-1, 0, -1, -1, -1])


def test_long_block_kl_against_the_monte_carlo_mean_of_exact_log_ratios():
    """KL from the transfer against montecarlo.kl_per_token ("exact": log q(x) - log p(x) over x ~ q, with p(x)
    by the revealed-set DP block by block for LLaDA's blocks, by the gap DP for blocks of an i.i.d. schedule: other
    routes); the path-KL method refuses block schedules by name."""
    lang = em.NGram.random(3, 2, seed=0, prune=0.1)
    for schedule, route in ((em.schedules.llada(64, 32, 4), "block by block"),
                            (em.schedules.blocks(em.schedules.iid(3, "cosine"), 4, 64), "gap DP")):
        exact = em.exact.block_metrics(lang, 64, schedule)
        estimate = em.montecarlo.kl_per_token(lang, 64, schedule, num=400, seed=3, base="nats", confidence=0.999)
        assert estimate.kind == "unbiased" and route in estimate.method
        assert estimate.low <= exact.kl_per_token <= estimate.high, (schedule.name, exact.kl_per_token, estimate)
        with pytest.raises(InvalidArgument, match="method='path' does not take"):
            em.montecarlo.kl_per_token(lang, 64, schedule, num=10, seed=0, method="path")


def test_a_block_too_large_is_refused_before_any_work():
    lang = em.NGram.random(3, 2, seed=1)
    with pytest.raises(em.errors.EnumerationTooLarge, match="one block of 32 positions.*montecarlo.ser"):
        em.exact.ser(lang, 64, em.schedules.llada(64, 32, 32))
