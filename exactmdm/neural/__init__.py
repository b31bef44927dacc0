"""The PyTorch path: a batched torch oracle, a device-agnostic sampler, small denoising networks trained on
exact languages, and the measurement of their learning error against the exact posterior.

Needs the ``[torch]`` extra (``pip install "exactmdm[torch]"``). Everything runs on CPU; ``device="auto"``
picks CUDA when it is present. Networks become ordinary reverse models with ``as_reverse_model``, so the
exact engines (small L) and ``exactmdm.montecarlo`` (long L) take them like the oracle.
"""

from __future__ import annotations

try:
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without torch
    raise ImportError(
        "exactmdm.neural needs PyTorch, which is not installed. Install the extra: pip install \"exactmdm[torch]\" "
        "(any torch >= 2.1). The rest of exactmdm works without it."
    ) from exc

from . import adapters
from .devices import resolve_device
from .oracle import TorchOracle
from .sampler import SampleInfo, sample
from .networks import PRESETS, ARBaseline, Denoiser, build_network
from .models import NetworkModel, as_reverse_model
from .training import TrainConfig, TrainResult, load_checkpoint, train

__all__ = ["TorchOracle", "sample", "SampleInfo", "Denoiser", "ARBaseline", "PRESETS", "build_network",
           "as_reverse_model", "NetworkModel", "TrainConfig", "TrainResult", "train", "load_checkpoint",
           "resolve_device", "adapters"]
