"""The N-step MDM sampler at long lengths, both schedule kinds, any reverse model.

- Markov-chain languages (``lang.token_chain()``) with the oracle or a ``Perturbed`` model: a Numba kernel
  in which a masked position's posterior needs only its nearest revealed neighbours,
  q(x_j = v | x_a, x_b) ∝ T^(j-a)(x_a, v) T^(b-j)(v, x_b): O(V) per revealed token, O(L N) bookkeeping per
  sequence, parallel over sequences.
- Any language and any ``ReverseModel``: batched calls of the model on the states x_t of every step
  (the oracle: the batched masked forward-backward kernel).
- Step by step in numpy (``_sample_steps``) for what those two kernels do not cover: confidence-based
  remasking, block schedules (LLaDA's, ``schedules.blocks``), MDLM's final argmax step (``schedules.mdlm``
  with eps > 0) and a sampling temperature other than 1.

A sequence whose revealed tokens no support sequence agrees with has escaped the support: the oracle's
posterior is then 0/0, so its remaining masked positions stay ``MASK`` (-1) in the returned array.
Runs are sized before they start: num * L * N position-steps against ``MAX_SAMPLER_WORK``, and the
(num, L) array ``sample`` returns against ``DEFAULT_MAX_ENTRIES``.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import njit, prange
from ..cost import DEFAULT_MAX_ENTRIES, DEFAULT_MAX_WORK, check_enumeration_size, check_work, progress_bar
from ..exact.markov import chain_tables
from ..exact.remasking import check_strategy, check_temperature, kept_positions, position_scores, tempered_rows
from ..inference import posterior_batch, support_consistent_batch
from ..models import ORACLE, Oracle, apply_row_transform, resolve_model
from ..validation import MASK, as_int, as_language
from ..schedules import Blockwise, sampler_schedule
from .kernel_arrays import schedule_arrays
from .streams import counter_uniform, stream_key

__all__ = ["sample", "choose_positions", "run_batches", "check_run", "check_output_size", "choose_mask", "choose_batch",
           "draw_token", "sampling_rows", "MAX_SAMPLER_WORK"]

BATCH = 4096
MAX_SAMPLER_WORK = 100 * DEFAULT_MAX_WORK
"""Largest num * L * N (position-steps) a sampler run starts by default: each is a few simple operations, so the
budget is 100 x ``cost.DEFAULT_MAX_WORK`` (20000 sequences at L = 4096, N = 16384 fit; 10^12 sequences do not)."""
SECONDS_PER_POSITION_STEP = 1e-9  # order of the samplers' per-position loop on one core, for messages only


@njit
def choose_mask(state, kind, rate, size, key, seq, step, chosen, order):
    """Mark in ``chosen`` the masked positions of ``state`` unmasked at this step; returns how many (Numba)."""
    length = state.shape[0]
    count = 0
    if kind == 0:
        for i in range(length):
            chosen[i] = state[i] < 0 and counter_uniform(key, seq, step, i, 0) < rate
            count += chosen[i]
        return count
    m = 0
    for i in range(length):
        chosen[i] = False
        if state[i] < 0:
            order[m] = i
            m += 1
    for t in range(size):  # partial Fisher-Yates: a uniformly random subset of exactly ``size`` masked positions
        s = t + int(counter_uniform(key, seq, step, t, 0) * (m - t))
        order[t], order[s] = order[s], order[t]
        chosen[order[t]] = True
    return size


@njit
def draw_token(row, u):
    """Inverse-CDF draw: the first token whose cumulative probability exceeds ``u`` (Numba)."""
    acc = 0.0
    last = -1
    for v in range(row.shape[0]):
        if row[v] > 0.0:
            last = v
            acc += row[v]
            if u < acc:
                return v
    return last  # u beyond the rounded total: the last token of positive probability


@njit(parallel=True)
def _sample_markov(num, first, length, key, kind, rates, sizes, marginals, powers, model_kind, param):
    vocab = powers.shape[1]
    out = np.full((num, length), -1, dtype=np.int64)
    escaped = np.zeros(num, dtype=np.bool_)
    for b in prange(num):
        state = out[b]
        seq = first + b
        chosen = np.empty(length, dtype=np.bool_)
        order = np.empty(length, dtype=np.int64)
        left = np.empty(length, dtype=np.int64)
        right = np.empty(length, dtype=np.int64)
        row = np.empty(vocab)
        tmp = np.empty(vocab)
        res = np.empty(vocab)
        for k in range(rates.shape[0]):
            if choose_mask(state, kind, rates[k], sizes[k], key, seq, k, chosen, order) == 0:
                continue
            last = -1  # nearest revealed neighbours at the start of the step
            for i in range(length):
                left[i] = last
                if state[i] >= 0:
                    last = i
            last = length
            for i in range(length - 1, -1, -1):
                right[i] = last
                if state[i] >= 0:
                    last = i
            new = state.copy()
            for j in range(length):
                if not chosen[j]:
                    continue
                a, c = left[j], right[j]
                total = 0.0
                for v in range(vocab):
                    lv = marginals[j, v] if a < 0 else powers[j - a, state[a], v]
                    rv = 1.0 if c == length else powers[c - j, v, state[c]]
                    row[v] = lv * rv
                    total += row[v]
                if total <= 0.0:  # the neighbours disagree: the posterior is 0/0, the sequence has escaped
                    escaped[b] = True
                    break
                for v in range(vocab):
                    row[v] /= total
                if model_kind == ORACLE:
                    res[:] = row
                else:
                    apply_row_transform(row, model_kind, param, tmp, res)
                new[j] = draw_token(res, counter_uniform(key, seq, k, j, 1))
            if escaped[b]:
                break
            state[:] = new
    return out, escaped


@njit(parallel=True)
def _step_general(states, active, probs, key, first, step, kind, rate, size, changed):
    num, length = states.shape
    for b in prange(num):
        changed[b] = False
        if not active[b]:
            continue
        chosen = np.empty(length, dtype=np.bool_)
        order = np.empty(length, dtype=np.int64)
        if choose_mask(states[b], kind, rate, size, key, first + b, step, chosen, order) == 0:
            continue
        changed[b] = True
        for j in range(length):
            if chosen[j]:
                states[b, j] = draw_token(probs[b, j], counter_uniform(key, first + b, step, j, 1))


def _model_rows(hmm, model, states, oracle):
    """(probs (B, L, V), alive (B,)) of the model at ``states``: a state no support sequence agrees with has
    escaped (the oracle is 0/0 there, and a model undefined off the support is not called on it); its rows
    are zeros and never read."""
    if oracle:
        probs, log_ev = posterior_batch(hmm, states, check=False)
        return probs, log_ev > -np.inf
    alive = np.ones(states.shape[0], dtype=np.bool_) if getattr(model, "defined_off_support", False) else \
        support_consistent_batch(hmm, states, check=False)
    probs = np.zeros(states.shape + (hmm.vocab_size,))
    if alive.any():
        probs[alive] = model(states[alive])
    return probs, alive


def _sample_general(lang, model, length, kind, rates, sizes, key, first, num, oracle, given=None):
    """Any HMM and model: the rows of a sequence are recomputed only after a step that revealed something in it
    (with N > L most steps reveal nothing in a given sequence), by one batched call on those sequences."""
    states = np.full((num, length), MASK, dtype=np.int64)
    if given is not None:
        states[:] = given
    active = np.ones(num, dtype=np.bool_)
    changed = np.ones(num, dtype=np.bool_)
    probs = np.zeros((num, length, lang.vocab_size))
    hmm = lang.as_hmm()
    for k in range(rates.shape[0]):
        if changed.any():
            rows = np.flatnonzero(changed)
            new, alive = _model_rows(hmm, model, states[rows], oracle)
            active[rows] &= alive
            probs[rows] = new  # an escaped sequence's rows are never read
        _step_general(states, active, probs, key, first, k, kind, rates[k], sizes[k], changed)
    return states, ~active


def sampling_rows(probs: np.ndarray, temperature: float, argmax: bool) -> np.ndarray:
    """The rows a step draws its tokens from: the model's argmax (``argmax``: MDLM's noise-removal step, on the
    SCORE_GRID, ties to the lowest token), else the model at ``temperature`` (``exact.remasking.tempered_rows``;
    0 is the argmax too). The Monte Carlo and the torch samplers both draw from these very floats, so they keep
    drawing the same sequences; confidence scores read the untempered ``probs``, as LLaDA's do."""
    return tempered_rows(probs, 0.0 if argmax else temperature)


