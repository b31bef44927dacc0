"""Training a denoiser (or the AR baseline) on sequences drawn on the fly from an exact language.

Reproducibility: the model's initial weights come from ``seed``; the data and the masks of step s come
from generators seeded by (seed, s) alone. A run interrupted after step s and resumed from its checkpoint
therefore sees exactly the batches an uninterrupted run sees, and (on the same machine and thread count)
ends with identical weights.

Losses (nats per token):
- ``elbo``: MDLM's continuous-time bound for the linear schedule: t ~ U(0, 1] (stratified over the
  batch), each position masked with probability t, loss = (1/t) * sum of the cross-entropies at masked
  positions / L, which upper-bounds -log q_theta(x) / L.
- ``fixed-count``: k ~ U{1..L}, exactly k positions masked, loss = sum of masked cross-entropies / k
  (the form used with fixed-size schedules).
- the AR baseline: next-token cross-entropy.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from ..cost import progress_bar
from ..errors import EnumerationTooLarge, InvalidArgument, format_bytes
from ..languages import make_language
from ..validation import as_float, as_int
from .devices import resolve_device
from .networks import PRESETS, build_network, network_from_config

CHECKPOINT = "checkpoint.pt"
FORMAT = "exactmdm-neural-checkpoint"
LOSSES = ("elbo", "fixed-count")
FAMILIES = ("ngram{n}-V{V}[-p{prune}] (e.g. ngram2-V8), hmm{H}-V{V}[-p{prune}] (e.g. hmm3-V4), both random and "
            "seeded by the language seed, prune 0.1 by default; or counterexample16 (the letter-pair chain)")
"""The language families a run trains on, as a user types them."""


def check_language(name: str, seed: int = 0, what: str = "language="):
    """The language ``name`` (``FAMILIES``), or an error naming ``what`` (the keyword, or the flag in a CLI)."""
    try:
        return make_language(name, seed)
    except InvalidArgument as exc:
        raise InvalidArgument(f"{what}{name!r} is not a language family; the families are {FAMILIES}.") from exc


def memory_budget(device) -> int:
    """Bytes of memory of ``device``: the GPU's for CUDA, else the machine's physical memory."""
    device = torch.device(device)
    if device.type == "cuda":
        return int(torch.cuda.get_device_properties(device).total_memory)
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_memory(num_bytes: float, what: str, fix: str, device) -> None:
    """Refuse, before allocating, work whose estimated peak memory exceeds ``device``'s memory."""
    budget = memory_budget(device)
    if num_bytes > budget:
        raise EnumerationTooLarge(f"{what} needs about {format_bytes(num_bytes)}, more than the {format_bytes(budget)} of "
                                  f"memory on {device}. {fix}")


