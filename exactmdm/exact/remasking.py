"""Exact output law of samplers that choose which positions to keep by the model's confidence.

LLaDA's low-confidence remasking and its relatives are not exchangeable: at each step the sampler draws a
token at every masked position (independently, from the model at the current state), scores each
position, keeps the u best and remasks the rest; u is what the schedule would reveal (fixed sizes: s_k;
i.i.d.: Binomial(m, r_k) for m masked positions). Scores, higher = more confident:
- ``"confidence"``: the model's probability of the token drawn there (LLaDA's ``low_confidence``);
- ``"margin"``: the gap between the two most likely tokens (independent of the draw);
- ``"entropy"``: minus the entropy of the position's distribution (independent of the draw).
Scores are compared on a grid of 2^-40 (``SCORE_GRID``): two scores that are equal in exact arithmetic
can differ in their last float bits when computed at different positions, and a tie must not be decided
by rounding. Ties go to the lowest position (a stable sort), as in ``neural.sample``.

The engine pushes mass over partially masked states as the state-space engine does, but from each state
it enumerates the whole joint draw of the masked positions (V^m draws, each with its probability), then
applies the deterministic choice: exact, and exponential in the number of masked positions, so for small
L. Where the score does not depend on the draw the chosen set is fixed and only its tokens are
enumerated. Mass on states that no support sequence agrees with is lumped as escaped (SER).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..cost import check_enumeration_size
from ..errors import InvalidArgument
from ..inference import support_consistent_batch
from .statespace import decode_states

STRATEGIES = ("random", "confidence", "margin", "entropy")
"""Which positions a step keeps: "random" is the exchangeable sampler of the theory (the state-space
engine); the others keep the most confident positions."""


def check_strategy(strategy) -> str:
    if strategy not in STRATEGIES:
        raise InvalidArgument(f"strategy={strategy!r} must be one of {', '.join(map(repr, STRATEGIES))}.")
    return strategy


SCORE_GRID = 2.0 ** -40
"""Scores are rounded to multiples of this before they are ranked (round half to even)."""


def position_scores(probs: np.ndarray, drawn: np.ndarray, strategy: str) -> np.ndarray:
    """Scores of positions in units of SCORE_GRID (higher = kept first). probs: (..., m, V) model rows; drawn:
    (..., m) tokens."""
    if strategy == "confidence":
        score = np.take_along_axis(probs, drawn[..., None], axis=-1)[..., 0]
    elif strategy == "margin":
        top = -np.sort(-probs, axis=-1)
        score = top[..., 0] - (top[..., 1] if probs.shape[-1] > 1 else 0.0)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.sum(np.where(probs > 0, probs * np.log(probs), 0.0), axis=-1)  # minus the entropy
    return np.round(score / SCORE_GRID)


def argmax_rows(probs: np.ndarray) -> np.ndarray:
    """One-hot rows at each position's most likely token (compared on the SCORE_GRID, ties to the lowest token):
    a deterministic draw, as MDLM's final noise-removal step."""
    best = np.argmax(np.round(probs / SCORE_GRID), axis=-1)
    return np.eye(probs.shape[-1])[best]


def tempered_rows(probs: np.ndarray, temperature: float) -> np.ndarray:
    """The rows tokens are drawn from at ``temperature``: p^(1/T) normalised (LLaDA's Gumbel-max draw of
    softmax(logits / T)); T = 1 returns ``probs``; T = 0 is the argmax (``argmax_rows``). Rows of zeros stay
    zero (the model is undefined there). Confidence scores are always taken from ``probs`` (LLaDA scores the
    drawn token under softmax(logits), not under the tempered law)."""
    if temperature == 1.0:
        return probs
    if temperature == 0.0:
        return np.where(probs.sum(axis=-1, keepdims=True) > 0, argmax_rows(probs), 0.0)
    with np.errstate(divide="ignore", over="ignore", under="ignore"):
        logp = np.where(probs > 0, np.log(np.where(probs > 0, probs, 1.0)) / temperature, -np.inf)
        top = np.max(logp, axis=-1, keepdims=True)
        powered = np.where(np.isfinite(top), np.exp(logp - np.where(np.isfinite(top), top, 0.0)), 0.0)
        total = powered.sum(axis=-1, keepdims=True)
    return np.divide(powered, total, out=np.zeros_like(powered), where=total > 0)


def check_temperature(temperature) -> float:
    """Validated sampling temperature: a finite number >= 0 (0: argmax decoding, LLaDA's default)."""
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.integer, np.floating)):
        raise InvalidArgument(f"temperature={temperature!r} must be a number >= 0 (1: draw from the model, 0: argmax "
                              "decoding as LLaDA's default temperature=0.).")
    temperature = float(temperature)
    if not (math.isfinite(temperature) and temperature >= 0.0):
        raise InvalidArgument(f"temperature={temperature!r} must be finite and >= 0 (1: draw from the model, 0: "
                              "argmax decoding).")
    return temperature


