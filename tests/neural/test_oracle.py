import numpy as np
import pytest
from hypothesis import given, strategies as st

import exactmdm as em
from exactmdm.errors import ImpossibleEvidence
from exactmdm.testing import languages, masked_sequences

torch = pytest.importorskip("torch")
from exactmdm.neural import TorchOracle  # noqa: E402


@given(st.data())
def test_torch_oracle_equals_the_numba_posterior(data):
    lang = data.draw(languages(max_vocab=3, max_states=3))
    length = data.draw(st.integers(1, 6))
    xs = np.stack([data.draw(masked_sequences(lang, length)) for _ in range(4)])
    keep = np.asarray(em.support_consistent(lang, xs))
    if not keep.any():
        return
    xs = xs[keep]
    got = TorchOracle(lang)(xs).numpy()
    np.testing.assert_allclose(got, em.posterior(lang, xs), rtol=0, atol=1e-12)
    _, log_ev = TorchOracle(lang).posterior_and_evidence(xs)
    np.testing.assert_allclose(log_ev.numpy(), em.log_evidence(lang, xs), rtol=1e-10, atol=1e-10)


def test_float32_option_and_long_lengths_stay_finite():
    lang = em.NGram.random(4, 3, seed=2, prune=0.2)
    xs = lang.sample(8, 512, seed=1)
    xs[:, ::3] = em.MASK
    exact = em.posterior(lang, xs)
    got64 = TorchOracle(lang)(xs).numpy()
    got32 = TorchOracle(lang, dtype="float32")(xs).numpy()
    np.testing.assert_allclose(got64, exact, atol=1e-11)
    assert np.isfinite(got32).all()
    np.testing.assert_allclose(got32, exact, atol=1e-4)


def test_impossible_evidence_is_an_error_or_minus_infinity():
    lang = em.languages.counterexample16()
    xt = np.array([[0, 15, -1]])  # (0,0) then (3,3): the shared letter disagrees
    with pytest.raises(ImpossibleEvidence, match="probability 0"):
        TorchOracle(lang)(xt)
    probs, log_ev = TorchOracle(lang).posterior_and_evidence(xt)
    assert log_ev.item() == -np.inf and probs.abs().sum().item() == 0.0


def test_bad_inputs_name_the_argument():
    lang = em.NGram.random(3, 2, seed=0)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        TorchOracle(lang)(np.array([[0, 3]]))
    with pytest.raises(ValueError, match="shape"):
        TorchOracle(lang)(np.array([0, 1]))
    with pytest.raises(ValueError, match="dtype"):
        TorchOracle(lang, dtype=torch.int64)
    with pytest.raises(ValueError, match="device"):
        TorchOracle(lang, device="nonsense")
    with pytest.raises(TypeError, match="language"):
        TorchOracle("ngram2-V3")


def test_without_torch_the_import_says_what_to_install():
    import subprocess
    import sys

    code = "import sys; sys.modules['torch'] = None\ntry:\n import exactmdm.neural\nexcept ImportError as e:\n print(e)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert 'pip install "exactmdm[torch]"' in out


def test_torch_oracle_passes_the_users_posterior_assertion():
    from exactmdm.neural import as_reverse_model
    from exactmdm.testing import assert_posterior_matches

    lang = em.HMM.random(3, 3, seed=5, prune=0.2)
    assert_posterior_matches(as_reverse_model(TorchOracle(lang), lang), lang, 4, max_kl=1e-12)


@given(st.data())
def test_a_mask_id_outside_the_vocabulary_reads_like_minus_one(data):
    lang = data.draw(languages(max_vocab=3, max_states=2))
    xs = np.stack([data.draw(masked_sequences(lang, data.draw(st.just(4)))) for _ in range(3)])
    xs = xs[np.asarray(em.support_consistent(lang, xs))]
    if not len(xs):
        return
    mask_id = data.draw(st.sampled_from([lang.vocab_size, lang.vocab_size + 7]))
    got = TorchOracle(lang, mask_id=mask_id)(np.where(xs < 0, mask_id, xs)).numpy()
    np.testing.assert_allclose(got, em.posterior(lang, xs), rtol=0, atol=1e-12)


def test_mask_id_and_on_impossible_are_validated():
    lang = em.NGram.random(3, 2, seed=0)
    for bad in (0, 2, True, 3.0):
        with pytest.raises(ValueError, match=r"mask_id=.*outside the vocabulary 0\.\.2"):
            TorchOracle(lang, mask_id=bad)
    with pytest.raises(ValueError, match=r"on_impossible='nan' must be 'raise'"):
        TorchOracle(lang, on_impossible="nan")
    with pytest.raises(ValueError, match=r"token 4, outside the vocabulary.*mask_id is 3"):
        TorchOracle(lang, mask_id=3)(np.array([[0, 4]]))


def test_on_impossible_uniform_gives_uniform_rows_not_nan():
    lang = em.languages.counterexample16()
    xt = np.array([[0, 15, -1], [0, -1, -1]])  # row 0 impossible, row 1 fine
    oracle = TorchOracle(lang, on_impossible="uniform")
    assert oracle.defined_off_support and not TorchOracle(lang).defined_off_support
    probs = oracle(xt).numpy()
    np.testing.assert_allclose(probs[0, 2], np.full(16, 1 / 16))
    assert probs[0, 0, 0] == 1.0 and probs[0, 1, 15] == 1.0  # carry-over at observed positions
    np.testing.assert_allclose(probs[1], em.posterior(lang, xt[1:])[0], atol=1e-12)
    _, log_ev = oracle.posterior_and_evidence(xt)
    assert log_ev[0].item() == -np.inf and np.isfinite(log_ev[1].item())
