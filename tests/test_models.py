import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.errors import InvalidArgument, InvalidType
from exactmdm.models import FunctionModel, Oracle, Perturbed
from exactmdm.testing import languages, masked_sequences


def _kl(q, p):
    m = q > 0
    return float(np.sum(q[m] * np.log(q[m] / p[m]))) if np.all(p[m] > 0) else math.inf


@given(st.data(), languages(), st.sampled_from([1e-4, 0.01, 0.3, 2.0]), st.sampled_from(["uniform", "temperature"]))
def test_perturbed_models_respect_their_kl_bound(data, lang, eps, kind):
    xt = data.draw(masked_sequences(lang, 4, min_masked=1))
    q = em.posterior(lang, xt)
    p = Perturbed(lang, eps, kind)(xt)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    for i in np.flatnonzero(xt < 0):
        kl = _kl(q[i], p[i])
        assert kl <= eps * (1 + 1e-12)
        reachable = -math.log(q[i].max()) > 1.01 * eps  # sup over beta of KL(q || q^beta/Z) is -log max q
        if kind == "temperature" and reachable and np.ptp(q[i][q[i] > 0]) > 1e-3 and np.sum(q[i] == q[i].max()) == 1:
            # KL to the sharpened law increases to -log max q, so the bisection reaches the bound itself
            assert kl >= eps * (1 - 1e-9)


def test_perturbed_units_and_mixing():
    lang = em.NGram.random(3, 2, 0)
    bits = Perturbed(lang, 1.0, unit="bits")
    assert bits.eps_nats == pytest.approx(math.log(2))
    assert Perturbed(lang, 0.1).mixing == pytest.approx(1 - math.exp(-0.1))
    with pytest.raises(InvalidArgument, match="unit='nat'"):
        Perturbed(lang, 0.1, unit="nat")
    with pytest.raises(InvalidArgument, match="kind='gaussian'"):
        Perturbed(lang, 0.1, kind="gaussian")
    with pytest.raises(InvalidArgument, match="eps_learning=-0.1"):
        Perturbed(lang, -0.1)


def test_function_model_validates_outputs():
    good = FunctionModel(lambda xt: np.full(xt.shape + (2,), 0.5), 2)
    assert good(np.array([[-1, 0]])).shape == (1, 2, 2)
    bad_shape = FunctionModel(lambda xt: np.full(xt.shape + (3,), 1 / 3), 2, name="bad")
    with pytest.raises(InvalidArgument, match="returned shape"):
        bad_shape(np.array([[-1, 0]]))
    not_normalised = FunctionModel(lambda xt: np.full(xt.shape + (2,), 0.6), 2)
    with pytest.raises(InvalidArgument, match="summing to 1.2"):
        not_normalised(np.array([[-1, 0]]))
    nan = FunctionModel(lambda xt: np.full(xt.shape + (2,), np.nan), 2)
    with pytest.raises(InvalidArgument, match="NaN"):
        nan(np.array([[-1]]))
    with pytest.raises(InvalidType):
        FunctionModel(3, 2)


def test_model_vocab_mismatch_is_refused():
    lang = em.NGram.random(3, 2, 0)
    other = Oracle(em.NGram.random(2, 2, 0))
    with pytest.raises(InvalidArgument, match="vocab_size=2"):
        em.exact.output_distribution(lang, 2, em.schedules.iid(1), model=other)
    with pytest.raises(InvalidType, match="FunctionModel"):
        em.exact.output_distribution(lang, 2, em.schedules.iid(1), model=lambda xt: xt)


@pytest.mark.parametrize("make", [lambda: Perturbed(None, 0.1), lambda: Perturbed("ngram", 0.1),
                                  lambda: em.models.Oracle(None)])
def test_models_need_a_language(make):
    with pytest.raises(TypeError, match="exactmdm language"):
        make()
