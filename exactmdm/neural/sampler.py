"""The N-step MDM sampler in torch, for the oracle and for networks, with the field's common variants.

Randomness is the counter-based stream of ``exactmdm.montecarlo`` (a hash of seed, sequence index, step,
position): sequence i of a run is the same whatever ``num``, the batch size or the device, and with
``strategy="random"`` and the oracle it is the very sequence ``exactmdm.montecarlo.sample`` draws (up
to the last bit of a probability at a draw boundary). Tokens are drawn in float64 from the model's
distribution, or at a ``temperature`` from p^(1/T) normalised (T = 0: the argmax, LLaDA's default), and
at the noise-removal step of ``schedules.mdlm`` (eps > 0) they are the model's argmax; the rows drawn from
at T != 1 and at that step are ``montecarlo.samplers.sampling_rows``, the Monte Carlo sampler's own.

Variants (options of ``sample``):
- ``strategy="random"``: the exchangeable sampler of the theory: which positions unmask follows the
  schedule (i.i.d.: each masked position with the step's rate; fixed sizes: a uniform subset).
- ``strategy="confidence"`` (LLaDA's low-confidence remasking): as many positions as the random rule
  would unmask, but the ones whose drawn token has the highest model probability; ``"margin"``: the
  largest gap between the two most likely tokens; ``"entropy"``: the lowest entropy. Not exchangeable; the
  state-space engine covers them at small L (``exact.output_distribution(..., strategy=...)``, same scores,
  same tie rule).
- ``blocks=K`` (semi-autoregressive): K contiguous blocks of L/K positions generated left to right, each
  by the full schedule (whose fixed sizes then sum to L/K), so K*N steps in all: the law of
  ``schedules.blocks(schedule, L // K, L)``, which the exact engines take (and which may be passed here
  instead, with a prompt before the blocks). For LLaDA's meaning of
  ``steps`` (the total, split over the blocks) pass ``schedules.llada(gen_length, steps, block_length)`` as
  the schedule instead: its blocks and per-block counts are then LLaDA's. With ``schedules.mdlm`` each block
  ends with its own noise-removal step.
- ``temperature=T``: tokens drawn from p^(1/T) normalised; the confidence scores stay the untempered
  model's (LLaDA: x0 = argmax of the Gumbel-noised logits / T, its score softmax(logits)[x0]).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from ..cost import progress_bar
from ..errors import InvalidArgument
from ..exact.remasking import SCORE_GRID, check_temperature
from ..montecarlo import choose_positions, schedule_arrays, uniforms
from ..montecarlo.samplers import sampling_rows
from ..schedules import Blockwise, sampler_schedule
from ..validation import as_int, as_start
from .devices import resolve_device

STRATEGIES = ("random", "confidence", "margin", "entropy")


@dataclass(frozen=True)
class Step:
    """What ``on_step`` sees at one step of one batch: ``rows`` (indices into the batch that starts at sequence
    ``first``) whose state ``xt`` the model read, its output ``probs`` (float64, untempered), the tokens ``drawn``
    at every position and the positions ``chosen`` to unmask (the rest of ``drawn`` is discarded)."""

    first: int
    step: int
    rows: torch.Tensor
    xt: torch.Tensor
    probs: torch.Tensor
    drawn: torch.Tensor
    chosen: torch.Tensor


@dataclass(frozen=True)
class SampleInfo:
    """What a sampling run did: ``steps`` per sequence (K*N with K blocks), ``network_calls`` the mean
    number of model evaluations per sequence (steps that unmasked something), ``escaped`` the rows whose
    revealed tokens left the support under the oracle (they keep MASK where it never drew), and wall time;
    ``temperature`` the one tokens were drawn at."""

    steps: int
    network_calls: float
    escaped: np.ndarray
    seconds: float
    device: str
    strategy: str
    blocks: int
    temperature: float = 1.0

    def to_dict(self) -> dict:
        return {"steps": self.steps, "network_calls": self.network_calls, "escaped": int(self.escaped.sum()),
                "seconds": self.seconds, "device": self.device, "strategy": self.strategy, "blocks": self.blocks,
                "temperature": self.temperature}


def model_probs(model, xt: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(float64 probs (B, L, V), alive (B,)) from the oracle, a network or a callable on tensors."""
    if hasattr(model, "posterior_and_evidence"):
        probs, log_ev = model.posterior_and_evidence(xt)
        return probs.to(torch.float64), log_ev > -torch.inf
    probs = model(xt)
    if not isinstance(probs, torch.Tensor):
        probs = torch.as_tensor(np.asarray(probs), device=xt.device)
    if probs.shape != (*xt.shape, model.vocab_size):
        raise InvalidArgument(f"model {getattr(model, 'name', model)!r} returned shape {tuple(probs.shape)}, expected "
                              f"{(*xt.shape, model.vocab_size)}.")
    probs = probs.to(torch.float64)
    return probs, torch.ones(xt.shape[0], dtype=torch.bool, device=xt.device)


