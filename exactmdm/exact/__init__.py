"""Exact engines: the output law of the N-step MDM sampler, with no sampling noise.

``output_distribution`` runs the state-space engine and returns p on the whole support plus
the escaped mass; ``sequence_prob`` gives p(x) for one sequence by the revealed-set DP, which
reaches lengths the dense engine cannot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import EnumerationTooLarge, ImpossibleEvidence, InvalidArgument, InvalidType
from ..cost import DEFAULT_MAX_ENTRIES, DEFAULT_MAX_WORK, check_enumeration_size, log_power
from ..languages import Language
from ..models import FunctionModel, describe_model, resolve_model
from ..schedules import Blockwise, FixedSizes, IIDSchedule, MDLMSchedule, sampler_schedule
from ..validation import as_int, as_language, as_sequences, as_start
from ..inference import log_evidence
from . import blocks, markov, markov_ser, remasking, revealed_set, statespace
from .blocks import BlockMetrics, block_metrics

__all__ = ["OutputDistribution", "output_distribution", "sequence_prob", "sequence_probs", "sequence_logprob",
           "choose_method", "METHODS", "ser", "SER_METHODS", "block_metrics", "BlockMetrics"]


def _check_schedule(schedule):
    if not isinstance(schedule, (IIDSchedule, FixedSizes, Blockwise, MDLMSchedule)):
        raise InvalidType(f"schedule={schedule!r} must come from exactmdm.schedules.iid, fixed_sizes, llada, blocks or "
                          "mdlm.")
    return schedule


@dataclass(frozen=True, eq=False)
class OutputDistribution:
    """Exact law p of the sampler's final sequence, restricted to the support.

    Attributes
    ----------
    probs : (V,)*L float64, p(x) for every support sequence x, 0 off the support.
    escaped : probability that the sampler left the support (SER), accumulated directly, not as 1 - sum.
    language, length, schedule, model : the inputs.
    peak_states : the largest number of support-consistent states held at one step.
    method : the algorithm that produced it.
    given : (L,) tokens the sampler started from (MASK where it generated), or None; the reference law is
        then q conditioned on them, and SER, TER and KL (``exactmdm.metrics``) are relative to it.
    strategy : which positions each step keeps ("random": the exchangeable sampler).
    """

    probs: np.ndarray
    escaped: float
    language: Language
    length: int
    schedule: object
    model: object
    peak_states: int
    method: str = "state-space engine"
    info: dict = field(default_factory=dict)
    given: np.ndarray | None = None
    strategy: str = "random"
    temperature: float = 1.0

    def describe(self) -> dict:
        return {"language": self.language.describe(), "length": self.length, "schedule": self.schedule.describe(),
                "model": describe_model(self.model), "method": self.method, "peak_states": self.peak_states,
                "escaped": self.escaped, "given": None if self.given is None else self.given.tolist(),
                "strategy": self.strategy, "temperature": self.temperature}


def output_distribution(lang, length: int, schedule, model=None, *, given=None, strategy: str = "random",
                        temperature: float = 1.0, max_states: int = statespace.DEFAULT_MAX_STATES,
                        max_entries: int = DEFAULT_MAX_ENTRIES,
                        progress: bool = False) -> OutputDistribution:
    """Exact output law of the N-step sampler on ``lang`` at length ``length``.

    Parameters
    ----------
    lang : HMM or NGram.
    length : L.
    schedule : ``schedules.iid(...)`` or ``schedules.fixed_sizes(...)``; it reveals the masked positions only
        (fixed sizes sum to their number). Or ``schedules.llada(gen_length, steps, block_length)``: LLaDA's
        semi-autoregressive blocks over the last ``gen_length`` positions (after a prompt given in ``given``),
        left to right, ``steps`` in total split over the blocks, LLaDA's counts in each; or
        ``schedules.blocks(schedule, block_length, gen_length)``, blocks each running the whole ``schedule``. Or
        ``schedules.mdlm(N, noise, eps, noise_removal)``: MDLM's grid, and with eps > 0 a last step that sets
        the positions still masked to the model's argmax.
    model : reverse model; ``None`` is the oracle.
    given : (L,) tokens the sampler starts from, ``MASK`` where it generates (a prompt, or infilling); None:
        every position is generated. The reference law is then q conditioned on the given tokens, which must
        have positive probability.
    strategy : "random" (the exchangeable sampler: a uniformly random subset of the schedule's size), or
        "confidence" / "margin" / "entropy": the sampler draws a token at every masked position and keeps
        the schedule's number of most confident ones (``exact.remasking``; small L only).
    temperature : tokens are drawn from the model's rows raised to 1/T and renormalised (LLaDA's Gumbel-max
        draw from softmax(logits / T)); 1 (default) draws from the model, 0 takes the argmax (ties to the
        lowest token; LLaDA's default). Confidence scores always read the model's own rows, as LLaDA does.
    max_states : refuse a step that would expand more states than this (16 bytes each), before allocating.
    progress : show a progress bar (steps, states held, ETA) on stderr.

    Notes
    -----
    Complexity: per step, sum over support-consistent states of (V+1)^(masked); at most (2V+1)^L. With a
    confidence strategy, V^(masked) joint draws per state.
    """
    lang = as_language(lang)
    length = as_int(length, "length", minimum=1)
    schedule = _check_schedule(schedule)
    model = resolve_model(lang, model)
    strategy = remasking.check_strategy(strategy)
    temperature = remasking.check_temperature(temperature)
    start = as_given(lang, given, length)
    masked = length if start is None else int(np.sum(start < 0))
    hmm = lang.as_hmm()
    vocab = lang.vocab_size
    check_enumeration_size(0, f"the output law over V^L with V={vocab}, L={length}", 8, max_entries,
                           "Use exactmdm.exact.sequence_prob for the sequences you need.",
                           log_entries=log_power(vocab, length))
    steps, eligible = _phases(schedule, length, start, masked, "subset" if strategy == "random" else "reveal")
    # MDLM's noise removal: the argmax at the last step
    final = _row_transform(model, remasking.argmax_rows, "argmax of") if sampler_schedule(schedule)[1] else None
    if strategy == "random":
        drawn = model if temperature == 1.0 else _row_transform(
            model, lambda rows: remasking.tempered_rows(rows, temperature), f"temperature {temperature:g} of")
        tokens, mass, escaped, peak = statespace.run(hmm, drawn, length, steps, max_states=max_states,
                                                      progress=progress, start=start, eligible=eligible,
                                                      final_model=final)
        method = "state-space engine"
    else:
        tokens, mass, escaped, peak = remasking.run(hmm, model, length, steps, strategy,
                                                    np.full(length, -1) if start is None else start,
                                                    max_entries=max_entries, eligible=eligible, final_model=final,
                                                    temperature=temperature)
        method = f"state-space engine with {strategy} remasking (joint draws enumerated)"
    probs = np.zeros((vocab,) * length)
    if tokens.shape[0]:
        probs[tuple(tokens.T)] = mass
    probs.setflags(write=False)
    return OutputDistribution(probs, escaped, lang, length, schedule, model, peak, method, given=start,
                              strategy=strategy, temperature=temperature)


def _row_transform(model, transform, what: str) -> FunctionModel:
    """``model`` with ``transform`` applied to its (float64) rows: what a step draws from."""
    return FunctionModel(lambda xt: transform(np.asarray(model(xt), dtype=np.float64)), model.vocab_size,
                         name=f"{what} {model.name}", defined_off_support=False)


def _phases(schedule, length: int, start, masked: int, table: str):
    """(per-step tables, eligible positions or None): the subset law ("subset") or the count law ("reveal") of
    each step over the masked positions it may reveal. Blockwise schedules (LLaDA's, ``schedules.blocks``)
    reveal the generated positions (the last ``gen_length``, after the prompt) block by block, left to right,
    each block by the whole inner schedule."""
    schedule = sampler_schedule(schedule)[0]
    if not isinstance(schedule, Blockwise):
        law = schedule.subset_probabilities if table == "subset" else schedule.reveal_law
        return law(masked), None
    inner = schedule.inner
    law = (inner.subset_probabilities if table == "subset" else inner.reveal_law)(schedule.block_length)
    tables, eligible = [], []
    for lo, hi in schedule.block_ranges(length, start):
        tables.append(law)
        row = np.zeros(length, dtype=bool)
        row[lo:hi] = True
        eligible += [row] * inner.num_steps
    return np.concatenate(tables), np.array(eligible)


def as_given(lang, given, length: int) -> np.ndarray | None:
    """The validated (L,) start state (tokens, MASK where generated), or None; refuses tokens that no support
    sequence has (the conditional law would be 0/0)."""
    if given is None:
        return None
    start = as_start(given, lang.vocab_size, length)
    if log_evidence(lang, start) == -math.inf:
        raise ImpossibleEvidence(f"given={start.tolist()} has probability 0 under the language: no support sequence "
                                 "agrees with its tokens, so the law conditioned on them does not exist.")
    start.setflags(write=False)
    return start


METHODS = ("auto", "gap-dp", "revealed-set")


def choose_method(lang, schedule, model=None) -> str:
    """The exact method ``sequence_prob`` / ``sequence_logprob`` use for these inputs: "gap-dp" (polynomial,
    Markov-chain languages, i.i.d. schedules or MDLM's grid, the oracle or a Perturbed model) or
    "revealed-set" (any HMM, any schedule and model: 2^L states, or 2^B per block of LLaDA's schedule)."""
    lang = as_language(lang)
    model = resolve_model(lang, model)
    return "gap-dp" if markov.is_supported(lang, _check_schedule(schedule), model) else "revealed-set"


def sequence_logprob(lang, x, schedule, model=None, *, method: str = "auto", max_work: float | None = None,
                     max_entries: int = DEFAULT_MAX_ENTRIES, given=None) -> float:
    """Natural log of p(x), exact, by the best exact method (``choose_method`` says which); -inf when p(x) = 0.

    The Markov gap DP (O(L^4 N / 24) multiply-adds, log-space result; about 1 s at L = 256, N = 64 on two
    cores) reaches L in the hundreds; the revealed-set DP needs 2^L states (for LLaDA's schedule, 2^B per
    block of B positions, so any number of blocks: 0.06 s at gen_length = 256 in blocks of 8). ``method``
    forces one ("gap-dp"
    raises a clear error where it does not apply). ``max_work`` caps the work started (None: the method's
    default, ``markov.DEFAULT_MAX_WORK`` multiply-adds or ``DEFAULT_MAX_WORK`` revealed-set operations).
    """
    lang = as_language(lang)
    model = resolve_model(lang, model)
    schedule = _check_schedule(schedule)
    x = _one_sequence(lang, x)
    if method not in METHODS:
        raise InvalidArgument(f"method={method!r} must be one of {', '.join(METHODS)}.")
    start = as_given(lang, given, x.shape[0])
    if method == "gap-dp" or (method == "auto" and markov.is_supported(lang, schedule, model)):
        return markov.gap_dp_logprob(lang, x, schedule, model, max_work=max_work or markov.DEFAULT_MAX_WORK,
                                     max_entries=max_entries, given=start)
    return _revealed_set_logprob(lang, x, schedule, model, max_work or DEFAULT_MAX_WORK, max_entries, start)


def _one_sequence(lang, x):
    x = as_sequences(x, "x", lang.vocab_size, allow_mask=False)
    if x.ndim != 1:
        raise InvalidArgument(f"x must be one sequence of shape (L,), got shape {x.shape}; use sequence_probs for a batch.")
    return x


def _revealed_set_logprob(lang, x, schedule, model, max_work, max_entries, start=None) -> float:
    """log p(x) by the revealed-set DP: one DP over the generated positions, or for blockwise schedules (LLaDA's,
    ``schedules.blocks``) one per block (a block's law depends only on what is revealed before it, which for x
    is x's own tokens: p(x) is the product of the blocks' factors, so the cost grows with the number of blocks,
    not as 2^L)."""
    length = x.shape[0]
    if not getattr(model, "defined_off_support", False) and not lang.in_support(x):
        raise InvalidArgument(f"x = {x.tolist()} is not in the support of the language, and model {model.name} is "
                              "undefined off the support; p(x) is tracked only for support sequences.")
    base = np.full(length, -1, dtype=np.int64) if start is None else np.array(start, dtype=np.int64)
    if np.any((base >= 0) & (base != x)):
        return -math.inf  # the sampler keeps the given tokens: it never outputs a sequence that changes one
    if isinstance(schedule, Blockwise):
        width, inner = schedule.block_length, schedule.inner
        revealed_set.check_cost(width, inner.num_steps, max_work, max_entries, runs=schedule.num_blocks,
                                what=f"the revealed-set DP over {schedule.num_blocks} blocks of {width} positions")
        law, total = inner.subset_probabilities(width), 0.0
        for lo, hi in schedule.block_ranges(length, start):
            value = revealed_set.run(model, x, law, base=base, positions=np.arange(lo, hi))
            if value <= 0.0:
                return -math.inf
            total += math.log(value)
            base[lo:hi] = x[lo:hi]
        return total
    reveal, final_argmax = sampler_schedule(schedule)
    masked = int(np.sum(base < 0))
    revealed_set.check_cost(masked, reveal.num_steps, max_work, max_entries)
    value = revealed_set.run(model, x, reveal.subset_probabilities(masked), base=base, final_argmax=final_argmax)
    return math.log(value) if value > 0 else -math.inf


def sequence_prob(lang, x, schedule, model=None, *, method: str = "auto", max_work: float | None = None,
                  max_entries: int = DEFAULT_MAX_ENTRIES, given=None) -> float:
    """p(x): the exact probability that the sampler outputs the sequence x, by the best exact method.

    "revealed-set": a DP over the 2^L sets of revealed positions, any HMM, schedule and model, O(N 3^L)
    operations plus 2^L model evaluations (LLaDA's blocks: one DP per block, each block's law depending only
    on what precedes it). "gap-dp": the Markov gap DP (Markov-chain languages, i.i.d. schedules or MDLM's
    grid, oracle or Perturbed models), polynomial; it does not take fixed sizes (nor LLaDA's blocks, fixed
    sizes per block), under which the gaps are not independent. Costs are estimated first and refused above
    ``max_work`` / ``max_entries``. With the oracle (or any model undefined off the support) x must be a
    support sequence: p is tracked on the support only (see ``OutputDistribution``). ``given``: the tokens
    the sampler starts from (MASK where it generates): the revealed-set DP starts from their set, the gap DP
    multiplies the gaps between them.
    """
    lang = as_language(lang)
    model = resolve_model(lang, model)
    schedule = _check_schedule(schedule)
    x = _one_sequence(lang, x)
    return math.exp(sequence_logprob(lang, x, schedule, model, method=method, max_work=max_work,
                                     max_entries=max_entries, given=given))


SER_METHODS = ("auto", "letter-pair", "markov-dp", "block-transfer", "state-space")


def ser(lang, length: int, schedule, model=None, *, method: str = "auto",
        max_states: int = statespace.DEFAULT_MAX_STATES, max_entries: int = DEFAULT_MAX_ENTRIES,
        max_work: float = markov_ser.DEFAULT_MAX_WORK, progress: bool = False, given=None) -> float:
    """Exact SER = P(the sampler's output is off the support), by the best exact method:

    - "letter-pair": a letter-pair chain over k letters (``letter_pair.letter_pairs`` recognises one from its
      transition matrix under any token labels; ``languages.counterexample16`` is k = 4) with the oracle under an
      i.i.d. schedule: the O(L N) transfer recurrence in log space, 1 - SER = E[(1/k)^K] (any L; refused above
      ``cost.DEFAULT_MAX_WORK`` steps, naming the closed form for uniform weights);
    - "markov-dp": any Markov-chain language (an order-2 n-gram, or an HMM that is a chain on its tokens)
      under an i.i.d. schedule or MDLM's grid, for the oracle or a Perturbed model: the gap DP summed over the gaps' end
      tokens, O(N V^4 L^3 / 6) multiply-adds (a V = 8 bigram at L = 256, N = 64 takes about a minute on two
      cores); absolute accuracy about 1e-14;
    - "block-transfer": block schedules (``schedules.llada``, ``schedules.blocks``) on a Markov-chain language,
      for the oracle or a Perturbed model: one small engine per block's start token and a V x V transfer over
      the blocks, any number of blocks (``exact.block_metrics``, which also gives KL and takes remasking
      strategies);
    - "state-space": the state-space engine (any language, schedule and model; small L, its size checked
      first).
    "auto" takes the first that applies. Where none reaches the length the error says so and names
    ``exactmdm.montecarlo.ser`` (an exact Clopper-Pearson interval). ``given``: tokens the sampler starts
    from (MASK where it generates; "markov-dp" multiplies the gaps between them, "state-space" starts there,
    "block-transfer" takes LLaDA's prompt; "letter-pair" does not take them).
    """
    from ..models import Oracle
    from . import letter_pair

    lang = as_language(lang)
    length = as_int(length, "length", minimum=1)
    schedule = _check_schedule(schedule)
    model = resolve_model(lang, model)
    if method not in SER_METHODS:
        raise InvalidArgument(f"method={method!r} must be one of {SER_METHODS}.")
    start = as_given(lang, given, length)
    letters = (letter_pair.letter_pairs(lang) if isinstance(model, Oracle) and isinstance(schedule, IIDSchedule)
               and start is None else None)
    if method == "letter-pair" or (method == "auto" and letters is not None):
        if letters is None:
            raise InvalidArgument("method='letter-pair' needs a letter-pair chain (e.g. languages.counterexample16(); "
                                  "see exact.letter_pair.letter_pairs), the oracle, an i.i.d. schedule and no given "
                                  "tokens (use method='markov-dp' with given=).")
        return -math.expm1(letter_pair.log_correct_iid(schedule, length, letters[0]))
    if method == "block-transfer" or (method == "auto" and blocks.unsupported_reason(lang, schedule, model) is None):
        return block_metrics(lang, length, schedule, model, given=start, max_entries=max_entries).ser
    if method == "markov-dp" or (method == "auto" and markov.is_supported(lang, schedule, model)):
        return markov_ser.ser(lang, length, schedule, model, max_work=max_work, max_entries=max_entries,
                              progress=progress, given=start)
    try:
        return output_distribution(lang, length, schedule, model, max_states=max_states, max_entries=max_entries,
                                   progress=progress, given=start).escaped
    except EnumerationTooLarge as exc:
        raise EnumerationTooLarge(f"no exact SER method reaches L={length} for this language: {exc} Estimate it with "
                                  "exactmdm.montecarlo.ser, whose Clopper-Pearson interval is exact.") from None


def sequence_probs(lang, xs, schedule, model=None, **options) -> np.ndarray:
    """``sequence_prob`` for each row of ``xs`` (shape (B, L)); ``options`` (``method``, ``given``, ...) as there."""
    lang = as_language(lang)
    xs = as_sequences(xs, "xs", lang.vocab_size, allow_mask=False)
    if xs.ndim != 2:
        raise InvalidArgument(f"xs must have shape (B, L), got {xs.shape}.")
    return np.array([sequence_prob(lang, x, schedule, model, **options) for x in xs])