def kept_positions(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices (along the last axis) of the ``count`` best scores, ties to the lowest index."""
    return np.argsort(-scores, axis=-1, kind="stable")[..., :count]


def run(hmm, model, length: int, reveal_law: np.ndarray, strategy: str, start: np.ndarray, *, max_entries: int,
        eligible: np.ndarray | None = None, final_model=None, temperature: float = 1.0):
    """(tokens of the fully revealed support states, their masses, escaped mass, peak states), exactly.

    ``reveal_law[k, m, u]`` = P(u positions are kept at step k | m eligible masked); ``start``: the (L,) start
    state; ``eligible``: (N, L) bool, the positions step k may draw and keep (blocks), None for all;
    ``temperature``: tokens are drawn from ``tempered_rows`` of the model's rows, scores read the rows themselves.
    """
    vocab = hmm.vocab_size
    masked0 = int(np.sum(start < 0))
    check_enumeration_size(float(vocab) ** masked0 * (masked0 + 1), f"the joint draws of {masked0} masked positions "
                           f"(V={vocab}) of one state under strategy={strategy!r}", 8 * max(masked0, 1), max_entries,
                           "Use fewer masked positions (a shorter length, or more given tokens), or Monte Carlo "
                           "(neural.sample with this strategy).")
    place = (vocab + 1) ** np.arange(length, dtype=np.int64)
    states = {int(np.sum((start + 1) * place)): 1.0}
    escaped, peak = 0.0, 1
    for k in range(reveal_law.shape[0]):
        nxt: dict = {}
        codes = np.fromiter(states, dtype=np.int64, count=len(states))
        tokens = decode_states(codes, length, vocab)
        step_model = final_model if final_model is not None and k == reveal_law.shape[0] - 1 else model
        probs_all = np.asarray(step_model(tokens), dtype=np.float64)
        for b, code in enumerate(codes):
            _expand_state(tokens[b], probs_all[b], states[int(code)], reveal_law[k], strategy, vocab, place, nxt,
                          None if eligible is None else eligible[k], temperature)
        codes = np.fromiter(nxt, dtype=np.int64, count=len(nxt))
        mass = np.array([nxt[int(c)] for c in codes])
        keep = support_consistent_batch(hmm, decode_states(codes, length, vocab), check=False)
        escaped += float(mass[~keep].sum())
        states = {int(c): float(w) for c, w in zip(codes[keep], mass[keep])}
        peak = max(peak, len(states))
    codes = np.fromiter(states, dtype=np.int64, count=len(states))
    tokens = decode_states(codes, length, vocab)
    if np.any(tokens < 0):
        raise RuntimeError("schedule left masked positions after its last step")  # schedules guarantee otherwise
    return tokens, np.array([states[int(c)] for c in codes]), escaped, peak


def _expand_state(tokens, probs, mass, law_k, strategy, vocab, place, out: dict, eligible=None, temperature=1.0):
    """Add to ``out`` the mass of every state one step from ``tokens`` (drawing at the eligible masked positions)."""
    pos = np.flatnonzero((tokens < 0) if eligible is None else (tokens < 0) & eligible)
    m = pos.shape[0]
    rows = probs[pos]  # (m, V): what the scores read
    draw_rows = tempered_rows(rows, temperature)  # what the tokens are drawn from
    base = int(np.sum((tokens + 1) * place))
    for u in range(1, m + 1):
        p_u = law_k[m, u]
        if p_u <= 0.0:
            continue
        if strategy == "confidence":
            draws = np.array(list(itertools.product(range(vocab), repeat=m)), dtype=np.int64)  # (V^m, m)
            weight = np.prod(draw_rows[np.arange(m), draws], axis=1)
            live = weight > 0
            draws, weight = draws[live], weight[live]
            kept = kept_positions(position_scores(rows[None], draws, strategy), u)  # (D, u)
            kept_tokens = np.take_along_axis(draws, kept, axis=1)
            new = base + np.sum((kept_tokens + 1) * place[pos[kept]], axis=1)
        else:  # the kept set does not depend on the draw: enumerate its tokens only
            kept = kept_positions(position_scores(rows, np.zeros(m, dtype=np.int64), strategy), u)
            draws = np.array(list(itertools.product(range(vocab), repeat=u)), dtype=np.int64)  # (V^u, u)
            weight = np.prod(draw_rows[kept][np.arange(u), draws], axis=1)
            new = base + np.sum((draws + 1) * place[pos[kept]], axis=1)
        for code, w in zip(new.tolist(), (mass * p_u * weight).tolist()):
            if w > 0.0:
                out[code] = out.get(code, 0.0) + w
    if law_k[m, 0] > 0.0:
        out[base] = out.get(base, 0.0) + mass * law_k[m, 0]
