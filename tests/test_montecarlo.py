"""Monte Carlo: the sampler against exact output laws, interval coverage, reproducibility, bad inputs."""

import math
from fractions import Fraction

import numpy as np
import pytest

import exactmdm as em
from exactmdm import montecarlo as mc
from exactmdm.errors import InvalidArgument
from exactmdm.models import Perturbed
from exactmdm.testing import assert_sampler_matches_exact

from . import naive

MARKOV = em.NGram.random(3, 2, 0, prune=0.2)
HMM = em.HMM.random(3, 3, 0, prune=0.2)
SCHEDULES = [em.schedules.iid(3, "cosine"), em.schedules.fixed_sizes([2, 1, 1])]


@pytest.mark.parametrize("lang", [MARKOV, HMM], ids=["markov-fast-path", "general-hmm"])
@pytest.mark.parametrize("schedule", SCHEDULES, ids=["iid", "fixed"])
@pytest.mark.parametrize("perturbed", [False, True])
def test_sampler_matches_the_exact_output_law(lang, schedule, perturbed):
    """Exact binomial tests per cell, Bonferroni: a correct sampler fails with probability <= 1e-4."""
    model = Perturbed(lang, 0.2, "temperature") if perturbed else None
    assert_sampler_matches_exact(lambda num, seed: mc.sample(lang, 4, schedule, model, num=num, seed=seed), lang, 4,
                                 schedule, model, num_samples=20000, alpha=1e-4)


def test_planted_bug_is_caught():
    """A sampler that reveals with the rates of a different schedule fails the same test."""
    with pytest.raises(AssertionError, match="worst cells"):
        assert_sampler_matches_exact(
            lambda num, seed: mc.sample(MARKOV, 4, em.schedules.iid(2), num=num, seed=seed), MARKOV, 4,
            em.schedules.iid(3), num_samples=20000, alpha=1e-4)


def test_clopper_pearson_covers_at_the_stated_rate():
    """200 independent runs at 90%: Clopper-Pearson is conservative, so >= 180 cover in expectation; fewer
    than 168 happens with probability < 1e-3 for a correct interval (binomial tail)."""
    schedule = em.schedules.iid(2)
    exact = em.exact.ser(MARKOV, 4, schedule)
    covered = sum(e.low <= exact <= e.high for e in (mc.ser(MARKOV, 4, schedule, num=300, seed=s, confidence=0.9)
                                                     for s in range(200)))
    assert covered >= 168


def test_clopper_pearson_against_exact_rationals():
    """The interval ends solve P(X >= k | p_low) = a/2 and P(X <= k | p_high) = a/2 (binomial sums in Fractions)."""
    n, k, conf = 40, 7, 0.95
    low, high = mc.clopper_pearson(k, n, conf)

    def tail_ge(p):
        p = Fraction(p)
        return float(sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1)))

    def tail_le(p):
        p = Fraction(p)
        return float(sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(0, k + 1)))

    assert tail_ge(low) == pytest.approx(0.025, rel=1e-9)
    assert tail_le(high) == pytest.approx(0.025, rel=1e-9)


def test_unbiased_kl_interval_covers_the_exact_value():
    schedule = em.schedules.iid(2)
    exact = em.metrics.evaluate(MARKOV, em.exact.output_distribution(MARKOV, 4, schedule)).kl_bits_per_token
    est = mc.kl_per_token(MARKOV, 4, schedule, num=4000, seed=5, confidence=0.999)
    assert est.kind == "unbiased" and est.unit == "bits/token"
    assert est.low <= exact <= est.high


def test_path_kl_estimates_the_exact_path_kl_which_bounds_kl():
    schedule = em.schedules.iid(2)
    exact_kl = em.metrics.evaluate(HMM, em.exact.output_distribution(HMM, 3, schedule)).kl_nats
    path = naive.path_kl(HMM, 3, schedule, em.models.Oracle(HMM))
    assert path >= exact_kl - 1e-12
    est = mc.kl_per_token(HMM, 3, schedule, num=20000, seed=2, confidence=0.999, base="nats")
    assert est.kind == "upper bound"
    assert est.low <= path / 3 <= est.high


