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


def _dream_rows(log_probs, temperature, top_p, top_k):
    """Dream's sample_tokens on logits, as its code reads (torch): divide by the temperature, top-p (remove a token
    once the cumulative softmax of the sorted logits before it exceeds top_p), top-k (remove logits below the
    k-th), softmax. Written from Dream's definition, not from ``models.truncated``."""
    torch = pytest.importorskip("torch")
    logits = torch.as_tensor(log_probs, dtype=torch.float64) / temperature
    if top_p is not None and top_p < 1:
        sorted_logits, sorted_indices = torch.sort(logits, descending=True, stable=True)
        cumulative = torch.cumsum(torch.softmax(sorted_logits, dim=-1), dim=-1)
        remove = cumulative > top_p
        remove[..., 1:] = remove[..., :-1].clone()
        remove[..., 0] = False
        mask = torch.zeros_like(logits, dtype=torch.bool).scatter(-1, sorted_indices, remove)
        logits = logits.masked_fill(mask, -torch.inf)
    if top_k is not None:
        kth = torch.topk(logits, min(top_k, logits.shape[-1]))[0][..., -1, None]
        logits = logits.masked_fill(logits < kth, -torch.inf)
    return torch.softmax(logits, dim=-1).numpy()


@given(st.integers(0, 10**6), st.sampled_from([0.3, 1.0, 2.5]), st.sampled_from([None, 0.5, 0.9, 1.0]),
       st.sampled_from([None, 1, 2, 3]))
def test_truncated_rows_are_dreams_sample_tokens(seed, temperature, top_p, top_k):
    lang = em.NGram.random(4, 2, seed=seed % 97, concentration=0.7)
    xt = lang.sample(3, 5, seed=seed)
    xt[:, 1:4] = em.MASK
    model = em.models.truncated(None, temperature=temperature, top_p=top_p, top_k=top_k, language=lang)
    rows = model(xt)[:, 1:4]
    with np.errstate(divide="ignore"):
        reference = _dream_rows(np.log(em.models.Oracle(lang)(xt)[:, 1:4]), temperature, top_p, top_k)
    np.testing.assert_allclose(rows, reference, rtol=1e-9, atol=1e-12)


def test_truncated_refuses_temperature_zero_and_bad_arguments():
    lang = em.NGram.random(3, 2, seed=0)
    with pytest.raises(InvalidArgument, match="temperature=0 is argmax decoding"):
        em.models.truncated(None, temperature=0, language=lang)
    with pytest.raises(InvalidArgument, match="top_p"):
        em.models.truncated(None, top_p=1.5, language=lang)
    with pytest.raises(InvalidArgument, match="top_k"):
        em.models.truncated(None, top_k=0, language=lang)
    with pytest.raises(InvalidType, match="reverse model"):
        em.models.truncated(object())
