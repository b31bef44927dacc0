"""Exact SER and KL of block samplers at any length on Markov-chain languages: a transfer over blocks.

LLaDA (``schedules.llada``), and any ``schedules.blocks`` schedule, generates its blocks left to right, each
from the state its predecessors left: everything before the block revealed, the block and everything after
it masked. On a Markov chain over tokens, with a model that reads only the posterior (the oracle, or a
``Perturbed`` row transform of it), a masked position's row depends on its nearest revealed neighbours
alone, and nothing after the block is revealed while it is generated. So the law of a block's output given
the whole sequence before it depends only on the token u just before the block (its anchor: the prompt's
last token, or none for a first block without a prompt); and since the chain and every block's schedule
are the same, it is one law P_u over V^B for every block.
The exact engines compute P_u on a chain of B + 1 positions whose first token is given as u (the same
transitions, started uniformly so that any token can be given). Then, with K blocks,

    1 - SER = s M^(K-1) 1,    M[u, v] = P_u(the block is on the support and ends in v),

s the first block's row of M (or, without a prompt, its law under the language's own start), and

    KL(q || p) = KL(first block) + sum_{b >= 1} sum_u q(anchor of block b = u) KL(q(. | u) || P_u),

because q is a Markov chain and p factorises over the blocks given their anchors (the KL of chained
kernels adds up). Cost: V + 1 block engines of B + 1 positions, whatever the number of blocks; the
transfer runs in log space, so long sequences neither underflow nor lose SER's small complements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..cost import DEFAULT_MAX_ENTRIES, check_enumeration_size, log_power
from ..errors import InvalidArgument, InvalidType
from ..languages import NGram
from ..models import Oracle, Perturbed, describe_model, resolve_model
from ..schedules import Blockwise
from ..validation import MASK, as_int, as_language

__all__ = ["BlockMetrics", "block_metrics", "unsupported_reason"]


@dataclass(frozen=True)
class BlockMetrics:
    """Exact SER and KL(q || p) (nats) of a block sampler, relative to q conditioned on the prompt.

    ``kl_per_token`` is KL / gen_length (nats); ``method`` says how it was computed.
    """

    ser: float
    kl: float
    length: int
    gen_length: int
    num_blocks: int
    schedule: Blockwise
    model: object
    strategy: str
    temperature: float
    method: str = "block transfer (exact, Markov chain)"

    @property
    def kl_per_token(self) -> float:
        return self.kl / self.gen_length

    def describe(self) -> dict:
        return {"ser": self.ser, "kl_nats": self.kl, "kl_per_token_nats": self.kl_per_token, "length": self.length,
                "schedule": self.schedule.describe(), "model": describe_model(self.model), "strategy": self.strategy,
                "temperature": self.temperature, "method": self.method}


def unsupported_reason(lang, schedule, model) -> str | None:
    """Why the block transfer cannot run on these inputs, or None when it can."""
    if not isinstance(schedule, Blockwise):
        return "it needs a block schedule (exactmdm.schedules.llada or blocks)"
    if lang.token_chain() is None:
        return ("the language is not a Markov chain on its tokens (an order-2 n-gram, or an HMM whose states each emit "
                "one token of their own), so a block's law depends on more than the token before it")
    if not isinstance(model, (Oracle, Perturbed)):
        return (f"model {getattr(model, 'name', model)!r} is not a row transform of the posterior (the oracle or a "
                "Perturbed model), so a block's law may depend on more than the token before it")
    return None


def block_metrics(lang, length: int, schedule, model=None, *, given=None, strategy: str = "random",
                  temperature: float = 1.0, max_entries: int = DEFAULT_MAX_ENTRIES) -> BlockMetrics:
    """Exact SER and KL(q || p) of a block sampler (``schedules.llada`` or ``schedules.blocks``) at any length,
    for a Markov-chain language and the oracle or a ``Perturbed`` model (module docstring).

    ``given``: the prompt (its tokens, then MASK at the last ``gen_length`` positions: LLaDA's layout), or None.
    ``strategy`` / ``temperature``: the remasking rule and sampling temperature, as in
    ``exact.output_distribution`` (LLaDA's defaults are "confidence" and 0). The blocks' own engines bound the
    block length (each enumerates its block's states; about 10 positions at V = 3): refused before any work
    when V^(B + 1) exceeds ``max_entries``.
    """
    from . import as_given, output_distribution
    from .. import metrics

    lang = as_language(lang)
    length = as_int(length, "length", minimum=1)
    if not isinstance(schedule, Blockwise):
        raise InvalidType(f"schedule={schedule!r} must come from exactmdm.schedules.llada or blocks.")
    model = resolve_model(lang, model)
    reason = unsupported_reason(lang, schedule, model)
    if reason is not None:
        raise InvalidArgument(f"the block transfer cannot run: {reason}. Use exactmdm.exact.output_distribution "
                              "(any language and model, small L) or exactmdm.montecarlo.sample with this schedule.")
    start = as_given(lang, given, length)
    offset = schedule.offset(length, start)
    initial, transition = lang.token_chain()
    vocab, width, blocks = lang.vocab_size, schedule.block_length, schedule.num_blocks
    check_enumeration_size(0, f"the output law of one block of {width} positions after its start token (V^{width + 1} "
                           f"with V={vocab})", 8, max_entries, "Use smaller blocks, or estimate with "
                           "exactmdm.montecarlo.ser and montecarlo.kl_per_token(method='exact'), which take this "
                           "schedule.", log_entries=log_power(vocab, width + 1))
    block = schedule.inner  # one block's schedule, over its own (masked) positions
    restarted = NGram(2, np.full(vocab, 1.0 / vocab), np.asarray(transition, dtype=np.float64))
    local_model = None if isinstance(model, Oracle) else Perturbed(restarted, model.eps_learning, model.kind,
                                                                   model.unit)
    options = {"strategy": strategy, "temperature": temperature, "max_entries": max_entries}

    ends, kls = np.zeros((vocab, vocab)), np.zeros(vocab)
    for u in range(vocab):  # the law of a block after token u: P_u, its end tokens on the support, KL_u
        out = output_distribution(restarted, width + 1, block, local_model, given=[u] + [MASK] * width, **options)
        law = out.probs[u]
        ends[u] = law.reshape(-1, vocab).sum(axis=0)
        kls[u] = metrics.kl(restarted, out, base="nats")
    jump = np.linalg.matrix_power(np.asarray(transition, dtype=np.float64), width)
    if offset > 0:
        anchor = int(start[offset - 1])
        first_ends, kl = ends[anchor], kls[anchor]
        where = np.eye(vocab)[anchor] @ jump  # q's law of the token before block 1 (given the prompt)
    else:
        out = output_distribution(lang, width, block, model, **options)
        first_ends = out.probs.reshape(-1, vocab).sum(axis=0)
        kl = metrics.kl(lang, out, base="nats")
        where = np.asarray(initial, dtype=np.float64) @ np.linalg.matrix_power(transition, width - 1)
    log_valid, row = _log_mass(first_ends), _normalised(first_ends)
    for _ in range(1, blocks):
        kl += _weighted(where, kls)
        row = row @ ends
        log_valid += _log_mass(row)
        row = _normalised(row)
        where = where @ jump
    ser = 0.0 - math.expm1(log_valid) if log_valid > -math.inf else 1.0
    if -1e-12 * blocks < kl < 0.0:
        kl = 0.0  # rounding of a sum of zeros (a block sampler that is exact), not a negative divergence
    return BlockMetrics(min(max(ser, 0.0), 1.0), kl, length, schedule.gen_length, blocks, schedule, model, strategy,
                        float(temperature))


def _log_mass(row: np.ndarray) -> float:
    total = float(row.sum())
    return math.log(total) if total > 0 else -math.inf


def _normalised(row: np.ndarray) -> np.ndarray:
    total = row.sum()
    return row / total if total > 0 else row


def _weighted(weights: np.ndarray, values: np.ndarray) -> float:
    """sum_u w_u v_u, infinite only where a value is infinite with positive weight (0 * inf is 0 here)."""
    live = weights > 0
    return float(np.sum(weights[live] * values[live]))