def activation_bytes(network_config: dict, tokens: float, *, backward: bool) -> float:
    """Estimated float32 activations of ``tokens`` positions through a network of ``network_config``: per block
    about (12 + 2 mlp_ratio) width-sized vectors are kept for the backward pass (one block's worth without it),
    plus the logits over V + 1 symbols."""
    width, depth, ratio = network_config["width"], network_config["depth"], network_config["mlp_ratio"]
    per_token = (depth if backward else 1) * (12 + 2 * ratio) * width + 2 * width + 4 * (network_config["vocab_size"] + 1)
    return 4.0 * tokens * per_token


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run (saved in its checkpoint)."""

    language: str = "ngram2-V8"
    language_seed: int = 0
    length: int = 64
    kind: str = "mdm"
    preset: str = "cpu-small"
    steps: int = 1000
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.01
    clip: float = 1.0
    warmup: int = 50
    loss: str = "elbo"
    seed: int = 0
    checkpoint_every: int = 100
    network: dict = field(default_factory=dict)

    def __post_init__(self):
        check_language(self.language, self.language_seed, "language=")
        for name in ("length", "steps", "batch_size", "checkpoint_every"):
            as_int(getattr(self, name), name, minimum=1)
        for name in ("language_seed", "seed", "warmup"):
            as_int(getattr(self, name), name, minimum=0)
        as_float(self.lr, "lr", minimum=0.0, strict_minimum=True)
        as_float(self.weight_decay, "weight_decay", minimum=0.0)
        as_float(self.clip, "clip", minimum=0.0, strict_minimum=True)
        if self.kind not in ("mdm", "ar"):
            raise InvalidArgument(f"kind={self.kind!r} must be 'mdm' (masked denoiser) or 'ar' (autoregressive baseline).")
        if self.preset not in PRESETS:
            raise InvalidArgument(f"preset={self.preset!r} must be one of {', '.join(PRESETS)}.")
        if self.loss not in LOSSES:
            raise InvalidArgument(f"loss={self.loss!r} must be one of {', '.join(LOSSES)}.")

    def make_language(self):
        return make_language(self.language, self.language_seed)

    def training_bytes(self, vocab_size: int) -> float:
        """Estimated peak memory of one training step: the activations of a batch, the batch itself (int64)
        and the masks."""
        network = {**PRESETS[self.preset], **self.network, "vocab_size": vocab_size}
        tokens = float(self.batch_size) * self.length
        return activation_bytes(network, tokens, backward=True) + 24.0 * tokens

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainResult:
    network: torch.nn.Module
    config: TrainConfig
    step: int
    losses: list
    seconds: float
    path: Path | None

    def summary(self) -> dict:
        tail = self.losses[-max(1, len(self.losses) // 10):]
        return {"config": self.config.to_dict(), "step": self.step, "seconds": self.seconds,
                "final_loss_nats_per_token": float(np.mean(tail)) if tail else None,
                "parameters": self.network.num_parameters}


def _step_seeds(seed: int, step: int) -> tuple[int, int]:
    data, masks = np.random.SeedSequence([seed, step]).generate_state(2, dtype=np.uint32)
    return int(data), int(masks)


def _learning_rate(config: TrainConfig, step: int) -> float:
    """Linear warm-up, then cosine decay to a tenth."""
    if step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    progress = (step - config.warmup) / max(1, config.steps - config.warmup)
    return config.lr * (0.1 + 0.45 * (1.0 + math.cos(math.pi * min(1.0, progress))))


def mdm_loss(network, x0: torch.Tensor, generator: torch.Generator, loss: str) -> torch.Tensor:
    """The masked-diffusion loss (nats per token) of one batch; see the module docstring."""
    batch, length = x0.shape
    if loss == "elbo":
        t = ((torch.rand(1, generator=generator) + torch.arange(batch) / batch) % 1.0).clamp(min=1e-3)
        masked = torch.rand(batch, length, generator=generator) < t[:, None]
        weight = 1.0 / t
    else:
        k = torch.randint(1, length + 1, (batch,), generator=generator)
        scores = torch.rand(batch, length, generator=generator)
        masked = scores.argsort(dim=1).argsort(dim=1) < k[:, None]
        weight = length / k.to(torch.float32)
    masked, weight = masked.to(x0.device), weight.to(x0.device)
    logits = network.masked_logits(torch.where(masked, -1, x0))
    ce = F.cross_entropy(logits.transpose(1, 2), x0, reduction="none")
    return ((ce * masked).sum(dim=1) * weight / length).mean()


def ar_loss(network, x0: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(network.next_logits(x0).transpose(1, 2), x0)


def save_checkpoint(path: Path, network, optimizer, config: TrainConfig, step: int, losses: list) -> None:
    """Written to a temporary file then renamed: a crash mid-write leaves the previous checkpoint intact."""
    payload = {"format": FORMAT, "version": 1, "config": config.to_dict(), "network_config": network.config,
               "network": network.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
               "losses": [float(v) for v in losses]}
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def _read(path) -> dict:
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT
    if not path.exists():
        raise InvalidArgument(f"checkpoint {str(path)!r} does not exist: pass a training run's directory (it holds "
                              f"{CHECKPOINT}) or the file itself.")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a damaged file
        raise InvalidArgument(f"checkpoint {str(path)!r} cannot be read ({type(exc).__name__}: {exc}); it is corrupted or "
                              "truncated. Retrain, or resume from an intact copy.") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise InvalidArgument(f"checkpoint {str(path)!r} is not an exactmdm.neural checkpoint (no format tag {FORMAT!r}).")
    return payload


def load_checkpoint(path, device="cpu"):
    """``(network, TrainConfig, payload)`` from a run's directory or checkpoint file (``weights_only=True``)."""
    payload = _read(path)
    config = TrainConfig(**payload["config"])
    network = network_from_config(payload["network_config"])
    try:
        network.load_state_dict(payload["network"])
    except RuntimeError as exc:
        raise InvalidArgument(f"checkpoint {str(path)!r}: its weights do not fit its network configuration ({exc}).") from exc
    network.to(resolve_device(device)).eval()
    return network, config, payload


