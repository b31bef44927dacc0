"""The information profile and the identity E KL = E sum_t k_t h(c_(t-1)) - H against enumeration."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.errors import EnumerationTooLarge, InvalidArgument, InvalidType
from exactmdm.exact.partition import expected_partition_kl, markov_partition_kl
from exactmdm.information import dual_total_correlation, entropy, markov_information, mutual_information_each, \
    total_correlation
from exactmdm.models import Perturbed
from exactmdm.profile import RandomSizes, model_profile, profile, random_sizes, reveal_weights
from exactmdm.testing import languages, schedules

from . import naive, naive_profile

chains = languages(kinds=("ngram",), orders=(2,), max_vocab=3)


@settings(deadline=None, max_examples=20)
@given(languages(max_vocab=2, max_states=2), st.integers(1, 4))
def test_enumeration_profile_is_the_definition(lang, length):
    prof = profile(lang, length, method="enumeration")
    assert prof.method == "enumeration" and prof.length == length
    np.testing.assert_allclose(prof.h, naive_profile.profile(lang, length), rtol=1e-10, atol=1e-12)
    assert prof.entropy == pytest.approx(entropy(lang.joint(length)), rel=1e-12, abs=1e-12)
    assert prof.low is prof.h and prof.high is prof.h


@settings(deadline=None, max_examples=25)
@given(languages(max_vocab=3, max_states=3), st.integers(1, 6))
def test_profile_properties(lang, length):
    prof = profile(lang, length)
    table = lang.joint(length)
    assert np.all(np.diff(prof.h) <= 1e-12)  # conditioning on more never raises entropy
    assert math.fsum(prof.h) == pytest.approx(prof.entropy, rel=1e-12, abs=1e-12)  # chain rule
    assert prof.total_correlation == pytest.approx(total_correlation(table), rel=1e-9, abs=1e-11)
    assert prof.dual_total_correlation == pytest.approx(dual_total_correlation(table), rel=1e-9, abs=1e-11)
    assert prof.sum_mutual_information == pytest.approx(float(np.sum(mutual_information_each(table))), rel=1e-9,
                                                        abs=1e-11)
    d = prof.to_dict()
    assert d["method"] == "enumeration" and len(d["h"]) == length


@settings(deadline=None, max_examples=25)
@given(st.data(), languages(max_vocab=3, max_states=3), st.integers(2, 6))
def test_identity_fixed_sizes_against_every_order(data, lang, length):
    sch = data.draw(schedules(length, max_steps=4, kinds=("fixed_sizes",)))
    value = profile(lang, length).expected_kl(sch)
    assert value == pytest.approx(expected_partition_kl(lang, list(sch.sizes)).kl_nats, rel=1e-9, abs=1e-12)
    if length <= 4 and lang.vocab_size == 2:  # every one of the L! orders
        assert value == pytest.approx(naive_profile.order_kl(lang, list(sch.sizes)), rel=1e-9, abs=1e-12)


@pytest.mark.slow
@settings(deadline=None, max_examples=15)
@given(st.data(), languages(max_vocab=2, max_states=2), st.integers(1, 3))
def test_identity_iid_against_every_labelling(data, lang, length):
    sch = data.draw(schedules(length, max_steps=3, kinds=("iid",)))
    value = profile(lang, length).expected_kl(sch)
    assert value == pytest.approx(naive.path_kl(lang, length, sch, em.models.Oracle(lang)), rel=1e-9, abs=1e-12)


@pytest.mark.slow
@settings(deadline=None, max_examples=10)
@given(st.data(), languages(max_vocab=2, max_states=2), st.sampled_from([0.05, 0.4]), st.sampled_from(["uniform", "temperature"]))
def test_model_adds_eps_train(data, lang, eps, kind):
    length = 3
    model = Perturbed(lang, eps, kind=kind)
    prof = profile(lang, length)
    sch = data.draw(schedules(length, max_steps=3, kinds=("fixed_sizes",)))
    assert prof.expected_kl(sch, model) == pytest.approx(expected_partition_kl(lang, list(sch.sizes), model).kl_nats,
                                                         rel=1e-9, abs=1e-12)
    iid = data.draw(schedules(length, max_steps=3, kinds=("iid",)))
    assert prof.expected_kl(iid, model) == pytest.approx(naive.path_kl(lang, length, iid, model), rel=1e-9, abs=1e-12)
    assert np.all(model_profile(lang, length, None) == 0.0)


def test_random_sizes_is_the_mixture_of_its_compositions():
    lang = em.HMM.random(2, 3, seed=4)
    comps, probs = [[1, 3], [2, 2], [4]], [0.5, 0.25, 0.25]
    sch = random_sizes(comps, probs)
    assert isinstance(sch, RandomSizes) and sch.length == 4
    expected = sum(p * expected_partition_kl(lang, c).kl_nats for c, p in zip(comps, probs))
    assert profile(lang, 4).expected_kl(sch) == pytest.approx(expected, rel=1e-10)


@given(st.integers(1, 40), st.integers(1, 6), st.sampled_from(["linear", "cosine"]))
def test_iid_reveal_weights_are_the_multinomial_law(length, steps, alpha):
    sch = em.schedules.iid(steps, alpha)
    a = reveal_weights(sch, length)
    assert a.sum() == pytest.approx(length, rel=1e-12)
    # the other form: C ~ Binomial(L, W_(t-1)), then E[k_t | C = c] = (L - c) w_t / (1 - W_(t-1))
    w = np.asarray(sch.weights)
    before = np.concatenate([[0.0], np.cumsum(w)[:-1]])
    other = np.zeros(length)
    for t in range(steps):
        if before[t] >= 1.0 - 1e-15:
            continue
        for c in range(length):
            pmf = math.comb(length, c) * before[t] ** c * (1 - before[t]) ** (length - c)
            other[c] += pmf * (length - c) * w[t] / (1 - before[t])
    np.testing.assert_allclose(a, other, rtol=1e-8, atol=1e-12)


@settings(deadline=None, max_examples=20)
@given(chains, st.integers(1, 7))
def test_markov_profile_matches_enumeration(lang, length):
    fast = profile(lang, length, method="markov")
    exact = profile(lang, length, method="enumeration")
    assert fast.method == "markov"
    np.testing.assert_allclose(fast.h, exact.h, rtol=1e-10, atol=1e-12)
    assert fast.entropy == pytest.approx(exact.entropy, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("length", [64, 1000])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_markov_profile_at_long_length(seed, length):
    lang = em.NGram.random(3, 2, seed=seed, concentration=0.5)
    prof = profile(lang, length)
    assert prof.method == "markov"
    info = markov_information(*lang.token_chain(), length)
    assert prof.entropy == pytest.approx(info["entropy"], rel=1e-12)
    assert prof.sum_mutual_information == pytest.approx(info["sum_mi"], rel=1e-9)
    assert prof.total_correlation == pytest.approx(info["tc"], rel=1e-9, abs=1e-9)
    assert prof.dual_total_correlation == pytest.approx(info["dtc"], rel=1e-9, abs=1e-9)
    assert math.fsum(prof.h) == pytest.approx(prof.entropy, rel=1e-12)
    assert np.all(np.diff(prof.h) <= 1e-12 * prof.h[0])
    if length <= 64:  # the O(L^2) fixed-partition formula of exact.partition, step by step
        for sizes in ([length // 2, length - length // 2], [1] * (length // 2) + [length - length // 2]):
            kl = prof.expected_kl(em.schedules.fixed_sizes(sizes))
            assert kl == pytest.approx(markov_partition_kl(lang, sizes), rel=1e-9, abs=1e-12)


def test_montecarlo_intervals_cover_the_exact_values():
    lang = em.HMM.random(3, 2, seed=7)
    length = 6
    exact = profile(lang, length, method="enumeration")
    mc = profile(lang, length, method="montecarlo", num=400, seed=3)
    assert mc.method == "montecarlo" and not mc.exact and mc.num == 400
    assert np.all((mc.low <= exact.h + 1e-12) & (exact.h <= mc.high + 1e-12))
    assert mc.entropy_interval[0] <= exact.entropy <= mc.entropy_interval[1]
    for sch in (em.schedules.iid(3, "cosine"), em.schedules.fixed_sizes([2, 4])):
        est = mc.expected_kl(sch)
        assert est.low <= exact.expected_kl(sch) <= est.high
    again = profile(lang, length, method="montecarlo", num=400, seed=3)
    assert np.array_equal(again.h, mc.h)  # seeded
    with pytest.raises(InvalidArgument, match="Monte Carlo"):
        mc.expected_kl(sch, Perturbed(lang, 0.1))


def test_auto_picks_the_exact_method_that_fits():
    assert profile(em.HMM.random(2, 2, seed=1), 5).method == "enumeration"
    assert profile(em.NGram.random(2, 2, seed=1), 40).method == "markov"
    assert profile(em.HMM.random(2, 2, seed=1), 30, num=4).method == "montecarlo"


def test_refusals_name_the_argument_and_the_fix():
    lang = em.HMM.random(2, 2, seed=1)
    with pytest.raises(InvalidType, match="lang="):
        profile("x", 3)
    with pytest.raises(InvalidArgument, match="method='exact'"):
        profile(lang, 3, method="exact")
    with pytest.raises(InvalidArgument, match="Markov chain"):
        profile(lang, 3, method="markov")
    with pytest.raises(EnumerationTooLarge, match="montecarlo"):
        profile(lang, 40, method="enumeration")
    with pytest.raises(EnumerationTooLarge, match="markov"):
        profile(em.NGram.random(2, 2, seed=1), 40, method="enumeration")
    with pytest.raises(InvalidArgument, match="num="):
        profile(lang, 3, method="enumeration", num=10)
    prof = profile(lang, 4)
    with pytest.raises(InvalidArgument, match="length=4"):
        prof.expected_kl(em.schedules.fixed_sizes([1, 2]))
    with pytest.raises(InvalidType, match="schedule="):
        prof.expected_kl([1, 3])
    with pytest.raises(InvalidArgument, match="probabilities"):
        random_sizes([[1, 3], [4]], [0.5, 0.6])
    with pytest.raises(InvalidArgument, match="different lengths"):
        random_sizes([[1, 3], [3]], [0.5, 0.5])
    with pytest.raises(InvalidArgument, match="one probability per composition"):
        random_sizes([[1, 3]], [0.5, 0.5])
