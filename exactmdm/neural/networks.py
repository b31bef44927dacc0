"""Small transformers on token sequences: the bidirectional MDM denoiser and its autoregressive twin.

Both are pre-LayerNorm transformers with rotary position embeddings (no length limit, no time input) and
torch's ``scaled_dot_product_attention``. ``Denoiser`` reads V + 1 symbols (the tokens and MASK) and has
MDLM's SUBS output: a distribution over the V real tokens only (MASK gets probability 0) at masked
positions, and the observed token carried over one-hot at unmasked ones. ``ARBaseline`` has the same
body with a causal mask, reads a begin symbol then x_1..x_{L-1}, and predicts x_i from x_<i.
"""

from __future__ import annotations

import functools
import math

import torch
from torch import nn
from torch.nn import functional as F

from ..errors import InvalidArgument
from ..validation import as_int
from .devices import as_states, carry_over

PRESETS = {
    # Trains in minutes on 2 CPU cores at L = 64 ... 256.
    "cpu-small": {"width": 64, "depth": 2, "heads": 4, "mlp_ratio": 4},
    # For a GPU: L up to 1024 and beyond.
    "gpu-base": {"width": 256, "depth": 6, "heads": 8, "mlp_ratio": 4},
    # For tests: seconds.
    "tiny": {"width": 32, "depth": 1, "heads": 2, "mlp_ratio": 2},
}


@functools.lru_cache(maxsize=64)
def _rotary_tables(length: int, offset: int, half: int, device: str, dtype: torch.dtype):
    freq = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half)
    angle = torch.arange(offset, offset + length, dtype=torch.float64)[:, None] * freq[None]
    return angle.cos().to(device=device, dtype=dtype), angle.sin().to(device=device, dtype=dtype)


def _rotary(x: torch.Tensor, offset: int = 0) -> torch.Tensor:
    """Rotary position embedding of (B, heads, L, d), positions offset .. offset + L - 1 along dim 2."""
    half = x.shape[-1] // 2
    cos, sin = _rotary_tables(x.shape[-2], offset, half, str(x.device), x.dtype)
    a, b = x[..., :half], x[..., half:2 * half]
    return torch.cat([a * cos - b * sin, a * sin + b * cos, x[..., 2 * half:]], dim=-1)


class _Block(nn.Module):
    def __init__(self, width, heads, mlp_ratio, causal):
        super().__init__()
        self.heads, self.causal = heads, causal
        self.norm1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, mlp_ratio * width), nn.GELU(), nn.Linear(mlp_ratio * width, width))

    def forward(self, h, cache: list | None = None):
        """``cache`` (autoregressive generation): [keys, values] of the earlier positions, extended in place;
        ``h`` then holds only the new positions."""
        batch, length, width = h.shape
        q, k, v = self.qkv(self.norm1(h)).view(batch, length, 3, self.heads, width // self.heads).permute(2, 0, 3, 1, 4)
        offset = 0 if not cache else cache[0].shape[2]
        q, k = _rotary(q, offset), _rotary(k, offset)
        if cache is not None:
            if cache:
                k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
            cache[:] = [k, v]
        att = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal and length > 1)
        h = h + self.proj(att.transpose(1, 2).reshape(batch, length, width))
        return h + self.mlp(self.norm2(h))


class _Transformer(nn.Module):
    causal = False
    kind = ""
    label = ""

    def __init__(self, vocab_size: int, width: int = 64, depth: int = 2, heads: int = 4, mlp_ratio: int = 4):
        super().__init__()
        self.vocab_size = as_int(vocab_size, "vocab_size", minimum=1)
        width, depth, heads = as_int(width, "width", minimum=2), as_int(depth, "depth", minimum=1), as_int(heads, "heads")
        if width % heads:
            raise InvalidArgument(f"width={width} must be a multiple of heads={heads}.")
        self.config = {"kind": self.kind, "vocab_size": self.vocab_size, "width": width, "depth": depth, "heads": heads,
                       "mlp_ratio": as_int(mlp_ratio, "mlp_ratio")}
        self.embed = nn.Embedding(self.vocab_size + 1, width)  # the extra symbol: MASK (MDM) or begin (AR)
        self.blocks = nn.ModuleList(_Block(width, heads, mlp_ratio, self.causal) for _ in range(depth))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, self.vocab_size)

    def logits(self, symbols: torch.Tensor, caches: list | None = None) -> torch.Tensor:
        """(B, L, V) logits from (B, L) symbols in 0..V (V = the extra symbol); ``caches``: one list per block
        (see ``_Block.forward``) for incremental decoding."""
        h = self.embed(symbols)
        for i, block in enumerate(self.blocks):
            h = block(h, None if caches is None else caches[i])
        return self.head(self.norm(h))

    @property
    def device(self) -> torch.device:
        return self.head.weight.device

    def to_device(self, device):
        self.to(device)

    @property
    def name(self) -> str:
        return f"{self.label}[w={self.config['width']}, d={self.config['depth']}]"

    @property
    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