def draw_tokens(probs: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Inverse-CDF draws: the first token whose cumulative probability exceeds u (as ``montecarlo.samplers.draw_token``),
    or the last token of positive probability when rounding leaves u beyond the total."""
    cdf = probs.cumsum(dim=-1)
    tokens = torch.searchsorted(cdf, u[..., None].contiguous(), right=True)[..., 0]
    vocab = probs.shape[-1]
    positive = probs > 0
    last = vocab - 1 - positive.flip(-1).to(torch.int8).argmax(dim=-1)
    return torch.where(tokens >= vocab, last, tokens)


def _check(model, length, schedule, num, seed, strategy, blocks, given=None):
    schedule, final_argmax = sampler_schedule(schedule)
    length = as_int(length, "length", minimum=1)
    num = as_int(num, "num", minimum=1)
    seed = as_int(seed, "seed", minimum=0)
    blocks = as_int(blocks, "blocks", minimum=1)
    if strategy not in STRATEGIES:
        raise InvalidArgument(f"strategy={strategy!r} must be one of {', '.join(STRATEGIES)}.")
    if not callable(model) or not hasattr(model, "vocab_size"):
        raise InvalidArgument(f"model={model!r} must be a TorchOracle, a network from exactmdm.neural or a callable "
                              "with vocab_size mapping (B, L) long tensors to (B, L, V) probabilities.")
    if given is not None:
        given = as_start(given, model.vocab_size, length)
    offset = 0
    if isinstance(schedule, Blockwise):  # LLaDA's meaning of steps (the total, split over its blocks), or blocks()
        if blocks != 1:
            raise InvalidArgument(f"schedule={schedule.name} sets the blocks itself: call with blocks=1 (the default).")
        offset = schedule.offset(length, given)
        blocks, block_len = schedule.num_blocks, schedule.block_length
        schedule = schedule.inner
        generated = block_len
    else:
        if length % blocks:
            raise InvalidArgument(f"blocks={blocks} must divide length={length} (blocks of equal size).")
        if given is not None and blocks != 1:
            raise InvalidArgument(f"given= with blocks={blocks}: give the prompt with blocks=1 (the schedule then "
                                  "reveals the masked positions only), or pass schedules.llada or schedules.blocks "
                                  "(a prompt, then blocks).")
        block_len = length // blocks
        generated = block_len if given is None else int(np.sum(given < 0))
    kind, rates, sizes = schedule_arrays(schedule, generated)
    return length, num, seed, blocks, block_len, offset, kind, rates, sizes, given, final_argmax


@torch.no_grad()
def sample(model, length: int, schedule, *, num: int, seed: int, device="auto", strategy: str = "random",
           blocks: int = 1, batch_size: int = 256, progress: bool = False, return_info: bool = False,
           on_step=None, given=None, temperature: float = 1.0):
    """``num`` sequences of length ``length`` from the N-step sampler with ``model``: a (num, L) long tensor.

    ``schedule``: ``exactmdm.schedules.iid``, ``fixed_sizes``, ``llada``, ``blocks`` or ``mdlm`` (with eps > 0 its last
    step sets the positions still masked to the model's argmax). ``model``: ``TorchOracle``, a network
    (``Denoiser``) or any callable with ``vocab_size``. ``on_step(Step)``, if given, sees every step's
    states, model output, draws and choice (for measuring learning error along trajectories).
    ``return_info=True`` returns ``(tokens, SampleInfo)``. ``given``: (L,) tokens to start from, MASK where
    the sampler generates (a prompt, infilling); the schedule then reveals the masked positions only.
    ``temperature``: tokens drawn from p^(1/T) normalised (0: argmax decoding); scores stay untempered. At
    T != 1 and at MDLM's argmax step the rows go through the host (``sampling_rows``, numpy) once per step.
    """
    length, num, seed, blocks, block_len, offset, kind, rates, sizes, given, final_argmax = _check(
        model, length, schedule, num, seed, strategy, blocks, given)
    temperature = check_temperature(temperature)
    batch_size = as_int(batch_size, "batch_size", minimum=1)
    device = resolve_device(device)
    if hasattr(model, "to_device"):
        model.to_device(device)
    start = time.perf_counter()
    outs, escaped, calls = [], [], 0
    with progress_bar(num, f"sampling L={length}, {len(rates) * blocks} steps", progress) as bar:
        for first in range(0, num, batch_size):
            n = min(batch_size, num - first)
            out, dead, c = _sample_batch(model, n, first, length, block_len, blocks, kind, rates, sizes, seed,
                                         device, strategy, on_step, given, offset, temperature, final_argmax)
            outs.append(out)
            escaped.append(dead)
            calls += c
            bar.update(n)
    tokens = torch.cat(outs)
    if not return_info:
        return tokens
    info = SampleInfo(len(rates) * blocks, calls / num, torch.cat(escaped).cpu().numpy(),
                      time.perf_counter() - start, str(device), strategy, blocks, temperature)
    return tokens, info


def _sample_batch(model, n, first, length, block_len, blocks, kind, rates, sizes, seed, device, strategy, on_step,
                  given=None, offset=0, temperature=1.0, final_argmax=False):
    states = torch.full((n, length), -1, dtype=torch.long, device=device)
    if given is not None:
        states[:] = torch.as_tensor(np.array(given), device=device)
    alive = torch.ones(n, dtype=torch.bool, device=device)
    sequences = range(first, first + n)
    calls = 0
    num_steps = len(rates)
    for block in range(blocks):
        lo, hi = offset + block * block_len, offset + (block + 1) * block_len
        for k in range(num_steps):
            step = block * num_steps + k
            host = states.cpu().numpy()
            eligible = np.zeros_like(host)  # positions outside the block count as revealed for the choice
            eligible[:, lo:hi] = host[:, lo:hi]
            chosen = torch.as_tensor(choose_positions(eligible, seed, first, step, kind, rates[k], sizes[k]),
                                     device=device) & alive[:, None]
            rows = torch.nonzero(chosen.any(dim=1))[:, 0]
            if rows.numel() == 0:
                continue
            calls += int(rows.numel())
            probs, ok = model_probs(model, states[rows])
            if not bool(ok.all()):
                alive[rows[~ok]] = False
                chosen[rows[~ok]] = False
                rows, probs = rows[ok], probs[ok]
            u = torch.as_tensor(uniforms(seed, sequences, step, length, 1), device=device)[rows]
            source = probs
            argmax = final_argmax and k == num_steps - 1
            if argmax or temperature != 1.0:  # the Monte Carlo sampler's rows, so that both draw the same tokens
                source = torch.as_tensor(sampling_rows(probs.cpu().numpy(), temperature, argmax), device=device)
            drawn = draw_tokens(source, u)
            pick = chosen[rows]
            if strategy != "random":
                pick = _by_confidence(states[rows], probs, drawn, pick, lo, hi, strategy)
            if on_step is not None:
                on_step(Step(first, step, rows, states[rows], probs, drawn, pick))
            states[rows] = torch.where(pick, drawn, states[rows])
    return states, ~alive, calls


def _by_confidence(states, probs, drawn, pick, lo, hi, strategy):
    """Keep the random rule's count per row, but unmask the masked positions of highest confidence."""
    count = pick.sum(dim=1)
    if strategy == "confidence":
        score = probs.gather(-1, drawn[..., None])[..., 0]
    elif strategy == "margin":
        top = probs.topk(min(2, probs.shape[-1]), dim=-1).values
        score = top[..., 0] - (top[..., 1] if top.shape[-1] > 1 else 0.0)
    else:  # minus the entropy
        score = torch.where(probs > 0, probs * torch.log(probs), torch.zeros_like(probs)).sum(dim=-1)
    score = torch.round(score / SCORE_GRID)  # the exact engine's tie rule: equal up to rounding is a tie
    masked = states < 0
    masked[:, :lo] = False
    masked[:, hi:] = False
    score = torch.where(masked, score, -torch.inf)
    order = score.argsort(dim=1, descending=True, stable=True)
    rank = torch.empty_like(order)
    rank.scatter_(1, order, torch.arange(order.shape[1], device=order.device).expand_as(order))
    return masked & (rank < count[:, None])
