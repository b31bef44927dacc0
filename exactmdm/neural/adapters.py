"""The exact oracle behind the interfaces of real samplers, so their code runs unchanged against the exact law.

* ``llada_model(oracle)``: LLaDA's ``model(x).logits``. LLaDA's generate (ML-GSAI/LLaDA, generate.py, read
  at commit b7e6c35) takes logits over the whole vocabulary, the mask id (126336 there) included, and never
  excludes the mask column itself: a trained LLaDA model's argmax or draw could pick the mask, and a
  position "unmasked" to it stays masked without a new count. The exact law has no such event, so the
  adapter gives the mask column -inf (probability 0): ``x`` (B, L) long holds tokens 0..V-1 and the mask
  id (``V`` by default) where masked; ``.logits`` is (B, L, V + 1) float with log q_{0|t}(v | x) in
  columns 0..V-1 at masked positions and -inf in the mask column, so LLaDA's ``softmax``, ``argmax`` and
  Gumbel-max draws (float64 there, an exact draw from softmax(logits / T)) never produce the mask. LLaDA
  reads only masked positions (earlier tokens are kept, their confidence -inf); unmasked ones get the
  carry-over (0 at the observed token, -inf elsewhere).
* ``mdlm_backbone(oracle)``: MDLM's backbone under its SUBS parameterisation, ``(x, sigma) -> log-probs``
  (B, L, V + 1): -inf in the mask column, the posterior's log at masked positions and MDLM's carry-over at
  unmasked ones (log one-hot of the observed token). MDLM's own SUBS (kuleshov-group/mdlm, diffusion.py,
  read at commit c112c52) adds -1e6 rather than -inf to the mask logit: the same argmax and, in float32,
  the same draws. ``sigma`` is accepted and ignored: the true posterior
  of an absorbing diffusion given x_t does not depend on the time.

Both follow the oracle's ``on_impossible``: with ``"uniform"``, rows off the support give uniform
log-probs at masked positions instead of an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..errors import InvalidArgument, InvalidType
from .oracle import TorchOracle

__all__ = ["llada_model", "mdlm_backbone", "LLaDAOutput", "LLaDAModel", "MDLMBackbone"]


def _mask_id(oracle, mask_id):
    if not isinstance(oracle, TorchOracle):
        raise InvalidType(f"oracle={oracle!r} must be an exactmdm.neural.TorchOracle.")
    vocab = oracle.vocab_size
    chosen = oracle.mask_id if mask_id is None else mask_id
    chosen = vocab if chosen is None else chosen
    if isinstance(chosen, bool) or not isinstance(chosen, int) or chosen != vocab:
        raise InvalidArgument(f"mask_id={chosen!r}: these adapters put the mask in the last column, id V = {vocab} "
                              f"(LLaDA's and MDLM's layout); build the oracle with mask_id=None or mask_id={vocab}.")
    if oracle.mask_id is None:
        # Rebuild around the same tables so that the adapter reads the mask id from x.
        oracle = _with_mask_id(oracle, chosen)
    return oracle, chosen


def _with_mask_id(oracle: TorchOracle, mask_id: int) -> TorchOracle:
    return TorchOracle(oracle.language, dtype=oracle.dtype, device=oracle.device, mask_id=mask_id,
                       on_impossible=oracle.on_impossible)


def _log_probs(oracle: TorchOracle, x) -> torch.Tensor:
    """(B, L, V + 1) natural log-probs: the oracle's rows, then -inf in the mask column."""
    probs = oracle(x)
    log_probs = torch.log(probs)
    mask_column = torch.full(log_probs.shape[:-1] + (1,), -torch.inf, dtype=log_probs.dtype, device=log_probs.device)
    return torch.cat([log_probs, mask_column], dim=-1)


@dataclass(frozen=True)
class LLaDAOutput:
    """What LLaDA's generate reads from ``model(x)``: ``.logits`` (B, L, V + 1)."""

    logits: torch.Tensor


class LLaDAModel:
    """``model(x).logits`` as LLaDA's generate calls it, with ``.device`` (where generate puts ``x``)."""

    def __init__(self, oracle: TorchOracle, mask_id: int):
        self.oracle, self.mask_id = oracle, mask_id

    @property
    def device(self) -> torch.device:
        return self.oracle.device

    def __call__(self, x, attention_mask=None) -> LLaDAOutput:
        return LLaDAOutput(_log_probs(self.oracle, x))


class MDLMBackbone:
    """MDLM's ``backbone(x, sigma) -> log-probs`` (B, L, V + 1), SUBS parameterisation."""

    def __init__(self, oracle: TorchOracle, mask_id: int):
        self.oracle, self.mask_id = oracle, mask_id

    def __call__(self, x, sigma=None) -> torch.Tensor:
        return _log_probs(self.oracle, x)


def llada_model(oracle: TorchOracle, *, mask_id: int | None = None) -> LLaDAModel:
    """The oracle as LLaDA's model: ``llada_model(oracle)(x).logits`` is (B, L, V + 1), mask id V, mask logit -inf."""
    return LLaDAModel(*_mask_id(oracle, mask_id))


def mdlm_backbone(oracle: TorchOracle, *, mask_id: int | None = None) -> MDLMBackbone:
    """The oracle as MDLM's backbone: ``(x, sigma) -> `` (B, L, V + 1) log-probs, mask column -inf, carry-over."""
    return MDLMBackbone(*_mask_id(oracle, mask_id))