def _sample_steps(lang, model, length, phases, key, first, num, oracle, given, strategy, temperature=1.0,
                  final_argmax=False):
    """The sampler step by step in numpy, for what the Numba paths do not cover: confidence-based remasking
    (a token drawn at every masked position, the schedule's count of the most confident kept, with
    ``exact.remasking``'s scores and tie rule), LLaDA's blocks, tokens drawn at a ``temperature`` other than 1
    and MDLM's noise removal (``final_argmax``: the last step's tokens are the model's argmax). ``phases``: per
    step (kind, rate, size, lo, hi), the positions lo..hi-1 being those the step may reveal. Counts and
    positions come from the same streams as every other sampler here, so the sequences are ``neural.sample``'s."""
    states = np.full((num, length), MASK, dtype=np.int64)
    if given is not None:
        states[:] = given
    active = np.ones(num, dtype=np.bool_)
    hmm = lang.as_hmm()
    for k, (kind, rate, size, lo, hi) in enumerate(phases):
        eligible = np.zeros_like(states)  # outside the block, positions count as revealed for the choice
        eligible[:, lo:hi] = states[:, lo:hi]
        chosen = choose_batch(eligible, key, first, k, kind, float(rate), int(size))
        counts = chosen.sum(axis=1)
        rows = np.flatnonzero(active & (counts > 0))
        if rows.size == 0:
            continue
        probs, alive = _model_rows(hmm, model, states[rows], oracle)
        active[rows[~alive]] = False
        rows, probs = rows[alive], probs[alive]
        masked = eligible[rows] < 0
        drawn = _draw_rows(sampling_rows(probs, temperature, final_argmax and k == len(phases) - 1), key, first, rows,
                           k, masked)
        if strategy == "random":
            pick = chosen[rows]
            states[rows] = np.where(pick, drawn, states[rows])
            continue
        score = np.where(masked, position_scores(probs, drawn, strategy), -np.inf)
        for i, b in enumerate(rows):
            keep = kept_positions(score[i], int(counts[b]))
            states[b, keep] = drawn[i, keep]
    return states, ~active