class Denoiser(_Transformer):
    """Bidirectional MDM denoiser with SUBS output. ``denoiser(xt)`` -> (B, L, V) float64 probabilities."""

    kind = "mdm"
    label = "denoiser"
    defined_off_support = True

    def masked_logits(self, xt: torch.Tensor) -> torch.Tensor:
        """Logits for a (B, L) state with MASK = -1 (training uses these; MASK maps to symbol V)."""
        return self.logits(torch.where(xt < 0, self.vocab_size, xt))

    @torch.no_grad()
    def forward(self, xt) -> torch.Tensor:
        """SUBS probabilities (B, L, V) in float64 for a (B, L) state (tensor or array, MASK = -1)."""
        xt = as_states(xt, self.vocab_size, self.device)
        return carry_over(xt, torch.softmax(self.masked_logits(xt).to(torch.float64), dim=-1))


class ARBaseline(_Transformer):
    """Autoregressive transformer of the same size (causal mask): p(x_i | x_<i)."""

    kind = "ar"
    label = "ar"
    causal = True

    def next_logits(self, x: torch.Tensor) -> torch.Tensor:
        """(B, L, V) logits of x_i given x_<i, from a (B, L) token tensor (teacher forcing)."""
        begin = torch.full_like(x[:, :1], self.vocab_size)
        return self.logits(torch.cat([begin, x[:, :-1]], dim=1))

    @torch.no_grad()
    def generate(self, num: int, length: int, seed: int, batch_size: int = 256) -> torch.Tensor:
        """``num`` sequences token by token, each drawn from the model's full distribution (seeded).

        L incremental forward passes with a key-value cache (the standard way to decode an AR model), so
        its wall time is the fair baseline for the MDM's N full passes.
        """
        from .sampler import draw_tokens

        gen = torch.Generator(device="cpu").manual_seed(int(seed))
        outs = []
        for first in range(0, num, batch_size):
            n = min(batch_size, num - first)
            caches = [[] for _ in self.blocks]
            last = torch.full((n, 1), self.vocab_size, dtype=torch.long, device=self.device)
            tokens = []
            for _ in range(length):
                probs = torch.softmax(self.logits(last, caches)[:, -1].to(torch.float64), dim=-1)
                u = torch.rand(n, generator=gen, dtype=torch.float64).to(self.device)
                last = draw_tokens(probs, u)[:, None]
                tokens.append(last)
            outs.append(torch.cat(tokens, dim=1))
        return torch.cat(outs)


def build_network(kind: str, vocab_size: int, preset: str = "cpu-small", **overrides) -> _Transformer:
    """A ``Denoiser`` (kind "mdm") or ``ARBaseline`` (kind "ar") from a preset, with optional overrides."""
    if preset not in PRESETS:
        raise InvalidArgument(f"preset={preset!r} must be one of {', '.join(PRESETS)}.")
    classes = {"mdm": Denoiser, "ar": ARBaseline}
    if kind not in classes:
        raise InvalidArgument(f"kind={kind!r} must be 'mdm' (bidirectional denoiser) or 'ar' (autoregressive baseline).")
    return classes[kind](vocab_size, **{**PRESETS[preset], **overrides})


def network_from_config(config: dict) -> _Transformer:
    config = dict(config)
    kind = config.pop("kind")
    return build_network(kind, config.pop("vocab_size"), "tiny", **config)
