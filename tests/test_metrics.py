import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.errors import InvalidArgument
from exactmdm.models import FunctionModel, Oracle, Perturbed
from exactmdm.testing import languages, models, schedules

from . import naive


@given(st.data(), languages(max_vocab=3), st.integers(1, 4))
def test_metric_identities(data, lang, length):
    sch = data.draw(schedules(length, max_steps=3))
    model = data.draw(models(lang))
    out = em.exact.output_distribution(lang, length, sch, model)
    q = naive.joint(lang, length)
    p = {x: out.probs[x] for x in q}
    kl_bits = em.metrics.kl(lang, out)
    assert kl_bits == pytest.approx(naive.kl(q, p), rel=1e-10, abs=1e-12)
    assert em.metrics.kl(lang, out, base=math.e) == pytest.approx(naive.kl(q, p, base=math.e), rel=1e-10, abs=1e-12)
    assert em.metrics.ser(lang, out) == pytest.approx(1 - out.probs.sum(), abs=1e-12)
    ter_p, ter_q = em.metrics.ter(lang, out), em.metrics.ter_of_language(lang, length)
    if math.isfinite(kl_bits):
        assert math.log2(ter_p) - math.log2(ter_q) == pytest.approx(kl_bits / length, rel=1e-9, abs=1e-12)
        assert em.metrics.eps_total(lang, out) == pytest.approx(ter_p / ter_q - 1, rel=1e-9, abs=1e-12)
    else:
        assert ter_p == math.inf and em.metrics.eps_total(lang, out) == math.inf
    summary = em.metrics.evaluate(lang, out)
    assert summary.kl_bits == pytest.approx(kl_bits, rel=1e-12, abs=1e-15) or kl_bits == summary.kl_bits
    assert summary.to_dict()["units"]["kl_nats"] == "nats"


def test_kl_is_infinite_when_the_model_misses_a_support_sequence():
    lang = em.NGram(2, [0.5, 0.5], [[0.5, 0.5], [0.5, 0.5]])
    always_zero = FunctionModel(lambda xt: np.tile([1.0, 0.0], xt.shape + (1,)), 2, name="always-0")
    out = em.exact.output_distribution(lang, 2, em.schedules.iid(2), always_zero)
    assert em.metrics.kl(lang, out) == math.inf
    assert em.metrics.ter(lang, out) == math.inf
    assert out.probs[0, 0] == 1.0 and em.metrics.ser(lang, out) == 0.0


def test_metrics_refuse_a_mismatched_language():
    a, b = em.NGram.random(2, 2, 0), em.NGram.random(2, 2, 1)
    out = em.exact.output_distribution(a, 2, em.schedules.iid(1))
    with pytest.raises(InvalidArgument, match="different language"):
        em.metrics.kl(b, out)
    with pytest.raises(InvalidArgument, match="base"):
        em.metrics.kl(a, out, base=1)


@given(languages(max_vocab=3, max_states=2), st.sampled_from([0.01, 0.2]), st.sampled_from(["uniform", "temperature"]))
def test_eps_learning_exact_matches_enumeration_and_bounds(lang, eps, kind):
    model = Perturbed(lang, eps, kind)
    res = em.metrics.eps_learning(lang, model, 3)
    naive_max, naive_mean = naive.eps_learning(lang, model, 3)
    assert res.max_nats == pytest.approx(naive_max, rel=1e-9, abs=1e-15)
    assert res.mean_nats == pytest.approx(naive_mean, rel=1e-9, abs=1e-15)
    assert res.max_nats <= eps * (1 + 1e-12)
    assert 0 <= res.mean_nats <= res.max_nats * (1 + 1e-12)
    assert res.max_bits == pytest.approx(res.max_nats / math.log(2))
    oracle = em.metrics.eps_learning(lang, Oracle(lang), 3)
    assert oracle.max_nats == pytest.approx(0.0, abs=1e-12)


def test_eps_learning_mean_weights_the_forward_process():
    # one masked position out of L=1: the only reachable states are the fully masked one, with weight 1
    lang = em.NGram(2, [0.25, 0.75], [[0.5, 0.5], [0.5, 0.5]])
    model = FunctionModel(lambda xt: np.tile([0.5, 0.5], xt.shape + (1,)), 2)
    res = em.metrics.eps_learning(lang, model, 1)
    expected = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    assert res.max_nats == pytest.approx(expected) and res.mean_nats == pytest.approx(expected)


@given(languages(max_vocab=2, max_states=2), st.sampled_from([0.05, 0.5]), st.integers(0, 100))
def test_sampled_eps_learning_matches_its_naive_twin(lang, eps, seed):
    model = Perturbed(lang, eps, "uniform")
    res = em.metrics.sampled_eps_learning(lang, model, 3, samples=20, seed=seed)
    naive_max, naive_mean = naive.sampled_eps_learning(lang, model, 3, 20, seed)
    assert res.max_nats == pytest.approx(naive_max, rel=1e-9) and res.mean_nats == pytest.approx(naive_mean, rel=1e-9)
    assert res.max_nats <= eps * (1 + 1e-12)


def test_sampled_eps_learning_draws_data_and_masks_from_independent_streams(monkeypatch):
    lang = em.NGram.random(3, 2, 0)
    seen = []
    original = type(lang).sample

    def spy(self, num, length, seed):
        seen.append(seed)
        return original(self, num, length, seed)

    monkeypatch.setattr(type(lang), "sample", spy)
    em.metrics.sampled_eps_learning(lang, Oracle(lang), 8, samples=50, seed=7)
    # the data seed is a spawned child, not the user's seed that also drives the masks
    assert seen and seen[0] != 7


def test_kl_base_accepts_units_and_names_bad_ones():
    lang = em.NGram.random(2, 2, 0)
    out = em.exact.output_distribution(lang, 3, em.schedules.iid(2))
    assert em.metrics.kl(lang, out, base="bits") == em.metrics.kl(lang, out, base=2)
    assert em.metrics.kl(lang, out, base="nats") == pytest.approx(em.metrics.kl(lang, out, base=math.e), rel=1e-15)
    with pytest.raises(InvalidArgument, match="'bits', 'nats'"):
        em.metrics.kl(lang, out, base="bytes")
    with pytest.raises(TypeError, match="base"):
        em.metrics.kl(lang, out, base=None)


def test_metrics_compare_languages_by_value():
    lang = em.NGram.random(2, 2, 0)
    twin = em.NGram(2, lang.initial.copy(), lang.transition.copy())
    out = em.exact.output_distribution(lang, 3, em.schedules.iid(2))
    assert em.metrics.kl(twin, out) == em.metrics.kl(lang, out)