def _phases(schedule, length, given):
    """Per-step (kind, rate, size, lo, hi) of a schedule: every position for the exchangeable schedules (MDLM's:
    its reveal law); for blockwise schedules (``schedules.llada``, ``schedules.blocks``) the blocks after the
    prompt, left to right, each running the whole inner schedule."""
    if not isinstance(schedule, Blockwise):
        kind, rates, sizes = schedule_arrays(sampler_schedule(schedule)[0],
                                             length if given is None else int(np.sum(given < 0)))
        return [(kind, rates[k], sizes[k], 0, length) for k in range(rates.shape[0])]
    kind, rates, sizes = schedule_arrays(schedule.inner, schedule.block_length)
    return [(kind, rates[k], sizes[k], lo, hi) for lo, hi in schedule.block_ranges(length, given)
            for k in range(rates.shape[0])]


def _draw_rows(probs, key, first, rows, step, masked):
    """Tokens drawn at every masked position of the sequences ``first + rows`` with their token stream (stream 1):
    the draws the torch sampler makes (``uniforms(seed, sequences, step, L, 1)``)."""
    out = np.zeros(masked.shape, dtype=np.int64)
    for i, b in enumerate(rows):
        for j in np.flatnonzero(masked[i]):
            out[i, j] = draw_token(probs[i, j], counter_uniform(key, first + b, step, j, 1))
    return out


def check_run(lang, length, schedule, model, num, seed, *, max_work: float = MAX_SAMPLER_WORK, given=None):
    """Validated ``(length, model, num, seed)`` of a sampler run, refused before any work when its
    num * L * N position-steps exceed ``max_work``; with ``given`` (validated) the schedule reveals its masked
    positions only."""
    lang = as_language(lang)
    length = as_int(length, "length", minimum=1)
    num = as_int(num, "num", minimum=1)
    seed = as_int(seed, "seed", minimum=0)
    model = resolve_model(lang, model)
    steps = len(_phases(schedule, length, given))
    check_work(math.log(num) + math.log(length) + math.log(steps),
               f"sampling num={num} sequences of L={length} over N={steps} steps (num * L * N position-steps)",
               max_work, "Use fewer sequences (the Clopper-Pearson interval narrows as 1/sqrt(num): 10^4 to 10^6 "
               "settle most questions), or an exact engine (exactmdm.exact.ser).", seconds_per_op=SECONDS_PER_POSITION_STEP)
    return length, model, num, seed


def check_output_size(num: int, length: int, max_entries: int, what: str = "montecarlo.sample"):
    """Refuse, before sampling, a (num, L) int64 array of more than ``max_entries`` entries."""
    check_enumeration_size(float(num) * length, f"the (num, L) int64 output of {what} with num={num}, L={length}", 8,
                           max_entries, "Ask for fewer sequences, or draw them in batches (several calls with smaller num "
                           "and their own seeds); montecarlo.ser streams its batches and needs no such array.")


