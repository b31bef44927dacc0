"""The oracle behind LLaDA's and MDLM's interfaces: against the Numba posterior, and LLaDA's generate loop
(rewritten here from its published code) against the exact output law."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import exactmdm as em
from exactmdm.errors import InvalidArgument, InvalidType
from exactmdm.testing import assert_sampler_matches_exact, languages, masked_sequences

torch = pytest.importorskip("torch")
from exactmdm.neural import TorchOracle, adapters  # noqa: E402


def _draw_states(data, lang, length):
    xs = np.stack([data.draw(masked_sequences(lang, length)) for _ in range(3)])
    return xs[np.asarray(em.support_consistent(lang, xs))]


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_both_adapters_give_the_numba_posterior_with_the_mask_column_minus_infinity(data):
    lang = data.draw(languages(max_vocab=3, max_states=3))
    length = data.draw(st.integers(1, 6))
    xs = _draw_states(data, lang, length)
    if not len(xs):
        return
    vocab = lang.vocab_size
    x = torch.as_tensor(np.where(xs < 0, vocab, xs))  # LLaDA and MDLM feed the mask as token id V
    exact = em.posterior(lang, xs)
    logits = adapters.llada_model(TorchOracle(lang))(x).logits
    log_probs = adapters.mdlm_backbone(TorchOracle(lang))(x, torch.zeros(len(xs)))
    for out in (logits, log_probs):
        assert out.shape == (len(xs), length, vocab + 1)
        assert (out[..., vocab] == -torch.inf).all()
        np.testing.assert_allclose(torch.softmax(out, dim=-1)[..., :vocab].numpy(), exact, rtol=0, atol=1e-12)
    observed = xs >= 0  # MDLM's carry-over: log one-hot of the observed token
    np.testing.assert_array_equal(log_probs.numpy()[observed].argmax(axis=-1), xs[observed])
    assert (torch.isinf(log_probs[torch.as_tensor(observed)]).sum(dim=-1) == vocab).all()


def _get_num_transfer_tokens(mask_index, steps):
    """LLaDA's get_num_transfer_tokens: base = n // steps, the first n % steps steps one more."""
    mask_num = mask_index.sum(dim=1, keepdim=True)
    base, remainder = mask_num // steps, mask_num % steps
    num = torch.zeros(mask_num.size(0), steps, dtype=torch.int64) + base
    for i in range(mask_num.size(0)):
        num[i, : remainder[i]] += 1
    return num


def _llada_generate(model, batch, gen_length, steps, mask_id, generator):
    """LLaDA's generate with no prompt, one block, temperature 1 and remasking='random' (its Gumbel-max draw
    and top-k of random confidences), the per-row top-k vectorised since every row has the same count."""
    x = torch.full((batch, gen_length), mask_id, dtype=torch.long)
    num_transfer = _get_num_transfer_tokens(x == mask_id, steps)
    for i in range(steps):
        mask_index = x == mask_id
        logits = model(x).logits.to(torch.float64)
        noise = torch.rand(logits.shape, dtype=torch.float64, generator=generator)
        x0 = torch.argmax(logits.exp() / (-torch.log(noise)), dim=-1)  # add_gumbel_noise at temperature 1
        x0_p = torch.rand(x0.shape, dtype=torch.float64, generator=generator)
        x0 = torch.where(mask_index, x0, x)
        confidence = torch.where(mask_index, x0_p, -torch.inf)
        k = int(num_transfer[0, i])
        transfer = torch.zeros_like(x0, dtype=torch.bool)
        if k:
            transfer.scatter_(1, torch.topk(confidence, k, dim=1).indices, True)
        x[transfer] = x0[transfer]
    return x


LANG = em.HMM.random(2, 3, seed=0, prune=0.25)  # strong dependencies: parallel steps leave the support


def test_llada_generate_on_the_adapter_draws_the_exact_law_of_its_balanced_sizes():
    """Three steps over four tokens reveal 2, 1, 1 tokens in a uniformly random order: fixed_sizes([2, 1, 1])."""
    model = adapters.llada_model(TorchOracle(LANG, on_impossible="uniform"))  # rows that left the support go on

    def sample_fn(num, seed):
        out = _llada_generate(model, num, 4, 3, 3, torch.Generator().manual_seed(seed)).numpy()
        return np.where(out == 3, em.MASK, out)

    sizes = em.schedules.llada(4, 3, 4).sizes_per_block()[0]
    assert sizes == (2, 1, 1)
    report = assert_sampler_matches_exact(sample_fn, LANG, 4, em.schedules.fixed_sizes(sizes), num_samples=6000)
    assert report.passed


def test_a_planted_mask_logit_of_zero_is_caught():
    """An adapter that leaves the mask's logit at 0 lets LLaDA draw the mask: rows end partly masked."""
    good = adapters.llada_model(TorchOracle(LANG, on_impossible="uniform"))

    def buggy(x):
        logits = good(x).logits.clone()
        logits[..., 3] = 0.0
        return adapters.LLaDAOutput(logits)

    def sample_fn(num, seed):
        out = _llada_generate(buggy, num, 4, 3, 3, torch.Generator().manual_seed(seed)).numpy()
        return np.where(out == 3, em.MASK, out)

    with pytest.raises(AssertionError, match="off the support"):
        assert_sampler_matches_exact(sample_fn, LANG, 4, em.schedules.fixed_sizes([2, 1, 1]), num_samples=6000)


def test_adapters_follow_on_impossible_and_validate():
    lang = em.languages.counterexample16()
    x = torch.tensor([[0, 15, 16]])  # (0,0) then (3,3): impossible; 16 = V is the mask
    with pytest.raises(em.errors.ImpossibleEvidence):
        adapters.mdlm_backbone(TorchOracle(lang))(x, None)
    out = adapters.mdlm_backbone(TorchOracle(lang, on_impossible="uniform"))(x, None)
    np.testing.assert_allclose(out[0, 2, :16].exp().numpy(), np.full(16, 1 / 16))
    assert model_device(adapters.llada_model(TorchOracle(lang))) == torch.device("cpu")
    with pytest.raises(InvalidType, match="TorchOracle"):
        adapters.llada_model(em.models.Oracle(lang))
    with pytest.raises(InvalidArgument, match=r"mask_id=20.*mask_id=None or mask_id=16"):
        adapters.mdlm_backbone(TorchOracle(lang), mask_id=20)


def model_device(model):
    return model.device  # LLaDA's generate places x on model.device
