"""Hypothesis strategies for exactmdm objects, for your own property-based tests (and ours).

Strategies are plural nouns, defaults are keyword-only, and bad arguments raise at definition time.
Requires the ``test`` extra (hypothesis).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from .errors import InvalidArgument
from .languages import HMM, NGram
from .models import FunctionModel, Oracle, Perturbed
from .schedules import fixed_sizes, iid

__all__ = ["languages", "schedules", "masked_sequences", "models", "lookup_model"]


def _check_range(name_min, lo, name_max, hi):
    if lo < 1 or hi < lo:
        raise InvalidArgument(f"need 1 <= {name_min}={lo!r} <= {name_max}={hi!r}.")


def languages(*, min_vocab: int = 2, max_vocab: int = 3, max_states: int = 3, orders=(2, 3),
              kinds=("hmm", "ngram"), prunes=(0.0, 0.1, 0.3), concentrations=(0.3, 1.0, 3.0)):
    """Random HMMs and n-grams from the package's seeded generators (pruned, so supports are proper)."""
    _check_range("min_vocab", min_vocab, "max_vocab", max_vocab)
    if max_states < 1:
        raise InvalidArgument(f"max_states={max_states!r} must be >= 1.")
    if not set(kinds) <= {"hmm", "ngram"} or not kinds:
        raise InvalidArgument(f"kinds={kinds!r} must be a non-empty subset of ('hmm', 'ngram').")

    @st.composite
    def build(draw):
        kind = draw(st.sampled_from(list(kinds)))
        vocab = draw(st.integers(min_vocab, max_vocab))
        seed = draw(st.integers(0, 2**31 - 1))
        conc = draw(st.sampled_from(list(concentrations)))
        prune = draw(st.sampled_from(list(prunes)))
        if kind == "hmm":
            return HMM.random(draw(st.integers(1, max_states)), vocab, seed, conc, prune)
        return NGram.random(vocab, draw(st.sampled_from(list(orders))), seed, conc, prune)

    return build()


def schedules(length: int, *, max_steps: int = 4, kinds=("iid", "fixed_sizes")):
    """Schedules for sequences of ``length``: i.i.d. (named or random rational weights) or fixed sizes."""
    if length < 1 or max_steps < 1:
        raise InvalidArgument(f"length={length!r} and max_steps={max_steps!r} must be >= 1.")

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
    """Partially masked sequences of ``length`` whose unmasked tokens come from a support sequence."""

    @st.composite
    def build(draw):
        x = language.sample(1, length, seed=draw(st.integers(0, 2**31 - 1)))[0]
        mask = np.array(draw(st.lists(st.booleans(), min_size=length, max_size=length)))
        if mask.sum() < min_masked:
            mask[: min_masked] = True
        return np.where(mask, -1, x)

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
