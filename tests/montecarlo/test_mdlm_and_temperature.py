"""MDLM's schedule (its noise-removal argmax) and the sampling temperature in the Monte Carlo and the torch
samplers: one random stream, two implementations, one exact law."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import exactmdm as em
from exactmdm.errors import InvalidArgument, InvalidType
from exactmdm.exact.remasking import position_scores, tempered_rows
from exactmdm.montecarlo import samplers
from exactmdm.testing import assert_sampler_matches_exact, languages

LANG = em.NGram.random(3, 2, seed=5, prune=0.1)  # V = 3 with pruned transitions: the samplers leave the support
PROMPT = np.array([int(LANG.sample(1, 5, seed=3)[0][0]), -1, -1, -1, -1])
NUM = 20_000


def both_samplers(lang, length, schedule, *, strategy="random", temperature=1.0, given=None):
    """``sample_fn`` of the Monte Carlo sampler that also checks the torch sampler draws the very same sequences
    (torch is optional: without it only Monte Carlo is tested)."""

    def sample_fn(num, seed):
        ours = em.montecarlo.sample(lang, length, schedule, num=num, seed=seed, strategy=strategy,
                                    temperature=temperature, given=given)
        try:
            from exactmdm import neural
        except ImportError:
            return ours
        theirs = neural.sample(neural.TorchOracle(lang), length, schedule, num=num, seed=seed, device="cpu",
                               strategy=strategy, temperature=temperature, given=given, batch_size=4096).numpy()
        np.testing.assert_array_equal(ours, theirs)
        return ours

    return sample_fn


@pytest.mark.parametrize("strategy", ["random", "confidence"])
@pytest.mark.parametrize("noise", ["loglinear", "cosine"])
def test_mdlm_noise_removal_matches_the_exact_law_in_both_samplers(noise, strategy):
    # eps = 0.3: a position is left for the argmax step with probability 0.3 (loglinear) or 0.11 (cosine)
    schedule = em.schedules.mdlm(2, noise, eps=0.3)
    report = assert_sampler_matches_exact(both_samplers(LANG, 4, schedule, strategy=strategy), LANG, 4, schedule,
                                          num_samples=NUM, strategy=strategy)
    assert report.passed


@pytest.mark.parametrize("strategy", ["random", "confidence"])
@pytest.mark.parametrize("temperature", [0.0, 0.5, 2.0])
def test_a_temperature_matches_the_exact_law_in_both_samplers(temperature, strategy):
    schedule = em.schedules.iid(2)
    report = assert_sampler_matches_exact(both_samplers(LANG, 4, schedule, strategy=strategy, temperature=temperature),
                                          LANG, 4, schedule, num_samples=NUM, strategy=strategy,
                                          temperature=temperature)
    assert report.passed and f"temperature={temperature:g}" in report.law


def test_random_remasking_at_a_temperature_is_the_tempered_model():
    """Independent of the engine's temperature= argument: with strategy="random" the tempered sampler is the
    T = 1 sampler of the model whose rows are tempered_rows(p, T)."""
    schedule = em.schedules.fixed_sizes([2, 1, 1])
    tempered = em.models.FunctionModel(lambda xt: tempered_rows(em.inference.posterior_batch(LANG, xt)[0], 0.5),
                                       LANG.vocab_size, name="posterior at T=0.5", defined_off_support=False)
    law = em.exact.output_distribution(LANG, 4, schedule, tempered, temperature=1.0)
    report = assert_sampler_matches_exact(both_samplers(LANG, 4, schedule, temperature=0.5), LANG, 4, schedule,
                                          num_samples=NUM, law=law)
    assert report.passed


def test_mdlm_at_a_temperature_with_a_prompt_and_its_ser():
    schedule = em.schedules.mdlm(3, "cosine", eps=0.2)
    options = dict(strategy="confidence", temperature=0.5, given=PROMPT)
    report = assert_sampler_matches_exact(both_samplers(LANG, 5, schedule, **options), LANG, 5, schedule,
                                          num_samples=NUM, **options)
    assert report.passed
    estimate = em.montecarlo.ser(LANG, 5, schedule, num=4000, seed=1, **options)
    exact = em.exact.output_distribution(LANG, 5, schedule, **options).escaped
    assert estimate.low <= exact <= estimate.high


@settings(max_examples=15)
@given(st.data())
def test_monte_carlo_and_torch_draw_the_same_sequences_for_mdlm_and_temperatures(data):
    torch = pytest.importorskip("torch")
    from exactmdm import neural

    lang = data.draw(languages(max_vocab=3, max_states=3))
    length = data.draw(st.integers(1, 5))
    schedule = em.schedules.mdlm(data.draw(st.integers(1, 3)), data.draw(st.sampled_from(["loglinear", "cosine"])),
                                 eps=data.draw(st.sampled_from([0.0, 0.05, 0.5])))
    temperature = data.draw(st.sampled_from([0.0, 0.5, 1.0, 2.0]))
    strategy = data.draw(st.sampled_from(["random", "confidence"]))
    seed = data.draw(st.integers(0, 2**32))
    want = em.montecarlo.sample(lang, length, schedule, num=64, seed=seed, strategy=strategy, temperature=temperature)
    got = neural.sample(neural.TorchOracle(lang), length, schedule, num=64, seed=seed, device="cpu", strategy=strategy,
                        temperature=temperature, batch_size=17).numpy()
    correct = (want >= 0).all(axis=1) & lang.in_support(np.maximum(want, 0))
    assert torch.equal(torch.as_tensor(got[correct]), torch.as_tensor(want[correct]))
    # Off the support the Markov fast path (eps = 0, T = 1, random) may fill positions the other paths leave
    # masked; every path must still report a sequence error there.
    wrong = got[~correct]
    assert ((wrong < 0).any(axis=1) | ~lang.in_support(np.maximum(wrong, 0))).all()


def test_planted_bug_the_noise_removal_step_draws_instead_of_taking_the_argmax(monkeypatch):
    schedule = em.schedules.mdlm(2, "loglinear", eps=0.3)
    monkeypatch.setattr(samplers, "sampling_rows", lambda probs, temperature, argmax: tempered_rows(probs, temperature))
    with pytest.raises(AssertionError, match="worst cells"):
        assert_sampler_matches_exact(lambda n, s: em.montecarlo.sample(LANG, 4, schedule, num=n, seed=s), LANG, 4,
                                     schedule, num_samples=NUM)


def test_planted_bug_the_temperature_reaches_the_confidence_scores(monkeypatch):
    schedule = em.schedules.iid(2)
    monkeypatch.setattr(samplers, "position_scores",
                        lambda probs, drawn, strategy: position_scores(tempered_rows(probs, 0.5), drawn, strategy))
    with pytest.raises(AssertionError, match="worst cells"):
        assert_sampler_matches_exact(
            lambda n, s: em.montecarlo.sample(LANG, 4, schedule, num=n, seed=s, strategy="confidence", temperature=0.5),
            LANG, 4, schedule, num_samples=NUM, strategy="confidence", temperature=0.5)


@pytest.mark.parametrize("temperature", [-1.0, float("nan"), float("inf"), "hot", True])
def test_a_bad_temperature_is_refused_by_name(temperature):
    schedule = em.schedules.iid(2)
    with pytest.raises(InvalidArgument, match="temperature="):
        em.montecarlo.sample(LANG, 4, schedule, num=2, seed=0, temperature=temperature)
    with pytest.raises(InvalidArgument, match="temperature="):
        em.montecarlo.ser(LANG, 4, schedule, num=2, seed=0, temperature=temperature)
    with pytest.raises(InvalidArgument, match="temperature="):
        assert_sampler_matches_exact(lambda n, s: None, LANG, 4, schedule, num_samples=2, temperature=temperature)


def test_mdlm_kernel_arrays_come_with_the_argmax_flag():
    reveal, final_argmax = em.schedules.sampler_schedule(em.schedules.mdlm(4, eps=0.1))
    assert final_argmax and reveal.num_steps == 5 and reveal.rates[-1] == 1.0
    reveal, final_argmax = em.schedules.sampler_schedule(em.schedules.mdlm(4, eps=0.0))
    assert not final_argmax and reveal.num_steps == 4
    with pytest.raises(InvalidType, match="sampler_schedule"):  # the reveal law alone would drop the argmax
        em.montecarlo.schedule_arrays(em.schedules.mdlm(4, eps=0.1), 4)


def test_kl_per_token_takes_mdlm_and_refuses_its_infinite_path_kl():
    hmm = em.HMM.random(2, 3, seed=0, prune=0.25)  # not a Markov chain: method "auto" is the path KL
    assert em.montecarlo.kl_per_token(hmm, 4, em.schedules.mdlm(2, eps=0.0), num=50, seed=0).kind == "upper bound"
    with pytest.raises(InvalidArgument, match=r"path KL of schedule=mdlm\(N=2.*infinite.*method='exact'"):
        em.montecarlo.kl_per_token(hmm, 4, em.schedules.mdlm(2, eps=0.3), num=50, seed=0)


@pytest.mark.parametrize("strategy", ["random", "confidence"])
@pytest.mark.parametrize("inner", [em.schedules.iid(2, "cosine"), em.schedules.fixed_sizes([1, 1])])
def test_blocks_of_any_schedule_in_both_samplers(inner, strategy):
    """``schedules.blocks`` after a prompt, in Monte Carlo and torch (identical draws) against the exact law; and
    ``neural.sample(blocks=K)`` with the inner schedule is the same sampler (same draws) as ``blocks(inner, L/K, L)``."""
    schedule = em.schedules.blocks(inner, 2, 4)
    report = assert_sampler_matches_exact(both_samplers(LANG, 5, schedule, strategy=strategy, given=PROMPT), LANG, 5,
                                          schedule, num_samples=NUM, strategy=strategy, given=PROMPT)
    assert report.passed
    neural = pytest.importorskip("exactmdm.neural")
    with_k = neural.sample(neural.TorchOracle(LANG), 4, inner, num=2000, seed=7, blocks=2, strategy=strategy,
                           batch_size=4096).numpy()
    np.testing.assert_array_equal(with_k, em.montecarlo.sample(LANG, 4, schedule, num=2000, seed=7, strategy=strategy))


def test_planted_bug_blocks_in_the_wrong_order_are_caught(monkeypatch):
    """A sampler that generates the blocks right to left is told apart from the exact law of left to right."""
    schedule = em.schedules.blocks(em.schedules.iid(2), 2, 4)
    law = em.exact.output_distribution(LANG, 4, schedule)
    right_to_left = em.schedules.Blockwise.block_ranges
    monkeypatch.setattr(em.schedules.Blockwise, "block_ranges",
                        lambda self, length, given=None: right_to_left(self, length, given)[::-1])
    with pytest.raises(AssertionError, match="worst cells"):
        assert_sampler_matches_exact(lambda n, s: em.montecarlo.sample(LANG, 4, schedule, num=n, seed=s), LANG, 4,
                                     schedule, num_samples=NUM, law=law)
