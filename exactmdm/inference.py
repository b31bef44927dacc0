"""True reverse posteriors q(x0^i | x_t), evidence and support consistency of partially masked sequences.

The public face of the masked forward-backward kernels in ``exactmdm.hmm_kernels``: inputs are
validated here (an exactmdm language, tokens in the vocabulary, ``MASK`` = -1 at masked positions), then the
batched Numba kernels run. ``exactmdm.posterior``, ``exactmdm.log_evidence`` and ``exactmdm.support_consistent``
are the functions below for users (any batch shape, errors on impossible evidence).

The ``*_batch`` functions are the kernel layer the rest of the package calls (samplers, engines, metrics,
the PyTorch evaluation): one (B, L) batch in, raw kernel results out, impossible states reported as
``-inf`` evidence instead of raised, so a sampler can mark them escaped. They validate by default; a hot
loop whose tokens are already checked (int64, C-contiguous, (B, L), in ``-1..V-1``) passes ``check=False``.
Keeping them here rather than in a module of their own puts the one validation of kernel input in one place.
"""

from __future__ import annotations

import numpy as np

from .errors import ImpossibleEvidence
from .hmm_kernels import _consistent_batch, _log_evidence_batch, _posterior_batch
from .validation import as_language, as_sequences, as_tokens

__all__ = ["posterior", "log_evidence", "support_consistent", "posterior_batch", "log_evidence_batch",
           "support_consistent_batch"]


def _kernel_input(lang, tokens, check: bool):
    if not check:
        return lang.as_hmm(), tokens
    hmm = as_language(lang).as_hmm()
    return hmm, as_tokens(tokens, "tokens", hmm.vocab_size, allow_mask=True)


def posterior_batch(lang, tokens, *, check: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Masked forward-backward on a batch: ``(probs, log_evidence)``.

    tokens : int (B, L) (one (L,) sequence counts as B = 1), ``MASK`` at masked positions.
    probs : (B, L, V) float64, q(x^i = v | unmasked tokens of row b); meaningless (never NaN-checked) where
        ``log_evidence[b] == -inf``. log_evidence : (B,) natural log of q(unmasked tokens of row b).
    O(L nnz(transition)) per row, parallel over rows.
    """
    hmm, tokens = _kernel_input(lang, tokens, check)
    return _posterior_batch(tokens, *hmm.kernel_arrays())


def log_evidence_batch(lang, tokens, *, check: bool = True) -> np.ndarray:
    """(B,) natural log of q(unmasked tokens) of each row of ``tokens`` (B, L); -inf where impossible."""
    hmm, tokens = _kernel_input(lang, tokens, check)
    return _log_evidence_batch(tokens, *hmm.kernel_arrays())


def support_consistent_batch(lang, tokens, *, check: bool = True) -> np.ndarray:
    """(B,) exact booleans: does some support sequence agree with the unmasked tokens of each row of ``tokens``?
    Decided on the support automaton, no floating point."""
    hmm, tokens = _kernel_input(lang, tokens, check)
    return _consistent_batch(tokens, *hmm.support_arrays())


def _batched(lang, xt, name):
    hmm = as_language(lang).as_hmm()
    tokens = as_sequences(xt, name, hmm.vocab_size, allow_mask=True)
    single = tokens.ndim == 1
    flat = tokens.reshape(-1, tokens.shape[-1])
    return hmm, flat, single, tokens.shape


def posterior(lang, xt) -> np.ndarray:
    """True reverse posterior q_{0|t}(x0^i = v | x_t) for every position i and token v.

    Parameters
    ----------
    lang : HMM or NGram
    xt : int array, shape (L,) or (..., L); ``MASK`` (-1) at masked positions.

    Returns
    -------
    float64 array of shape xt.shape + (V,). Masked rows are the posterior; unmasked rows are one-hot.
    Complexity O(L * nnz(transition)) per sequence, parallel over the batch.

    Raises
    ------
    ImpossibleEvidence
        when the unmasked tokens of some x_t have probability 0 under ``lang`` (the posterior is 0/0).
    """
    hmm, flat, single, shape = _batched(lang, xt, "xt")
    out, log_ev = posterior_batch(hmm, flat, check=False)
    bad = np.flatnonzero(log_ev == -np.inf)
    if bad.size:
        first = flat[bad[0]]
        where = "" if single else f" (batch index {np.unravel_index(bad[0], shape[:-1])})"
        raise ImpossibleEvidence(
            f"xt{where} = {first.tolist()} has probability 0 under the language: its unmasked tokens agree with "
            "no support sequence, so the posterior is undefined. Check it with lang.in_support / "
            "exactmdm.support_consistent(lang, xt) first."
        )
    return out.reshape(shape + (hmm.vocab_size,))


def log_evidence(lang, xt) -> np.ndarray | float:
    """Natural log of q(unmasked tokens of x_t); -inf where they are impossible. Shape xt.shape[:-1]."""
    hmm, flat, single, shape = _batched(lang, xt, "xt")
    out = log_evidence_batch(hmm, flat, check=False)
    return float(out[0]) if single else out.reshape(shape[:-1])


def support_consistent(lang, xt) -> np.ndarray | bool:
    """Exact boolean: does some support sequence agree with the unmasked tokens of x_t?"""
    hmm, flat, single, shape = _batched(lang, xt, "xt")
    out = support_consistent_batch(hmm, flat, check=False)
    return bool(out[0]) if single else out.reshape(shape[:-1])
