"""True reverse posteriors q(x0^i | x_t), evidence and support consistency of partially masked sequences.

The public face of the masked forward-backward kernels in ``exactmdm.hmm_kernels``: inputs are
validated here (tokens in the vocabulary, ``MASK`` = -1 at masked positions), then the batched Numba
kernels run. ``exactmdm.posterior``, ``exactmdm.log_evidence`` and ``exactmdm.support_consistent`` are
these functions.
"""

from __future__ import annotations

import numpy as np

from .errors import ImpossibleEvidence
from .hmm_kernels import _consistent_batch, _log_evidence_batch, _posterior_batch
from .validation import as_sequences

__all__ = ["posterior", "log_evidence", "support_consistent"]


def _batched(lang, xt, name):
    hmm = lang.as_hmm()
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
    out, log_ev = _posterior_batch(flat, *hmm.kernel_arrays())
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
    out = _log_evidence_batch(flat, *hmm.kernel_arrays())
    return float(out[0]) if single else out.reshape(shape[:-1])


def support_consistent(lang, xt) -> np.ndarray | bool:
    """Exact boolean: does some support sequence agree with the unmasked tokens of x_t?"""
    hmm, flat, single, shape = _batched(lang, xt, "xt")
    out = _consistent_batch(flat, *hmm.support_arrays())
    return bool(out[0]) if single else out.reshape(shape[:-1])