def test_sequences_are_reproducible_per_index():
    schedule = em.schedules.iid(16)
    lang = em.NGram.random(8, 2, 1, prune=0.05)
    a = mc.sample(lang, 64, schedule, num=10, seed=3)
    b = mc.sample(lang, 64, schedule, num=50, seed=3)
    assert np.array_equal(a, b[:10])
    assert not np.array_equal(a, mc.sample(lang, 64, schedule, num=10, seed=4))


def test_long_length_markov_sampling_is_finite_and_on_the_support():
    lang = em.NGram.random(8, 2, 1, prune=0.0)  # no pruning: the sampler never leaves the support
    out = mc.sample(lang, 1024, em.schedules.iid(256), num=20, seed=0)
    assert (out >= 0).all() and lang.in_support(out).all()


def test_bad_inputs_are_refused():
    with pytest.raises(InvalidArgument, match="num=0"):
        mc.ser(MARKOV, 4, em.schedules.iid(2), num=0, seed=0)
    with pytest.raises(InvalidArgument, match="confidence"):
        mc.ser(MARKOV, 4, em.schedules.iid(2), num=10, seed=0, confidence=1.5)
    with pytest.raises(InvalidArgument, match="sum to the sequence length"):
        mc.sample(MARKOV, 5, em.schedules.fixed_sizes([2, 2]), num=10, seed=0)
    with pytest.raises(TypeError, match="schedule"):
        mc.sample(MARKOV, 4, "linear", num=10, seed=0)


@pytest.mark.parametrize("strategy", ["random", "confidence", "margin", "entropy"])
def test_prompted_and_remasking_samplers_match_the_exact_law_and_the_torch_sampler(strategy):
    lang = em.NGram.random(3, 2, seed=5, prune=0.1)
    prompt = np.array([int(lang.sample(1, 5, seed=3)[0][0]), -1, -1, -1, -1])
    for schedule in (em.schedules.fixed_sizes([2, 1, 1]), em.schedules.iid(3)):
        report = em.testing.assert_sampler_matches_exact(
            lambda n, s: em.montecarlo.sample(lang, 5, schedule, num=n, seed=s, given=prompt, strategy=strategy),
            lang, 5, schedule, num_samples=20_000, given=prompt, strategy=strategy)
        assert report.passed
    torch = pytest.importorskip("torch")
    from exactmdm import neural

    schedule = em.schedules.fixed_sizes([2, 1, 1])
    ours = em.montecarlo.sample(lang, 5, schedule, num=300, seed=7, given=prompt, strategy=strategy)
    theirs = neural.sample(neural.TorchOracle(lang), 5, schedule, num=300, seed=7, device="cpu", given=prompt,
                           strategy=strategy).numpy()
    assert torch.equal(torch.as_tensor(ours), torch.as_tensor(theirs))  # one stream, two implementations
    estimate = em.montecarlo.ser(lang, 5, schedule, num=4000, seed=1, given=prompt, strategy=strategy)
    exact = em.exact.output_distribution(lang, 5, schedule, given=prompt, strategy=strategy).escaped
    assert estimate.low <= exact <= estimate.high


@pytest.mark.parametrize("strategy", ["random", "confidence"])
def test_llada_blocks_in_monte_carlo_match_the_exact_law_and_the_torch_sampler(strategy):
    lang = em.NGram.random(3, 2, seed=5, prune=0.1)
    prompt = np.array([int(lang.sample(1, 5, seed=3)[0][0]), -1, -1, -1, -1])
    schedule = em.schedules.llada(4, 4, 2)
    report = em.testing.assert_sampler_matches_exact(
        lambda n, s: em.montecarlo.sample(lang, 5, schedule, num=n, seed=s, given=prompt, strategy=strategy),
        lang, 5, schedule, num_samples=20_000, given=prompt, strategy=strategy)
    assert report.passed
    torch = pytest.importorskip("torch")
    from exactmdm import neural

    ours = em.montecarlo.sample(lang, 5, schedule, num=300, seed=2, given=prompt, strategy=strategy)
    theirs = neural.sample(neural.TorchOracle(lang), 5, schedule, num=300, seed=2, device="cpu", given=prompt,
                           strategy=strategy).numpy()
    assert torch.equal(torch.as_tensor(ours), torch.as_tensor(theirs))
    with pytest.raises(ValueError, match="LLaDA's layout"):
        em.montecarlo.sample(lang, 5, schedule, num=2, seed=0)
