"""The true reverse posterior in torch: batched masked forward-backward for any HMM or n-gram language."""

from __future__ import annotations

import numpy as np
import torch

from ..errors import ImpossibleEvidence, InvalidArgument
from ..models import check_language
from .devices import as_states, carry_over, resolve_device, resolve_dtype


class TorchOracle:
    """q_{0|t}(x0^i = v | x_t) for a batch of partially masked sequences, on any device.

    ``oracle(xt)`` takes a (B, L) integer tensor or array (MASK = -1 at masked positions) and returns a
    (B, L, V) tensor: the posterior at masked positions, the observed token one-hot elsewhere (the MDLM
    "carry-over" convention, as the Numba ``exactmdm.posterior``). It raises ``ImpossibleEvidence`` when
    the unmasked tokens of some row have probability 0; ``posterior_and_evidence`` returns instead the
    natural log evidence per row, -inf there (those rows' probabilities are 0).

    ``mask_id``: the mask as an extra token id outside 0..V-1, as LLaDA and MDLM feed it (``V`` is usual);
    positions holding it are masked. MASK = -1 is still read as masked, so the exactmdm samplers, which
    write -1, take the same oracle. ``on_impossible``: ``"raise"`` (the default, as above) or
    ``"uniform"``: rows of probability 0 get the uniform posterior 1/V at masked positions (carry-over
    elsewhere) and log evidence -inf, so a real sampler that leaves the support keeps running instead of
    stopping on an error or NaN; the oracle is then ``defined_off_support``.

    The recursions are the scaled forward-backward: each forward vector is normalised and the log of
    its normaliser accumulated, which is the log-space recursion evaluated without exponent overflow
    (the normalised vectors stay in [0, 1]) and lets each step be one batched matrix product. float64 by
    default; float32 is an option for speed on a GPU (agreement is then ~1e-6, not ~1e-12).
    """

    defined_off_support = False

    def __init__(self, lang, *, dtype=torch.float64, device="cpu", mask_id=None, on_impossible="raise"):
        self.language = check_language(lang)
        vocab = self.language.vocab_size
        if mask_id is not None and (isinstance(mask_id, bool) or not isinstance(mask_id, (int, np.integer))
                                    or 0 <= mask_id < vocab):
            raise InvalidArgument(f"mask_id={mask_id!r} must be None (MASK = -1) or an integer outside the vocabulary "
                                  f"0..{vocab - 1}: the mask is an extra token id, usually V = {vocab}.")
        if on_impossible not in ("raise", "uniform"):
            raise InvalidArgument(f"on_impossible={on_impossible!r} must be 'raise' (ImpossibleEvidence) or 'uniform' "
                                  "(the uniform posterior on rows of probability 0).")
        self.mask_id = None if mask_id is None else int(mask_id)
        self.on_impossible = on_impossible
        self.defined_off_support = on_impossible == "uniform"
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype)
        hmm = lang.as_hmm()
        as_tensor = lambda a: torch.tensor(np.asarray(a), dtype=self.dtype, device=self.device)  # noqa: E731
        self.initial = as_tensor(hmm.initial)
        self.transition = as_tensor(hmm.transition)
        self.emission = as_tensor(hmm.emission)
        # One extra column for MASK: a masked position is equally likely under every hidden state.
        ones = torch.ones(hmm.num_states, 1, dtype=self.dtype, device=self.device)
        self._likelihood = torch.cat([self.emission, ones], dim=1).T.contiguous()  # (V + 1, H)

    @property
    def vocab_size(self) -> int:
        return self.language.vocab_size

    @property
    def name(self) -> str:
        return "torch-oracle"

    def describe(self) -> dict:
        return {"kind": "oracle", "implementation": "torch", "dtype": str(self.dtype).replace("torch.", ""),
                "mask_id": self.mask_id, "on_impossible": self.on_impossible}

    def states(self, xt) -> torch.Tensor:
        """``xt`` as a (B, L) long tensor on the oracle's device with MASK = -1, whatever ``mask_id`` it was given."""
        if self.mask_id is not None:
            if not isinstance(xt, torch.Tensor):
                xt = torch.as_tensor(np.asarray(xt))
            if not (xt.dtype.is_floating_point or xt.dtype == torch.bool):
                xt = torch.where(xt == self.mask_id, -1, xt)
        try:
            return as_states(xt, self.vocab_size, self.device)
        except InvalidArgument as exc:
            if self.mask_id is None:
                raise
            raise InvalidArgument(f"{exc} This oracle's mask_id is {self.mask_id}.") from None

    def posterior_and_evidence(self, xt) -> tuple[torch.Tensor, torch.Tensor]:
        """(probs (B, L, V), log evidence (B,)); rows of impossible x_t have log evidence -inf and zero probs (with
        ``on_impossible="uniform"``: uniform probs at their masked positions)."""
        xt = self.states(xt)
        batch, length = xt.shape
        lik = self._likelihood[torch.where(xt < 0, self.vocab_size, xt)]  # (B, L, H)
        alpha = torch.empty_like(lik)
        scale = torch.empty(batch, length, dtype=self.dtype, device=self.device)
        a = self.initial * lik[:, 0]
        for i in range(length):
            if i:
                a = (alpha[:, i - 1] @ self.transition) * lik[:, i]
            c = a.sum(dim=1)
            scale[:, i] = c
            alpha[:, i] = a / torch.where(c > 0, c, 1.0)[:, None]
        beta = torch.ones_like(alpha[:, 0])
        gamma = torch.empty_like(alpha)
        gamma[:, length - 1] = alpha[:, length - 1]
        for i in range(length - 2, -1, -1):
            c = scale[:, i + 1]
            beta = ((lik[:, i + 1] * beta) @ self.transition.T) / torch.where(c > 0, c, 1.0)[:, None]
            gamma[:, i] = alpha[:, i] * beta
        probs = carry_over(xt, gamma @ self.emission)  # P(x_i = v | revealed) at masked positions
        log_ev = torch.log(scale).sum(dim=1)
        dead = ~(log_ev > -torch.inf)
        if dead.any():
            log_ev = torch.where(dead, -torch.inf, log_ev)
            fill = carry_over(xt, torch.full_like(probs, 1.0 / self.vocab_size)) if self.defined_off_support else 0.0
            probs = torch.where(dead[:, None, None], fill, probs)
        return probs, log_ev

    def __call__(self, xt) -> torch.Tensor:
        probs, log_ev = self.posterior_and_evidence(xt)
        dead = torch.nonzero(log_ev == -torch.inf)
        if dead.numel() and not self.defined_off_support:
            row = int(dead[0, 0])
            raise ImpossibleEvidence(
                f"xt (batch index {row}) = {self.states(xt)[row].tolist()} has probability "
                "0 under the language: the posterior is undefined there. Use posterior_and_evidence to get -inf "
                "evidence instead of this error, or on_impossible='uniform'.")
        return probs
