"""Networks as exactmdm reverse models: numpy in, numpy out, so every exact engine and estimator takes them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import InvalidArgument, InvalidType
from ..models import check_language, check_model_output
from ..validation import as_int


@dataclass(eq=False)
class NetworkModel:
    """A ``ReverseModel`` view of a torch network (``Denoiser``) or ``TorchOracle``: ``model(xt)`` takes an
    int64 array (B, L) or (L,) and returns float64 probabilities, evaluated in chunks of ``batch_size``
    rows under ``torch.no_grad``. A network is defined on every state, also off the support.

    A float32 network's outputs move in the 7th significant digit with the batch they are computed in
    (batched kernels sum in different orders), so "exact" SER and KL of a network are exact for its outputs
    to that precision; cast the network to float64 (``network.double()``) where that matters."""

    network: object
    language: object
    batch_size: int = 256

    def __post_init__(self):
        check_language(self.language)
        if not hasattr(self.network, "vocab_size") or not callable(self.network):
            raise InvalidType(f"network={self.network!r} must be a Denoiser from exactmdm.neural (or a TorchOracle).")
        if getattr(self.network, "kind", "mdm") != "mdm":
            raise InvalidArgument("network is an autoregressive baseline: only a masked denoiser (kind 'mdm') is a "
                                  "reverse model.")
        if self.network.vocab_size != self.language.vocab_size:
            raise InvalidArgument(f"network has vocab_size={self.network.vocab_size} but the language has "
                                  f"{self.language.vocab_size}: the network was trained on another language.")
        self.batch_size = as_int(self.batch_size, "batch_size", minimum=1)

    @property
    def vocab_size(self) -> int:
        return self.language.vocab_size

    @property
    def name(self) -> str:
        return getattr(self.network, "name", "network")

    @property
    def defined_off_support(self) -> bool:
        return getattr(self.network, "defined_off_support", True)

    def __call__(self, xt) -> np.ndarray:
        xt = np.asarray(xt, dtype=np.int64)
        single = xt.ndim == 1
        flat = xt.reshape(-1, xt.shape[-1])
        out = np.empty(flat.shape + (self.vocab_size,))
        with torch.no_grad():
            for first in range(0, flat.shape[0], self.batch_size):
                chunk = torch.as_tensor(flat[first:first + self.batch_size])
                out[first:first + self.batch_size] = self.network(chunk).to(torch.float64).cpu().numpy()
        out = check_model_output(out, flat.shape[0], flat.shape[1], self.vocab_size, self.name)
        return out[0] if single else out.reshape(xt.shape + (self.vocab_size,))

    def describe(self) -> dict:
        return {"kind": "network", "name": self.name, **getattr(self.network, "config", {})}


def as_reverse_model(network, lang, *, batch_size: int = 256) -> NetworkModel:
    """``network`` (a trained ``Denoiser``) as a reverse model of ``lang`` for ``exactmdm.exact`` and
    ``exactmdm.montecarlo``; raises ``ValueError`` when the vocabularies differ."""
    return NetworkModel(network, lang, batch_size)