def run_batches(lang, length, schedule, model, num, seed, progress=False, given=None, strategy="random",
                temperature=1.0):
    """The sampler's sequences in batches: yields ``(out, escaped)`` for the next n sequences, ``out`` (n, L) int64
    and ``escaped`` (n,) bool (the sampler left the support).

    Sequence i depends only on (seed, i), so batching changes nothing in the draws; batches keep the general
    path's (n, L, V) posterior rows within ``DEFAULT_MAX_ENTRIES``. MDLM's final argmax and a temperature other
    than 1 run step by step (``_sample_steps``): the Numba paths cache one set of rows per sequence and draw
    from it, and taking the argmax or tempering there would need a second copy of ``sampling_rows`` in Numba
    that must agree with it to the last bit for the sequences to stay the torch sampler's."""
    phases = _phases(schedule, length, given)
    reveal, final_argmax = sampler_schedule(schedule)
    stepwise = strategy != "random" or isinstance(schedule, Blockwise) or final_argmax or temperature != 1.0
    if not stepwise:
        kind, rates, sizes = schedule_arrays(reveal, length if given is None else int(np.sum(given < 0)))
    key = stream_key(seed)
    markov = lang.token_chain() is not None and hasattr(model, "kernel_form") and given is None and not stepwise
    batch = BATCH
    if markov:
        arrays = chain_tables(lang, length)
        model_kind, param = model.kernel_form()
    else:
        batch = max(1, min(BATCH, DEFAULT_MAX_ENTRIES // (length * lang.vocab_size)))
    with progress_bar(num, f"sampling L={length}", progress) as bar:
        for first in range(0, num, batch):
            n = min(batch, num - first)
            if markov:
                out, escaped = _sample_markov(n, first, length, key, kind, rates, sizes, *arrays, int(model_kind),
                                              float(param))
            elif not stepwise:
                out, escaped = _sample_general(lang, model, length, kind, rates, sizes, key, first, n,
                                               oracle=isinstance(model, Oracle), given=given)
            else:
                out, escaped = _sample_steps(lang, model, length, phases, key, first, n, isinstance(model, Oracle),
                                             given, strategy, temperature, final_argmax)
            bar.update(n)
            yield out, escaped


def sample(lang, length: int, schedule, model=None, *, num: int, seed: int, progress: bool = False,
           max_entries: int = DEFAULT_MAX_ENTRIES, max_work: float = MAX_SAMPLER_WORK, given=None,
           strategy: str = "random", temperature: float = 1.0) -> np.ndarray:
    """``num`` sequences from the N-step sampler, shape (num, L) int64; reproducible per sequence from ``seed``.

    ``schedule``: ``schedules.iid``, ``fixed_sizes``, ``llada``, ``blocks`` or ``mdlm`` (its grid; with eps > 0
    the last step sets every position still masked to the model's argmax). Rows that left the support keep ``MASK`` at
    the positions the oracle (undefined there) never filled. Refused before sampling when the output would
    exceed ``max_entries`` entries or the run ``max_work`` position-steps (num * L * N). ``given``: (L,) tokens
    to start from, MASK where the sampler generates (the schedule reveals those only). ``strategy``: "random",
    or "confidence" / "margin" / "entropy" remasking (``exact.output_distribution`` defines them).
    ``temperature``: tokens are drawn from p^(1/T) normalised (0: the argmax, LLaDA's default); confidence
    scores stay those of the untempered model. The sequences equal ``neural.sample``'s with the same seed.
    """
    given, strategy, temperature = check_options(lang, length, given, strategy, temperature)
    length, model, num, seed = check_run(lang, length, schedule, model, num, seed, max_work=max_work, given=given)
    check_output_size(num, length, max_entries)
    return np.concatenate([out for out, _ in run_batches(lang, length, schedule, model, num, seed, progress, given,
                                                         strategy, temperature)])


def check_options(lang, length, given, strategy, temperature):
    """Validated ``(given, strategy, temperature)``: the start state (its tokens possible under the language),
    the remasking rule and the sampling temperature."""
    from ..exact import as_given

    lang = as_language(lang)
    return (as_given(lang, given, as_int(length, "length", minimum=1)), check_strategy(strategy),
            check_temperature(temperature))


@njit(parallel=True)
def choose_batch(states, key, first, step, kind, rate, size):
    num, length = states.shape
    out = np.zeros((num, length), dtype=np.bool_)
    for b in prange(num):
        order = np.empty(length, dtype=np.int64)
        choose_mask(states[b], kind, rate, size, key, first + b, step, out[b], order)
    return out


def choose_positions(states: np.ndarray, seed: int, first: int, step: int, kind: int, rate: float, size: int) -> np.ndarray:
    """The positions the sampler unmasks at ``step`` for sequences ``first, first + 1, ...`` in states
    ``states`` (MASK = -1 where masked): the same counter-based choice as ``sample``, so other samplers (the
    PyTorch one) replay this one's randomness exactly."""
    return choose_batch(np.ascontiguousarray(states, dtype=np.int64), stream_key(seed), int(first), int(step), int(kind),
                         float(rate), int(size))
