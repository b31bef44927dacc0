"""The true reverse posterior in torch: batched masked forward-backward for any HMM or n-gram language."""

from __future__ import annotations

import numpy as np
import torch

from ..errors import ImpossibleEvidence
from ..models import check_language
from .devices import as_states, carry_over, resolve_device, resolve_dtype


class TorchOracle:
    """q_{0|t}(x0^i = v | x_t) for a batch of partially masked sequences, on any device.

    ``oracle(xt)`` takes a (B, L) integer tensor or array (MASK = -1 at masked positions) and returns a
    (B, L, V) tensor: the posterior at masked positions, the observed token one-hot elsewhere (the MDLM
    "carry-over" convention, as the Numba ``exactmdm.posterior``). It raises ``ImpossibleEvidence`` when
    the unmasked tokens of some row have probability 0; ``posterior_and_evidence`` returns instead the
    natural log evidence per row, -inf there (those rows' probabilities are 0).

    The recursions are the scaled forward-backward: each forward vector is normalised and the log of
    its normaliser accumulated, which is the log-space recursion evaluated without exponent overflow
    (the normalised vectors stay in [0, 1]) and lets each step be one batched matrix product. float64 by
    default; float32 is an option for speed on a GPU (agreement is then ~1e-6, not ~1e-12).
    """

    defined_off_support = False

    def __init__(self, lang, *, dtype=torch.float64, device="cpu"):
        self.language = check_language(lang)
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
        return {"kind": "oracle", "implementation": "torch", "dtype": str(self.dtype).replace("torch.", "")}

    def posterior_and_evidence(self, xt) -> tuple[torch.Tensor, torch.Tensor]:
        """(probs (B, L, V), log evidence (B,)); rows of impossible x_t have log evidence -inf and zero probs."""
        xt = as_states(xt, self.vocab_size, self.device)
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
            probs = torch.where(dead[:, None, None], 0.0, probs)
        return probs, log_ev

    def __call__(self, xt) -> torch.Tensor:
        probs, log_ev = self.posterior_and_evidence(xt)
        dead = torch.nonzero(log_ev == -torch.inf)
        if dead.numel():
            row = int(dead[0, 0])
            raise ImpossibleEvidence(
                f"xt (batch index {row}) = {as_states(xt, self.vocab_size, self.device)[row].tolist()} has probability "
                "0 under the language: the posterior is undefined there. Use posterior_and_evidence to get -inf "
                "evidence instead of this error.")
        return probs
