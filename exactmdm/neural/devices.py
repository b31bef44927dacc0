"""Device and dtype arguments, validated once."""

from __future__ import annotations

import torch

from ..errors import InvalidArgument

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def resolve_device(device="auto") -> torch.device:
    """``"auto"`` is CUDA when available, else CPU; any other value must name a device torch can use."""
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        out = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise InvalidArgument(f"device={device!r} is not a torch device: use 'auto', 'cpu', 'cuda' or 'cuda:N'.") from exc
    if out.type == "cuda" and not torch.cuda.is_available():
        raise InvalidArgument(f"device={device!r} asks for CUDA but torch sees no GPU here: use device='auto' or 'cpu'.")
    return out


def resolve_dtype(dtype) -> torch.dtype:
    if isinstance(dtype, str):
        dtype = DTYPES.get(dtype, dtype)
    if dtype not in (torch.float64, torch.float32):
        raise InvalidArgument(f"dtype={dtype!r} must be torch.float64 (the default) or torch.float32.")
    return dtype


def as_states(xt, vocab_size: int, device: torch.device, name: str = "xt") -> torch.Tensor:
    """A (B, L) long tensor on ``device`` with tokens in 0..V-1 and MASK (-1) at masked positions."""
    if not isinstance(xt, torch.Tensor):
        import numpy as np

        xt = torch.as_tensor(np.asarray(xt))
    if xt.dtype.is_floating_point or xt.dtype == torch.bool:
        raise InvalidArgument(f"{name} has dtype {xt.dtype}: it must hold integer tokens (MASK = -1 where masked).")
    if xt.ndim != 2:
        raise InvalidArgument(f"{name} has shape {tuple(xt.shape)}: it must be (batch, length).")
    xt = xt.to(device=device, dtype=torch.long)
    if xt.numel() and (int(xt.min()) < -1 or int(xt.max()) >= vocab_size):
        bad = xt[(xt < -1) | (xt >= vocab_size)][0]
        raise InvalidArgument(f"{name} holds token {int(bad)}, outside the vocabulary 0..{vocab_size - 1} (and MASK = -1).")
    return xt


def carry_over(xt: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
    """MDLM's carry-over: the observed token one-hot at unmasked positions of ``xt``, ``probs`` at masked ones."""
    observed = torch.nn.functional.one_hot(xt.clamp(min=0), probs.shape[-1]).to(probs.dtype)
    return torch.where(xt[..., None] >= 0, observed, probs)