def resume_conflicts(config: TrainConfig, out_dir) -> list[str]:
    """The fields in which the checkpoint in ``out_dir`` (if any) differs from ``config``; resuming needs none."""
    path = Path(out_dir) / CHECKPOINT
    if not path.exists():
        return []
    payload = _read(path)
    return [f.name for f in fields(TrainConfig)
            if payload["config"].get(f.name) != getattr(config, f.name) and f.name != "checkpoint_every"]


def train(config: TrainConfig, out_dir=None, *, device="auto", progress: bool = True, resume: bool = True,
          callback=None) -> TrainResult:
    """Train ``config``'s network; checkpoints go to ``out_dir/checkpoint.pt`` every ``checkpoint_every`` steps.

    With ``resume`` and an existing checkpoint of the same configuration the run continues from it (a
    different configuration is an error naming the fields that differ). ``callback(step, loss)`` runs after
    every step. On KeyboardInterrupt the last finished step is checkpointed before the interrupt propagates.
    """
    if not isinstance(config, TrainConfig):
        raise InvalidArgument(f"config={config!r} must be an exactmdm.neural.TrainConfig.")
    device = resolve_device(device)
    lang = config.make_language()
    check_memory(config.training_bytes(lang.vocab_size),
                 f"training at L={config.length} with batch size {config.batch_size} and preset {config.preset}",
                 "Lower the length or the batch size, or choose a smaller preset.", device)
    torch.manual_seed(config.seed)
    network = build_network(config.kind, lang.vocab_size, config.preset, **config.network).to(device)
    optimizer = torch.optim.AdamW(network.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    path = None
    start, losses = 0, []
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        path = out / CHECKPOINT
        if resume and path.exists():
            differ = resume_conflicts(config, out)
            if differ:
                raise InvalidArgument(f"{str(out)!r} holds a run with another configuration (fields {', '.join(differ)} "
                                      "differ): choose another out_dir or pass resume=False to overwrite it.")
            payload = _read(path)
            network.load_state_dict(payload["network"])
            optimizer.load_state_dict(payload["optimizer"])
            start, losses = int(payload["step"]), list(payload["losses"])
        (out / "config.json").write_text(json.dumps(config.to_dict(), indent=2))
    began = time.perf_counter()
    done, saved, in_update = start, start, False
    network.train()
    try:
        with progress_bar(config.steps, f"training {config.kind} on {config.language}, L={config.length}", progress) as bar:
            bar.update(start)
            for step in range(start, config.steps):
                data_seed, mask_seed = _step_seeds(config.seed, step)
                x0 = torch.as_tensor(lang.sample(config.batch_size, config.length, seed=data_seed), device=device)
                in_update = True
                for group in optimizer.param_groups:
                    group["lr"] = _learning_rate(config, step)
                if config.kind == "mdm":
                    loss = mdm_loss(network, x0, torch.Generator().manual_seed(mask_seed), config.loss)
                else:
                    loss = ar_loss(network, x0)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(network.parameters(), config.clip)
                optimizer.step()
                losses.append(float(loss.detach()))
                done, in_update = step + 1, False
                bar.update(1)
                bar.set_postfix_str(f"loss {losses[-1]:.4f} nats/token")
                if path is not None and (done % config.checkpoint_every == 0 or done == config.steps):
                    save_checkpoint(path, network, optimizer, config, done, losses)
                    saved = done
                if callback is not None:
                    callback(done, losses[-1])
    except KeyboardInterrupt:
        # Interrupted between updates: the state is consistent, keep it. Mid-update: the last checkpoint stands.
        if path is not None and not in_update and done > saved:
            save_checkpoint(path, network, optimizer, config, done, losses)
        raise
    network.eval()
    result = TrainResult(network, config, done, losses, time.perf_counter() - began, path)
    if out_dir is not None:
        (Path(out_dir) / "train.json").write_text(json.dumps(result.summary(), indent=2))
    return result
