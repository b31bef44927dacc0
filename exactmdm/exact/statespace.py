"""State-space engine: the exact output law of the N-step sampler.

Probability mass is pushed over partially masked states z in {MASK, 0..V-1}^L step by step. From z
with m masked positions, step k unmasks a given subset S of size u with probability P_k(u|m)/C(m,u)
and draws the tokens of S independently from the model at z, so the mass reaching z' = z + y_S is
mass(z) * P_k(u|m)/C(m,u) * prod_{i in S} p_i(y_i | z). Only states consistent with some support
sequence can end on the support, so every other state is lumped into one absorbing "escaped" mass
(= SER at the end): on pruned languages this removes most of the (V+1)^L states.

States are coded as integers, digit i (base V+1) being 0 for MASK and v+1 for token v. Each step
expands the frontier in a Numba kernel, merges equal codes with a stable sort (so sums are taken in a
fixed order and results are bit-reproducible), then tests support consistency exactly. Cost per step
is at most sum over the frontier of (V+1)^m expansions, about (2V+1)^L on a dense language.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import njit, prange
from ..cost import progress_bar
from ..errors import EnumerationTooLarge, format_bytes
from ..inference import support_consistent_batch

DEFAULT_MAX_STATES = 1 << 25
DENSE_LIMIT = 1 << 25  # (V+1)^L codes up to this use a dense accumulator (8 bytes each) instead of a sort


@njit
def decode_states(codes, length, vocab):
    out = np.empty((codes.shape[0], length), dtype=np.int64)
    for b in range(codes.shape[0]):
        c = codes[b]
        for i in range(length):
            out[b, i] = c % (vocab + 1) - 1
            c //= vocab + 1
    return out


@njit
def _expansion_counts(tokens, subset_prob_k, vocab, comb):
    """Number of targets of each source (only subset sizes of non-zero probability are counted)."""
    batch, length = tokens.shape
    counts = np.zeros(batch, dtype=np.int64)
    for b in range(batch):
        m = 0
        for i in range(length):
            if tokens[b, i] < 0:
                m += 1
        total = 0
        for u in range(m + 1):
            if subset_prob_k[m, u] > 0.0:
                total += comb[m, u] * vocab ** u
        counts[b] = total
    return counts


@njit
def _expand_one(code0, mass, tokens, probs, subset_prob_k, vocab, pos, place, choice, suffix_value, suffix_code,
                suffix_u, dense, acc, out_codes, out_mass, w):
    """Every target of one source: each masked position stays masked (choice 0) or takes token choice-1.

    An odometer over the masked positions (position 0 turns fastest) with cached suffix products, so each
    target costs O(1) amortised instead of O(m). With ``dense`` the masses are added into ``acc[code]``;
    otherwise written to ``out_*[w:]``. Returns the next free slot ``w``.
    """
    length = tokens.shape[0]
    m = 0
    p = 1
    for i in range(length):
        if tokens[i] < 0:
            pos[m] = i
            place[m] = p
            m += 1
        p *= vocab + 1
    # suffix_*[j] summarise the choices of digits j..m-1; all choices start at 0 (nothing unmasked)
    suffix_value[m] = mass
    suffix_code[m] = code0
    suffix_u[m] = 0
    for j in range(m - 1, -1, -1):
        choice[j] = 0
        suffix_value[j] = mass
        suffix_code[j] = code0
        suffix_u[j] = 0
    while True:
        sp = subset_prob_k[m, suffix_u[0]]
        if sp > 0.0:
            value = suffix_value[0] * sp
            if dense:
                if value > 0.0:
                    acc[suffix_code[0]] += value
            else:
                out_codes[w] = suffix_code[0]
                out_mass[w] = value
                w += 1
        j = 0
        while True:
            while j < m:
                choice[j] += 1
                if choice[j] <= vocab:
                    break
                choice[j] = 0
                j += 1
            if j == m:
                break
            # digit j changed and digits below it were reset to 0: refresh their suffixes
            c = choice[j]
            suffix_value[j] = suffix_value[j + 1] * probs[pos[j], c - 1]
            suffix_code[j] = suffix_code[j + 1] + c * place[j]
            suffix_u[j] = suffix_u[j + 1] + 1
            for i in range(j - 1, -1, -1):
                suffix_value[i] = suffix_value[j]
                suffix_code[i] = suffix_code[j]
                suffix_u[i] = suffix_u[j]
            if not (dense and j > 0 and suffix_value[j] == 0.0):
                break
            # a zero-probability token: every completion of the lower digits has mass 0, skip them
        if j == m:
            break
    return w


@njit
def _scratch(length):
    """Work arrays of ``_expand_one``: positions, place values, odometer digits, and the three suffixes."""
    return (np.empty(length, dtype=np.int64), np.empty(length, dtype=np.int64), np.zeros(length, dtype=np.int64),
            np.empty(length + 1), np.empty(length + 1, dtype=np.int64), np.empty(length + 1, dtype=np.int64))


@njit(parallel=True)
def _expand(codes, masses, tokens, probs, subset_prob_k, vocab, offsets, out_codes, out_mass):
    """Write every (target code, mass) reachable in one step from each source into its own slice."""
    batch, length = tokens.shape
    unused = np.zeros(0)
    for b in prange(batch):
        pos, place, choice, sv, sc, su = _scratch(length)
        _expand_one(codes[b], masses[b], tokens[b], probs[b], subset_prob_k, vocab, pos, place, choice, sv, sc, su,
                    False, unused, out_codes, out_mass, offsets[b])


@njit
def _expand_dense(codes, masses, tokens, probs, subset_prob_k, vocab, acc):
    """The same expansion accumulated into a dense array indexed by state code.

    Serial on purpose: sources are added in a fixed order, so sums are bit-reproducible without a sort.
    """
    pos, place, choice, sv, sc, su = _scratch(tokens.shape[1])
    no_codes = np.zeros(0, dtype=np.int64)
    no_mass = np.zeros(0)
    for b in range(tokens.shape[0]):
        _expand_one(codes[b], masses[b], tokens[b], probs[b], subset_prob_k, vocab, pos, place, choice, sv, sc, su,
                    True, acc, no_codes, no_mass, 0)


def _merge(codes, mass):
    order = np.argsort(codes, kind="stable")
    codes, mass = codes[order], mass[order]
    starts = np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))
    return codes[starts], np.add.reduceat(mass, starts)


def run(hmm, model, length: int, subset_probs: np.ndarray, *, max_states: int = DEFAULT_MAX_STATES,
        chunk: int = 1 << 15, progress: bool = False, dense_limit: int | None = None, start: np.ndarray | None = None,
        eligible: np.ndarray | None = None, final_model=None):
    """Exact sampler law: returns (codes of fully unmasked support states, their masses, escaped mass, peak).

    ``start``: the (L,) state the sampler starts from (given tokens, MASK elsewhere); all masked when None.
    ``eligible``: (N, L) bool, the positions step k may reveal (semi-autoregressive blocks); the subset law of
    step k then counts the eligible masked positions only. None: every position, every step.
    ``final_model``: the model of the last step instead of ``model`` (MDLM's argmax noise removal)."""
    vocab = hmm.vocab_size
    if length * math.log2(vocab + 1) >= 62:
        raise EnumerationTooLarge(f"length={length} with V={vocab}: states (V+1)^L do not fit in 64-bit codes; use "
                                  "exactmdm.exact.sequence_prob for single sequences.")
    comb = np.array([[math.comb(m, u) for u in range(length + 1)] for m in range(length + 1)], dtype=np.int64)
    place = (vocab + 1) ** np.arange(length, dtype=np.int64)
    codes = np.zeros(1, dtype=np.int64) if start is None else np.array([np.sum((start + 1) * place)], dtype=np.int64)
    mass = np.ones(1)
    escaped = 0.0
    peak = 1
    num_steps = subset_probs.shape[0]
    num_codes = (vocab + 1) ** length
    dense = num_codes <= (DENSE_LIMIT if dense_limit is None else dense_limit)
    with progress_bar(num_steps, f"state-space engine L={length}", progress) as bar:
        for k in range(num_steps):
            step_model = final_model if final_model is not None and k == num_steps - 1 else model
            codes, mass, escaped, peak = _step(k, codes, mass, escaped, peak, subset_probs, hmm, step_model, length, vocab,
                                               comb, num_codes, dense, max_states, chunk,
                                               None if eligible is None else eligible[k])
            bar.update(1)
            bar.set_postfix_str(f"{codes.shape[0]} states, escaped {escaped:.3g}")
    tokens = decode_states(codes, length, vocab)
    if np.any(tokens < 0):
        raise RuntimeError("schedule left masked positions after its last step")  # schedules guarantee otherwise
    return tokens, mass, escaped, peak


def _step(k, codes, mass, escaped, peak, subset_probs, hmm, model, length, vocab, comb, num_codes, dense,
          max_states, chunk, eligible=None):
    """One sampler step over the whole frontier: expand, merge equal codes, lump the inconsistent ones."""
    table = np.ascontiguousarray(subset_probs[k])
    if np.all(table[:, 0] == 1.0):  # nothing is unmasked at this step (a zero weight)
        return codes, mass, escaped, peak
    new_codes, new_mass = [], []
    acc = np.zeros(num_codes) if dense else None
    for start in range(0, codes.shape[0], chunk):
        c, w = codes[start:start + chunk], mass[start:start + chunk]
        tokens = decode_states(c, length, vocab)
        # the expansion enumerates the masked positions it sees: hide the ineligible ones behind a token (their
        # code digit stays MASK); the model still reads the true state
        shown = tokens if eligible is None else np.where(eligible[None, :] | (tokens >= 0), tokens, 0)
        counts = _expansion_counts(shown, table, vocab, comb)
        total = int(counts.sum())
        if total > max_states:
            raise EnumerationTooLarge(
                f"the state-space engine would expand {total:.3g} states at step {k + 1} (V={vocab}, L={length}; "
                f"about {format_bytes(16.0 * total)}), more than max_states={max_states:.3g}. Use "
                "exactmdm.exact.sequence_prob(lang, x, schedule) for the sequences you need (2^L states each), or "
                "raise max_states if you have the memory."
            )
        probs = np.ascontiguousarray(model(tokens))
        if dense:
            _expand_dense(c, w, shown, probs, table, vocab, acc)
            continue
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        out_codes = np.empty(total, dtype=np.int64)
        out_mass = np.empty(total)
        _expand(c, w, shown, probs, table, vocab, offsets, out_codes, out_mass)
        keep = out_mass > 0.0
        new_codes.append(out_codes[keep])
        new_mass.append(out_mass[keep])
    if dense:
        codes = np.flatnonzero(acc).astype(np.int64)
        mass = acc[codes]
    else:
        codes, mass = _merge(np.concatenate(new_codes), np.concatenate(new_mass))
    consistent = support_consistent_batch(hmm, decode_states(codes, length, vocab), check=False)
    escaped += float(mass[~consistent].sum())
    codes, mass = codes[consistent], mass[consistent]
    peak = max(peak, codes.shape[0])
    return codes, mass, escaped, peak
