"""Hypothesis strategies for exactmdm objects, for your own property-based tests (and ours).

Strategies are plural nouns, defaults are keyword-only, and bad arguments raise at definition time.
Requires the ``test`` extra (hypothesis).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from .errors import InvalidArgument, InvalidType
from .languages import HMM, NGram
from .models import FunctionModel, Oracle, Perturbed
from .schedules import fixed_sizes, iid
from .validation import as_language

__all__ = ["languages", "schedules", "masked_sequences", "models", "lookup_model", "assert_sampler_matches_exact",
           "assert_posterior_matches"]


def _check_int(name: str, value, minimum: int = 1):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidArgument(f"{name}={value!r} must be an integer >= {minimum}.")


def _check_range(name_min, lo, name_max, hi):
    _check_int(name_min, lo)
    _check_int(name_max, hi)
    if hi < lo:
        raise InvalidArgument(f"{name_min}={lo!r} must be <= {name_max}={hi!r}.")


def _rows(draw, num_rows: int, size: int, max_weight: int) -> np.ndarray:
    """Stochastic rows from drawn integer weights 0..max_weight (zeros prune the support; each row keeps one
    positive entry), so a failure shrinks to small weights that read as simple fractions."""
    out = np.empty((num_rows, size))
    for r in range(num_rows):
        weights = draw(st.lists(st.integers(0, max_weight), min_size=size, max_size=size).filter(any))
        out[r] = np.array(weights, dtype=np.float64) / sum(weights)
    return out


def languages(*, min_vocab: int = 2, max_vocab: int = 3, max_states: int = 3, orders=(2, 3),
              kinds=("hmm", "ngram"), max_weight: int = 4):
    """HMMs and n-grams whose parameters are drawn entry by entry (integer weights 0..max_weight per row,
    normalised), so pruned supports occur and failures shrink to small readable languages."""
    _check_range("min_vocab", min_vocab, "max_vocab", max_vocab)
    _check_int("max_states", max_states)
    _check_int("max_weight", max_weight)
    kinds = tuple(kinds)
    if not kinds or not set(kinds) <= {"hmm", "ngram"}:
        raise InvalidArgument(f"kinds={kinds!r} must be a non-empty subset of ('hmm', 'ngram').")
    orders = tuple(orders)
    if "ngram" in kinds and (not orders or any(isinstance(n, bool) or not isinstance(n, int) or n < 2 for n in orders)):
        raise InvalidArgument(f"orders={orders!r} must be a non-empty collection of integers >= 2.")

    @st.composite
    def build(draw):
        kind = draw(st.sampled_from(kinds))
        vocab = draw(st.integers(min_vocab, max_vocab))
        if kind == "hmm":
            states = draw(st.integers(1, max_states))
            return HMM(_rows(draw, 1, states, max_weight)[0], _rows(draw, states, states, max_weight),
                       _rows(draw, states, vocab, max_weight))
        order = draw(st.sampled_from(orders))
        contexts = vocab ** (order - 1)
        initial = _rows(draw, 1, contexts, max_weight)[0].reshape((vocab,) * (order - 1))
        return NGram(order, initial, _rows(draw, contexts, vocab, max_weight).reshape((vocab,) * order))

    return build()


def schedules(length: int, *, max_steps: int = 4, kinds=("iid", "fixed_sizes")):
    """Schedules for sequences of ``length``: i.i.d. (named or random rational weights) or fixed sizes."""
    _check_int("length", length)
    _check_int("max_steps", max_steps)
    kinds = tuple(kinds)
    if not kinds or not set(kinds) <= {"iid", "fixed_sizes"}:
        raise InvalidArgument(f"kinds={kinds!r} must be a non-empty subset of ('iid', 'fixed_sizes').")

    @st.composite
    def build(draw):
        kind = draw(st.sampled_from(list(kinds)))
        if kind == "iid":
            n = draw(st.integers(1, max_steps))
            form = draw(st.sampled_from(["linear", "cosine", "poly:2", "weights"]))
            if form != "weights":
                return iid(n, form)
            raw = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n).filter(lambda w: sum(w) > 0))
            return iid(n, [Fraction(w, sum(raw)) for w in raw])
        n = draw(st.integers(1, min(max_steps, length)))
        cuts = sorted(draw(st.sets(st.integers(1, length - 1), min_size=n - 1, max_size=n - 1))) if n > 1 else []
        bounds = [0] + cuts + [length]
        return fixed_sizes([b - a for a, b in zip(bounds, bounds[1:])])

    return build()


def masked_sequences(language, length: int, *, min_masked: int = 0):
    """Partially masked sequences of ``length`` whose unmasked tokens come from a support sequence.

    Tokens are drawn position by position among those that keep the prefix in the support (an HMM prefix
    of positive probability always extends), then a mask; failures shrink to small tokens and few masks.
    """
    as_language(language, "language")
    _check_int("length", length)
    _check_int("min_masked", min_masked, minimum=0)
    if min_masked > length:
        raise InvalidArgument(f"min_masked={min_masked!r} must be <= length={length!r}.")

    @st.composite
    def build(draw):
        x = []
        for _ in range(length):
            allowed = [v for v in range(language.vocab_size) if language.in_support(x + [v])]
            x.append(draw(st.sampled_from(allowed)))
        mask = np.array(draw(st.lists(st.booleans(), min_size=length, max_size=length)))
        if mask.sum() < min_masked:
            mask[np.flatnonzero(~mask)[: min_masked - mask.sum()]] = True
        return np.where(mask, -1, np.array(x, dtype=np.int64))

    return build()


def lookup_model(vocab_size: int, seed: int, zero_fraction: float = 0.0) -> FunctionModel:
    """A model defined on every state: per (state, position) a seeded Dirichlet row (deterministic)."""
    base = int(seed)

    def fn(xt):
        out = np.empty(xt.shape + (vocab_size,))
        for b, row in enumerate(xt):
            code = int(((row + 1) * (vocab_size + 1) ** np.arange(row.shape[0])).sum())
            rng = np.random.default_rng([base, code])
            probs = rng.dirichlet(np.ones(vocab_size), size=row.shape[0])
            if zero_fraction > 0:
                cut = rng.random(probs.shape) < zero_fraction
                cut[np.arange(row.shape[0]), probs.argmax(axis=1)] = False
                probs = np.where(cut, 0.0, probs)
                probs /= probs.sum(axis=1, keepdims=True)
            out[b] = probs
        return out

    return FunctionModel(fn, vocab_size, name=f"lookup(seed={base})")


def models(language):
    """The oracle, uniform and temperature perturbations, and seeded lookup models."""
    eps = st.sampled_from([0.001, 0.01, 0.1, 0.5])
    return st.one_of(
        st.just(Oracle(language)),
        st.builds(lambda e: Perturbed(language, e, "uniform"), eps),
        st.builds(lambda e: Perturbed(language, e, "temperature"), eps),
        st.builds(lambda s: lookup_model(language.vocab_size, s, 0.2), st.integers(0, 1000)),
    )


def assert_sampler_matches_exact(sample_fn, lang, length: int, schedule, model=None, *, num_samples: int,
                                 alpha: float = 1e-3, seed: int = 0):
    """Assert that ``sample_fn(num, seed) -> (num, L) ints`` draws from the exact output law of the sampler.

    Cells: every support sequence and one "off the support" cell (rows off the support or holding MASK).
    Each cell's count is tested against its exact probability by an exact two-sided binomial test, with a
    Bonferroni correction, so a correct sampler fails with probability at most ``alpha`` (the stated
    false-alarm rate). On failure the AssertionError lists the worst cells with expected and observed counts.
    """
    from . import exact
    from .montecarlo.statistics import binomial_two_sided_pvalue
    from .validation import as_float

    _check_int("num_samples", num_samples)
    alpha = as_float(alpha, "alpha", minimum=0.0, maximum=1.0, strict_minimum=True)
    out = exact.output_distribution(lang, length, schedule, model)
    draws = np.asarray(sample_fn(num_samples, seed))
    if draws.shape != (num_samples, length):
        raise AssertionError(f"sample_fn returned shape {draws.shape}, expected {(num_samples, length)}")
    draws = _integer_draws(draws)
    support = np.argwhere(lang.joint(length) > 0)
    valid = (draws >= 0).all(axis=1) & (draws < lang.vocab_size).all(axis=1)
    ok = valid.copy()
    ok[valid] = lang.in_support(draws[valid])
    codes = {tuple(x): i for i, x in enumerate(support.tolist())}
    counts = np.zeros(len(support) + 1, dtype=np.int64)
    for row, good in zip(draws.tolist(), ok):
        counts[codes[tuple(row)] if good else -1] += 1
    probs = np.append(out.probs[tuple(support.T)], out.escaped)
    pvalues = np.array([binomial_two_sided_pvalue(int(c), num_samples, float(p)) for c, p in zip(counts, probs)])
    threshold = alpha / len(counts)
    if pvalues.min() < threshold:
        worst = np.argsort(pvalues)[:5]
        names = [str(tuple(support[i].tolist())) if i < len(support) else "off the support" for i in worst]
        lines = [f"  {n}: expected {probs[i] * num_samples:.1f}, observed {counts[i]}, p = {pvalues[i]:.3g}"
                 for n, i in zip(names, worst)]
        raise AssertionError(f"sampler does not match the exact law (Bonferroni threshold {threshold:.3g} for "
                             f"alpha = {alpha:g} over {len(counts)} cells); worst cells:\n" + "\n".join(lines))


def _integer_draws(draws: np.ndarray) -> np.ndarray:
    """``sample_fn``'s output as int64: whole-number floats are accepted, anything else is refused by name (the
    check inside ``lang.in_support`` would blame an argument the user never passed)."""
    if np.issubdtype(draws.dtype, np.integer) and draws.dtype != bool:
        return draws.astype(np.int64)
    if np.issubdtype(draws.dtype, np.floating) and np.all(np.isfinite(draws)) and np.all(draws == np.round(draws)):
        return draws.astype(np.int64)
    flat = draws.ravel()
    raise InvalidType(f"sample_fn returned an array of dtype {draws.dtype} (first entry {flat[0]!r} if any): it must "
                      "return integer tokens, shape (num, L), with MASK = -1 where a sequence stopped; cast its output "
                      "with .astype(np.int64) if the values are whole numbers." if flat.size else
                      f"sample_fn returned an empty array of dtype {draws.dtype}: it must return integer tokens.")


def assert_posterior_matches(model_fn, lang, length: int, *, max_kl: float, unit: str = "nats"):
    """Assert that a reverse model is within ``max_kl`` of the exact posterior at every reachable state.

    ``model_fn``: a reverse model, or a plain callable ``xt (B, L) int64 -> (B, L, V)`` probabilities. Every
    support-consistent x_t of length ``length`` with at least one masked position is enumerated ((V+1)^L
    states; a clear error above the memory budget), and the largest KL(q_{0|t}(. | x_t) || p(. | x_t)) over
    masked positions is compared with ``max_kl`` (``unit`` "nats" or "bits"). On failure the AssertionError
    shows the worst state, position, the exact row and the model's row. Returns the measured
    ``metrics.EpsLearning`` when it passes.
    """
    from .inference import posterior
    from .metrics import eps_learning
    from .models import to_nats
    from .validation import as_float

    limit = to_nats(as_float(max_kl, "max_kl", minimum=0.0), unit, "max_kl")
    model = model_fn if hasattr(model_fn, "vocab_size") else FunctionModel(model_fn, lang.vocab_size, name="model_fn")
    measured = eps_learning(lang, model, length)
    if measured.max_nats > limit:
        state = np.array(measured.argmax_state)
        i = measured.argmax_position
        exact_row = posterior(lang, state)[i]
        model_row = np.asarray(model(state[None]))[0, i]
        shown = " ".join("_" if t < 0 else str(t) for t in state)
        raise AssertionError(
            f"the model's posterior is {measured.max_nats:.6g} nats (> max_kl = {limit:.6g} nats) from the exact one at "
            f"x_t = [{shown}] (_ = masked), position {i}:\n  exact: {np.array2string(exact_row, precision=6)}\n"
            f"  model: {np.array2string(model_row, precision=6)}\n({measured.num_states} reachable states checked; "
            f"mean KL {measured.mean_nats:.3g} nats)")
    return measured
