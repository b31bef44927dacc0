import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.errors import ImpossibleEvidence, InvalidArgument
from exactmdm.exact import partition
from exactmdm.inference import log_evidence, support_consistent
from exactmdm.testing import languages, masked_sequences

from . import naive


@given(st.data(), languages(), st.integers(1, 4))
def test_posterior_matches_enumeration_in_rationals(data, lang, length):
    q = naive.joint(lang, length, exact=True)
    xt = data.draw(masked_sequences(lang, length))
    ref = naive.posterior(q, tuple(xt), lang.vocab_size)
    got = em.posterior(lang, xt)
    assert got.shape == (length, lang.vocab_size)
    for i in range(length):
        for v in range(lang.vocab_size):
            assert got[i, v] == pytest.approx(float(ref[i][v]), rel=1e-12, abs=1e-15)


@given(st.data(), languages(max_vocab=3), st.integers(2, 5))
def test_batched_posterior_equals_single_calls(data, lang, length):
    xts = np.array([data.draw(masked_sequences(lang, length)) for _ in range(4)])
    batch = em.posterior(lang, xts)
    for b in range(4):
        np.testing.assert_array_equal(batch[b], em.posterior(lang, xts[b]))


def test_posterior_is_stable_at_length_4096():
    lang = em.HMM.random(5, 4, seed=11, prune=0.05)
    x = lang.sample(1, 4096, seed=2)[0]
    rng = np.random.default_rng(0)
    xt = np.where(rng.random(4096) < 0.7, -1, x)
    got = em.posterior(lang, xt)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(got, naive.log_forward_backward(lang, xt), rtol=1e-9, atol=1e-12)
    assert np.isfinite(log_evidence(lang, xt))


def test_impossible_evidence_is_an_error_not_nan():
    lang = em.languages.counterexample16()
    xt = np.array([4 * 0 + 1, -1, 4 * 3 + 3])  # letters (0,1) ... (3,3): fine;
    assert support_consistent(lang, xt)
    bad = np.array([4 * 0 + 1, 4 * 2 + 2, -1])  # (0,1) then (2,2): the shared letter disagrees
    assert not support_consistent(lang, bad)
    with pytest.raises(ImpossibleEvidence, match="probability 0"):
        em.posterior(lang, bad)
    with pytest.raises(ImpossibleEvidence, match="batch index"):
        em.posterior(lang, np.stack([xt, bad]))
    assert log_evidence(lang, bad) == -np.inf


def test_posterior_rejects_bad_tokens():
    lang = em.NGram.random(3, 2, 0)
    with pytest.raises(InvalidArgument, match="token 3"):
        em.posterior(lang, [0, 3, -1])
    with pytest.raises(InvalidArgument, match="token -2"):
        em.posterior(lang, [0, -2])


@given(st.data(), languages(), st.integers(1, 5))
def test_support_consistent_is_exact(data, lang, length):
    q = naive.joint(lang, length)
    xt = np.array(data.draw(st.lists(st.integers(-1, lang.vocab_size - 1), min_size=length, max_size=length)))
    expected = any(p > 0 and all(t < 0 or t == xi for t, xi in zip(xt, x)) for x, p in q.items())
    assert support_consistent(lang, xt) == expected


def test_support_consistent_is_where_the_error_message_says():
    lang = em.NGram(2, [1.0, 0.0], [[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(em.errors.ImpossibleEvidence, match="exactmdm.support_consistent") as info:
        em.posterior(lang, [1, -1])
    assert "exactmdm.support_consistent(lang, xt)" in str(info.value)
    assert em.support_consistent(lang, [1, -1]) is False and em.support_consistent(lang, [0, -1]) is True


def test_booleans_are_not_tokens():
    lang = em.NGram.random(3, 2, 0)
    with pytest.raises(TypeError, match="booleans"):
        em.posterior(lang, [True, False, -1])
    with pytest.raises(TypeError, match="booleans"):
        em.posterior(lang, np.array([True, False]))


@pytest.mark.parametrize("call", [
    lambda bad: em.inference.posterior_batch(bad, [[0, -1]]), lambda bad: em.inference.support_consistent_batch(bad, [[0]]),
    lambda bad: em.posterior(bad, [0, -1]), lambda bad: em.exact.ser(bad, 2, em.schedules.iid(2)),
    lambda bad: em.montecarlo.sample(bad, 2, em.schedules.iid(2), num=1, seed=0), lambda bad: em.models.Oracle(bad),
    lambda bad: partition.markov_partition_kl(bad, [1, 1]),
])
def test_every_entry_point_refuses_a_non_language_with_one_message(call):
    with pytest.raises(em.errors.InvalidType, match=r"=\[\[0\.5\]\] must be an exactmdm language \(exactmdm\.HMM"):
        call([[0.5]])


def test_batch_kernels_validate_tokens_and_report_impossible_states_as_minus_infinity():
    lang = em.languages.counterexample16()
    tokens = np.array([[0, -1, -1], [0, 15, -1]])
    probs, log_ev = em.inference.posterior_batch(lang, tokens)
    np.testing.assert_array_equal(probs[0], em.posterior(lang, tokens[0]))
    assert log_ev[1] == -np.inf and np.isfinite(log_ev[0])
    np.testing.assert_array_equal(em.inference.log_evidence_batch(lang, tokens), log_ev)
    np.testing.assert_array_equal(em.inference.support_consistent_batch(lang, tokens), [True, False])
    np.testing.assert_array_equal(em.inference.posterior_batch(lang, tokens[0])[1], log_ev[:1])
    with pytest.raises(em.errors.InvalidArgument, match="tokens has token 16"):
        em.inference.posterior_batch(lang, [[16, -1]])
