"""Languages: distributions over V^L given as hidden Markov models or n-grams.

An HMM has hidden states 0..H-1, initial law ``pi`` (H,), transition ``A`` (H, H) and emission ``B``
(H, V); q(x) = sum over hidden paths of pi(h1) B(h1, x1) prod_i A(h_{i-1}, h_i) B(h_i, x_i). An n-gram of
order n is the HMM whose hidden state is the last n-1 tokens (shorter prefixes at the first positions
stand in for start padding) with deterministic emission, so every HMM algorithm works on n-grams;
``NGram`` adds fast paths for ``log_prob`` and ``joint`` that tests check against its HMM form.

The support {x : q(x) > 0} is a regular language. ``support_automaton`` returns its deterministic
automaton (subset construction over the hidden states) as a networkx graph, and ``count_support``
counts support sequences of each length exactly by dynamic programming on it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np

from .cost import DEFAULT_MAX_ENTRIES, check_enumeration_size, log_power
from .errors import InvalidArgument
from .hmm_kernels import _sample_hmm, support_dfa
from .inference import log_evidence_batch, support_consistent_batch
from .validation import as_float, as_int, as_probability_array, as_sequences

__all__ = ["Language", "HMM", "NGram", "counterexample16", "same_language", "parse_family", "parse_sticky",
           "make_language", "family_order"]

def _pruned_dirichlet(rng: np.random.Generator, num_rows: int, size: int, concentration: float, prune: float):
    """Dirichlet rows with entries below ``prune`` set to 0 (keeping each row's largest) and renormalised."""
    rows = rng.dirichlet(np.full(size, concentration), size=num_rows)
    keep = rows >= prune
    keep[np.arange(num_rows), rows.argmax(axis=1)] = True
    rows = np.where(keep, rows, 0.0)
    return rows / rows.sum(axis=1, keepdims=True)


def _check_random_args(seed, concentration, prune):
    seed = as_int(seed, "seed", minimum=0)
    concentration = as_float(concentration, "concentration", minimum=0.0, strict_minimum=True)
    prune = as_float(prune, "prune", minimum=0.0, maximum=1.0)
    return seed, concentration, prune


class Language:
    """Common behaviour of every language; subclasses provide ``as_hmm`` and ``vocab_size``."""

    vocab_size: int
    info: dict

    def as_hmm(self) -> "HMM":  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> dict:
        """JSON-ready description (kind, parameters or the recipe that made them), for certificates."""
        hmm = self.as_hmm()
        out = {"kind": type(self).__name__, "vocab_size": self.vocab_size, "num_hidden_states": hmm.num_states}
        out.update(self.info)
        if "recipe" not in self.info:
            out["parameters"] = self.parameters()
        return out

    def parameters(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- probabilities -------------------------------------------------------------------------------
    def log_prob(self, x) -> np.ndarray | float:
        """Natural log of q(x) for fully observed x of shape (L,) or (..., L); -inf off the support."""
        hmm = self.as_hmm()
        tokens = as_sequences(x, "x", self.vocab_size, allow_mask=False)
        flat = tokens.reshape(-1, tokens.shape[-1])
        out = log_evidence_batch(hmm, flat, check=False)
        return float(out[0]) if tokens.ndim == 1 else out.reshape(tokens.shape[:-1])

    def in_support(self, x) -> np.ndarray | bool:
        """Exact boolean q(x) > 0 (a reachability test on the support automaton, no floating point)."""
        hmm = self.as_hmm()
        tokens = as_sequences(x, "x", self.vocab_size, allow_mask=False)
        flat = tokens.reshape(-1, tokens.shape[-1])
        out = support_consistent_batch(hmm, flat, check=False)
        return bool(out[0]) if tokens.ndim == 1 else out.reshape(tokens.shape[:-1])

    def joint(self, length: int, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> np.ndarray:
        """The dense law q over V^L: an array of shape (V,)*L. Refuses sizes above ``max_entries``."""
        hmm = self.as_hmm()
        length = as_int(length, "length", minimum=1)
        check_enumeration_size(
            0, f"the joint law over V^L with V={self.vocab_size}, L={length}", 8, max_entries,
            "Use log_prob on the sequences you need, or sample().",
            log_entries=log_power(self.vocab_size, length) + np.log(hmm.num_states))
        table = np.einsum("h,hv->vh", hmm.initial, hmm.emission)
        for _ in range(1, length):
            table = np.einsum("...h,hg,gv->...vg", table, hmm.transition, hmm.emission)
        return table.sum(axis=-1)

    def sample(self, num: int, length: int, seed: int) -> np.ndarray:
        """``num`` i.i.d. sequences of length ``length`` from q, shape (num, length), reproducible by seed."""
        num = as_int(num, "num", minimum=0)
        length = as_int(length, "length", minimum=1)
        seed = as_int(seed, "seed", minimum=0)
        hmm = self.as_hmm()
        rng = np.random.default_rng(seed)
        u_state = rng.random((num, length))
        u_token = rng.random((num, length))
        return _sample_hmm(u_state, u_token, *hmm.cdf_arrays())

    def token_chain(self):
        """``(initial, transition)`` of the Markov chain on tokens this language is, or None.

        An order-2 n-gram is one directly; an HMM is one when every hidden state emits a single token and
        no token is emitted by two states (then the hidden state is the token). Algorithms that need the
        Markov property (the gap DP, the nearest-neighbour posterior) call this instead of asking users.
        """
        hmm = self.as_hmm()
        emits = hmm.emission > 0
        if not np.all(emits.sum(axis=1) == 1) or np.any(emits.sum(axis=0) > 1):
            return None
        token_of = emits.argmax(axis=1)
        state_of = np.full(self.vocab_size, -1)
        state_of[token_of] = np.arange(hmm.num_states)
        initial = np.zeros(self.vocab_size)
        transition = np.zeros((self.vocab_size, self.vocab_size))
        initial[token_of] = hmm.initial
        transition[np.ix_(token_of, token_of)] = hmm.transition
        for v in np.flatnonzero(state_of < 0):  # a token no state emits never occurs; any row keeps T stochastic
            transition[v, v] = 1.0
        return initial, transition

    # --- support structure ---------------------------------------------------------------------------
    def support_automaton(self) -> nx.MultiDiGraph:
        """Deterministic automaton of the support, as a networkx MultiDiGraph.

        Nodes are frozensets of hidden states (the states consistent with the prefix read so far); the
        node ``"start"`` reads the first token. Each edge carries ``token``. Every path from ``"start"``
        spells a distinct support prefix, so reachability and cycles of the graph are those of the
        language (e.g. ``nx.simple_cycles``, ``nx.strongly_connected_components``).
        """
        return support_dfa(self.as_hmm())

    def count_support(self, length: int) -> int:
        """Exact number of support sequences of length ``length`` (a Python int, no overflow)."""
        return self.support_counts(length)[-1]

    def support_counts(self, max_length: int) -> list[int]:
        """[number of support sequences of length 1, ..., max_length], exact, by DP on the automaton."""
        max_length = as_int(max_length, "max_length", minimum=1)
        graph = self.support_automaton()
        counts = {"start": 1}
        out = []
        for _ in range(max_length):
            nxt: dict = {}
            for node, c in counts.items():
                for _, target in graph.out_edges(node):
                    nxt[target] = nxt.get(target, 0) + c
            counts = nxt
            out.append(sum(counts.values()))
        return out


@dataclass(frozen=True, eq=False)
class HMM(Language):
    """Hidden Markov model language. Validates shapes and stochasticity of every row.

    Parameters
    ----------
    initial : (H,) initial law of the first hidden state.
    transition : (H, H) row-stochastic.
    emission : (H, V) row-stochastic.
    info : optional metadata (e.g. the seed recipe of a random language), copied into certificates.
    """

    initial: np.ndarray
    transition: np.ndarray
    emission: np.ndarray
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        initial = as_probability_array(self.initial, "initial", ndim=1)
        num_states = initial.shape[0]
        transition = as_probability_array(self.transition, "transition", shape=(num_states, num_states))
        emission = as_probability_array(self.emission, "emission", ndim=2)
        if emission.shape[0] != num_states:
            raise InvalidArgument(
                f"emission has {emission.shape[0]} rows but initial has {num_states} hidden states: the shapes "
                "disagree (emission must be (H, V))."
            )
        object.__setattr__(self, "initial", initial)
        object.__setattr__(self, "transition", transition)
        object.__setattr__(self, "emission", emission)
        object.__setattr__(self, "info", dict(self.info))

    @property
    def num_states(self) -> int:
        return self.initial.shape[0]

    @property
    def vocab_size(self) -> int:  # type: ignore[override]
        return self.emission.shape[1]

    def as_hmm(self) -> "HMM":
        return self

    def parameters(self) -> dict:
        return {"initial": self.initial.tolist(), "transition": self.transition.tolist(),
                "emission": self.emission.tolist()}

    @cached_property
    def _csr(self):
        nz = self.transition > 0
        indptr = np.concatenate([[0], np.cumsum(nz.sum(axis=1))]).astype(np.int64)
        rows, cols = np.nonzero(nz)
        return indptr, cols.astype(np.int64), np.ascontiguousarray(self.transition[rows, cols])

    def kernel_arrays(self):
        """(initial, indptr, indices, data, emission): the arrays the posterior kernels read."""
        indptr, indices, data = self._csr
        return self.initial, indptr, indices, data, self.emission

    @cached_property
    def _support(self):
        indptr, indices, _ = self._csr
        return self.initial > 0, indptr, indices, np.ascontiguousarray(self.emission > 0)

    def support_arrays(self):
        """(initial > 0, indptr, indices, emission > 0): the arrays of the exact support kernels."""
        return self._support

    @cached_property
    def _cdfs(self):
        return np.cumsum(self.initial), np.cumsum(self.transition, axis=1), np.cumsum(self.emission, axis=1)

    def cdf_arrays(self):
        return self._cdfs

    @classmethod
    def random(cls, num_states: int, vocab_size: int, seed: int, concentration: float = 1.0,
               prune: float = 0.0) -> "HMM":
        """Random HMM: every row Dirichlet(concentration), entries below ``prune`` zeroed, row renormalised.

        A row always keeps its largest entry, so it never empties. Reproducible from ``seed``.
        """
        num_states = as_int(num_states, "num_states", minimum=1)
        vocab_size = as_int(vocab_size, "vocab_size", minimum=1)
        seed, concentration, prune = _check_random_args(seed, concentration, prune)
        rng = np.random.default_rng(seed)
        initial = _pruned_dirichlet(rng, 1, num_states, concentration, prune)[0]
        transition = _pruned_dirichlet(rng, num_states, num_states, concentration, prune)
        emission = _pruned_dirichlet(rng, num_states, vocab_size, concentration, prune)
        recipe = {"constructor": "HMM.random", "num_states": num_states, "vocab_size": vocab_size, "seed": seed,
                  "concentration": concentration, "prune": prune}
        return cls(initial, transition, emission, info={"recipe": recipe})

    @classmethod
    def sticky(cls, num_states: int, vocab_size: int, stay: float, seed: int, noise: float = 0.1) -> "HMM":
        """Slow-mixing HMM: the hidden state keeps its value with probability ``stay`` and otherwise jumps to a
        uniformly random state (itself included); state h emits token h mod V with probability 1 - ``noise``,
        else a token from a seeded Dirichlet(1) row. The initial law is uniform.

        Its correlation length is about 1 / (1 - stay) positions, so at L well beyond it the information profile
        falls fast at first (a few revealed tokens pin down the hidden segments) and then flattens. With
        ``noise`` = 0 and V >= H every state emits a token of its own: the language is a Markov chain on tokens
        and its profile is exact at any L (``token_chain``); ``seed`` then changes nothing.
        """
        num_states = as_int(num_states, "num_states", minimum=1)
        vocab_size = as_int(vocab_size, "vocab_size", minimum=1)
        stay = as_float(stay, "stay", minimum=0.0, maximum=1.0)
        noise = as_float(noise, "noise", minimum=0.0, maximum=1.0)
        seed = as_int(seed, "seed", minimum=0)
        rng = np.random.default_rng(seed)
        initial = np.full(num_states, 1.0 / num_states)
        transition = np.full((num_states, num_states), (1.0 - stay) / num_states)
        transition[np.diag_indices(num_states)] += stay
        emission = noise * rng.dirichlet(np.ones(vocab_size), size=num_states)
        emission[np.arange(num_states), np.arange(num_states) % vocab_size] += 1.0 - noise
        recipe = {"constructor": "HMM.sticky", "num_states": num_states, "vocab_size": vocab_size, "stay": stay,
                  "noise": noise, "seed": seed}
        return cls(initial, transition, emission, info={"recipe": recipe})


@dataclass(frozen=True, eq=False)
class NGram(Language):
    """n-gram language of order ``order`` >= 2.

    Parameters
    ----------
    order : n.
    initial : law of the first n-1 tokens, shape (V,)*(n-1), summing to 1.
    transition : q(x_i | x_{i-n+1..i-1}), shape (V,)*(n-1) + (V,), each last-axis row summing to 1.
    """

    order: int
    initial: np.ndarray
    transition: np.ndarray
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        order = as_int(self.order, "order", minimum=2)
        transition = as_probability_array(self.transition, "transition", ndim=order)
        vocab = transition.shape[-1]
        if transition.shape != (vocab,) * order:
            raise InvalidArgument(
                f"transition must have shape (V,)*{order} = {(vocab,) * order} for an order-{order} n-gram, got "
                f"{transition.shape}."
            )
        try:
            initial_array = np.asarray(self.initial, dtype=np.float64)
        except (TypeError, ValueError):
            initial_array = None
        if initial_array is None or initial_array.shape != (vocab,) * (order - 1):
            shape = None if initial_array is None else initial_array.shape
            raise InvalidArgument(
                f"initial must have shape (V,)*(order-1) = {(vocab,) * (order - 1)}, got {shape}: it is the law of "
                "the first order-1 tokens."
            )
        initial = as_probability_array(initial_array.reshape(-1), "initial").reshape(initial_array.shape)
        object.__setattr__(self, "order", order)
        object.__setattr__(self, "initial", initial)
        object.__setattr__(self, "transition", transition)
        object.__setattr__(self, "info", dict(self.info))

    @property
    def vocab_size(self) -> int:  # type: ignore[override]
        return self.transition.shape[-1]

    def parameters(self) -> dict:
        return {"order": self.order, "initial": self.initial.tolist(), "transition": self.transition.tolist()}

    def token_chain(self):
        if self.order == 2:
            return self.initial, self.transition
        return super().token_chain()

    def as_hmm(self) -> HMM:
        """The equivalent HMM: hidden state = the last min(i, n-1) tokens, deterministic emission."""
        return self._hmm

    @cached_property
    def _hmm(self) -> HMM:
        n, vocab = self.order, self.vocab_size
        sizes = [vocab ** j for j in range(1, n)]
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        num_states = int(offsets[-1])
        check_enumeration_size(float(num_states) ** 2, f"the HMM form of an order-{n} n-gram over V={vocab} ({num_states} "
                               "hidden states, a dense H x H transition)", 8, DEFAULT_MAX_ENTRIES,
                               "Use a smaller order or vocabulary.")
        initial = np.zeros(num_states)
        transition = np.zeros((num_states, num_states))
        emission = np.zeros((num_states, vocab))
        marginals = [self.initial.sum(axis=tuple(range(j, n - 1))) for j in range(1, n)]
        initial[: vocab] = marginals[0]
        for j in range(1, n):
            for prefix in itertools.product(range(vocab), repeat=j):
                state = offsets[j - 1] + np.ravel_multi_index(prefix, (vocab,) * j)
                emission[state, prefix[-1]] = 1.0
                if j < n - 1:
                    mass = marginals[j - 1][prefix]
                    row = marginals[j][prefix] / mass if mass > 0 else np.full(vocab, 1.0 / vocab)
                    targets = offsets[j] + np.ravel_multi_index(np.array([prefix + (v,) for v in range(vocab)]).T,
                                                                (vocab,) * (j + 1))
                else:
                    row = self.transition[prefix]
                    targets = offsets[j - 1] + np.ravel_multi_index(
                        np.array([prefix[1:] + (v,) for v in range(vocab)]).T, (vocab,) * j)
                transition[state, targets] = row
        return HMM(initial, transition, emission, info={"converted_from": f"NGram(order={n})"})

    def log_prob(self, x):
        """Natural log of q(x): initial law of the first n-1 tokens times the conditionals (fast path)."""
        tokens = as_sequences(x, "x", self.vocab_size, allow_mask=False)
        n, length = self.order, tokens.shape[-1]
        head = min(length, n - 1)
        marginal = self.initial.sum(axis=tuple(range(head, n - 1)))
        with np.errstate(divide="ignore"):
            out = np.log(marginal[tuple(np.moveaxis(tokens[..., :head], -1, 0))])
            for i in range(n - 1, length):
                out = out + np.log(self.transition[tuple(np.moveaxis(tokens[..., i - n + 1:i + 1], -1, 0))])
        return float(out) if tokens.ndim == 1 else out

    def joint(self, length: int, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> np.ndarray:
        """The dense law q over V^L, shape (V,)*L (fast path)."""
        length = as_int(length, "length", minimum=1)
        check_enumeration_size(0, f"the joint law over V^L with V={self.vocab_size}, L={length}", 8, max_entries,
                               "Use log_prob on the sequences you need, or sample().",
                               log_entries=log_power(self.vocab_size, length))
        n = self.order
        head = min(length, n - 1)
        table = self.initial.sum(axis=tuple(range(head, n - 1)))
        for _ in range(n - 1, length):
            table = table[..., None] * self.transition
        return table

    @classmethod
    def random(cls, vocab_size: int, order: int, seed: int, concentration: float = 1.0, prune: float = 0.0) -> "NGram":
        """Random n-gram: the initial law (one Dirichlet over V^(n-1)) and every conditional row drawn from
        Dirichlet(concentration), entries below ``prune`` zeroed (keeping each row's largest), renormalised."""
        vocab_size = as_int(vocab_size, "vocab_size", minimum=1)
        order = as_int(order, "order", minimum=2)
        seed, concentration, prune = _check_random_args(seed, concentration, prune)
        check_enumeration_size(0, f"an order-{order} n-gram over V={vocab_size} tokens (its transition table V^n)", 8,
                               DEFAULT_MAX_ENTRIES, "Use a smaller order or vocabulary, or an HMM with few hidden states.",
                               log_entries=log_power(vocab_size, order))
        rng = np.random.default_rng(seed)
        contexts = vocab_size ** (order - 1)
        initial = _pruned_dirichlet(rng, 1, contexts, concentration, prune)[0].reshape((vocab_size,) * (order - 1))
        transition = _pruned_dirichlet(rng, contexts, vocab_size, concentration, prune).reshape((vocab_size,) * order)
        recipe = {"constructor": "NGram.random", "vocab_size": vocab_size, "order": order, "seed": seed,
                  "concentration": concentration, "prune": prune}
        return cls(order, initial, transition, info={"recipe": recipe})


def counterexample16() -> NGram:
    """The letter-pair chain: the 16-symbol witness of the SER lower bound (Feng et al. Theorem 4.4; docs/theory.md).

    Letters c_0..c_L are i.i.d. uniform on {0,1,2,3}; token x_i = (c_{i-1}, c_i), encoded as 4*c_{i-1} + c_i.
    As a Markov chain on 16 symbols: start uniform, (a, b) -> (b, c) with c uniform. Support: sequences in
    which neighbours agree on the shared letter; there are 4^(L+1) of them at length L.
    """
    transition = np.zeros((16, 16))
    for a, b, c in itertools.product(range(4), repeat=3):
        transition[4 * a + b, 4 * b + c] = 0.25
    return NGram(2, np.full(16, 1.0 / 16), transition, info={"recipe": {"constructor": "counterexample16"}})



def same_language(a, b) -> bool:
    """Equal by value: the same HMM form (initial, transition, emission arrays), not the same object."""
    if a is b:
        return True
    if not (isinstance(a, Language) and isinstance(b, Language)):
        return False
    ha, hb = a.as_hmm(), b.as_hmm()
    return all(x.shape == y.shape and np.array_equal(x, y) for x, y in
               ((ha.initial, hb.initial), (ha.transition, hb.transition), (ha.emission, hb.emission)))


# --- named families of random languages ------------------------------------------------------------------------
_FAMILY = re.compile(r"^(ngram|hmm)(\d+)-V(\d+)(?:-p([0-9.]+))?$")
_STICKY = re.compile(r"^sticky(\d+)-V(\d+)-s([0-9.]+)(?:-n([0-9.]+))?$")
DEFAULT_FAMILY_PRUNE = 0.1
DEFAULT_STICKY_NOISE = 0.1


def parse_sticky(family: str, flag: str = "family") -> tuple[int, int, float, float]:
    """(hidden states H, vocabulary size V, stay, noise) of a sticky family ``sticky{H}-V{V}-s{stay}[-n{noise}]``
    (``HMM.sticky``; the noise defaults to ``DEFAULT_STICKY_NOISE``), e.g. ``sticky4-V4-s0.95`` or the Markov
    chain ``sticky4-V4-s0.98-n0``."""
    match = _STICKY.match(family) if isinstance(family, str) else None
    if not match:
        raise InvalidArgument(f"{flag} {family!r} must look like 'sticky4-V4-s0.95' or 'sticky4-V4-s0.98-n0'.")
    size, vocab, stay, noise = match.groups()
    try:
        stay, noise = float(stay), float(noise) if noise else DEFAULT_STICKY_NOISE
    except ValueError:
        raise InvalidArgument(f"{flag} {family!r} has a stay or noise that is not a number: write e.g. "
                              "'-s0.95-n0.1'.") from None
    if int(size) < 1 or int(vocab) < 1 or not (0 <= stay <= 1 and 0 <= noise <= 1):
        raise InvalidArgument(f"{flag} {family!r} needs H >= 1, V >= 1, and stay and noise in [0, 1].")
    return int(size), int(vocab), stay, noise


def parse_family(family: str, flag: str = "family") -> tuple[str, int, int, float]:
    """(kind, order or hidden states, vocabulary size, prune) of a family name ``ngram{n}-V{V}[-p{prune}]`` or
    ``hmm{H}-V{V}[-p{prune}]``; the prune defaults to ``DEFAULT_FAMILY_PRUNE``. A sticky family
    ``sticky{H}-V{V}-s{stay}[-n{noise}]`` gives ("sticky", H, V, stay) (``parse_sticky`` reads the noise too).

    ``flag`` is how error messages name the argument (a command line passes its option, e.g. "--families").
    """
    if isinstance(family, str) and family.startswith("sticky"):
        size, vocab, stay, _ = parse_sticky(family, flag)
        return "sticky", size, vocab, stay
    match = _FAMILY.match(family) if isinstance(family, str) else None
    if not match:
        raise InvalidArgument(f"{flag} {family!r} must look like 'ngram2-V2', 'ngram3-V2-p0.2', 'hmm3-V3' or "
                              "'sticky4-V4-s0.95'.")
    kind, size, vocab, prune = match.groups()
    try:
        prune = float(prune) if prune else DEFAULT_FAMILY_PRUNE
    except ValueError:  # the pattern lets through '1.2.3'
        raise InvalidArgument(f"{flag} {family!r} has prune {prune!r}, not a number: write e.g. '-p0.2'.") from None
    if int(vocab) < 1 or int(size) < (2 if kind == "ngram" else 1) or not 0 <= prune <= 1:
        raise InvalidArgument(f"{flag} {family!r} needs V >= 1, order >= 2 (n-grams) or H >= 1 (HMMs), and a prune "
                              "in [0, 1].")
    return kind, int(size), int(vocab), prune


def make_language(family: str, seed: int, concentration: float = 1.0, flag: str = "family") -> Language:
    """The seeded language a family name stands for: ``NGram.random`` for ``ngram{n}-V{V}[-p{prune}]``,
    ``HMM.random`` for ``hmm{H}-V{V}[-p{prune}]`` (see ``parse_family``), ``HMM.sticky`` for
    ``sticky{H}-V{V}-s{stay}[-n{noise}]`` (see ``parse_sticky``), or ``counterexample16`` (the letter-pair chain;
    ``seed`` is then unused)."""
    if family == "counterexample16":
        return counterexample16()
    if isinstance(family, str) and family.startswith("sticky"):
        size, vocab, stay, noise = parse_sticky(family, flag)
        return HMM.sticky(size, vocab, stay, seed, noise)
    kind, size, vocab, prune = parse_family(family, flag)
    if kind == "ngram":
        return NGram.random(vocab, size, seed, concentration, prune)
    return HMM.random(size, vocab, seed, concentration, prune)


def family_order(family: str) -> int | None:
    """The n-gram order of a family name (2 for "ngram2-V3"), or None for HMM families and other names."""
    match = _FAMILY.match(family) if isinstance(family, str) else None
    return int(match.group(2)) if match and match.group(1) == "ngram" else None
