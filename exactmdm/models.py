"""Reverse models: maps from a batch of partially masked x_t to per-position token distributions.

The interface (a ``ReverseModel``) is a callable ``model(xt) -> probs`` with ``xt`` an int64 array of
shape (B, L) (``MASK`` = -1 at masked positions) and ``probs`` a float64 array (B, L, V) whose rows are
distributions; rows at unmasked positions are ignored by the samplers. A model also has ``vocab_size``,
``name`` and ``defined_off_support`` (False when it, like the oracle, is undefined on states whose
unmasked tokens are impossible under the language). Wrap any function with ``FunctionModel``.

``Perturbed`` models satisfy Assumption 4.1 of Feng et al. by construction:
KL(q_{0|t}(. | x_t) || p(. | x_t)) <= eps at every masked position of every reachable x_t.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Protocol, runtime_checkable

import numpy as np

from ._jit import njit, prange
from .errors import InvalidArgument, InvalidType
from .inference import posterior
from .information import kl_row
from .validation import as_float, as_int, as_language

__all__ = ["ReverseModel", "Oracle", "Perturbed", "FunctionModel", "check_model_output", "UNITS", "to_nats", "truncated"]

UNITS = {"nats": 1.0, "bits": math.log(2.0)}


def to_nats(value: float, unit: str, name: str = "eps_learning") -> float:
    """Convert a KL-type quantity given in ``unit`` ("nats" or "bits") to nats."""
    if unit not in UNITS:
        raise InvalidArgument(f"unit={unit!r} for {name} must be 'nats' or 'bits'.")
    return value * UNITS[unit]


@runtime_checkable
class ReverseModel(Protocol):
    vocab_size: int
    name: str
    defined_off_support: bool

    def __call__(self, xt: np.ndarray) -> np.ndarray: ...


def check_model_output(probs, batch: int, length: int, vocab: int, name: str) -> np.ndarray:
    """Validate a model's output: shape (B, L, V), finite, non-negative, rows summing to 1 (1e-9)."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.shape != (batch, length, vocab):
        raise InvalidArgument(f"model {name} returned shape {probs.shape}, expected (B, L, V) = {(batch, length, vocab)}.")
    if not np.all(np.isfinite(probs)) or np.any(probs < 0):
        raise InvalidArgument(f"model {name} returned a NaN, infinite or negative probability.")
    sums = probs.sum(axis=-1)
    if np.any(np.abs(sums - 1.0) > 1e-9):
        idx = tuple(int(i) for i in np.argwhere(np.abs(sums - 1.0) > 1e-9)[0])
        raise InvalidArgument(f"model {name} returned a row summing to {float(sums[idx])!r} at (batch, position) {idx}: "
                              "each position's distribution must sum to 1.")
    return np.ascontiguousarray(probs)


@dataclass(frozen=True, eq=False)
class Oracle:
    """The true reverse posterior q_{0|t}(x0^i | x_t) (masked forward-backward)."""

    language: object
    defined_off_support = False

    def __post_init__(self):
        check_language(self.language)

    @property
    def vocab_size(self) -> int:
        return self.language.vocab_size

    @property
    def name(self) -> str:
        return "oracle"

    def __call__(self, xt) -> np.ndarray:
        return posterior(self.language, xt)

    def describe(self) -> dict:
        return {"kind": "oracle"}

    def kernel_form(self) -> tuple[int, float]:
        """(code, parameter) of the row transform g with p_i = g(q_i): lets kernels apply the model themselves."""
        return ORACLE, 0.0


@njit
def _sharpen_row(q, beta, out):
    m = -np.inf
    for v in range(q.shape[0]):
        if q[v] > 0.0:
            m = max(m, math.log(q[v]))
    total = 0.0
    for v in range(q.shape[0]):
        out[v] = math.exp(beta * (math.log(q[v]) - m)) if q[v] > 0.0 else 0.0
        total += out[v]
    for v in range(q.shape[0]):
        out[v] /= total


@njit
def _temperature_row(q, eps, tmp, out):
    """The sharpened law p ∝ q^beta with beta >= 1 the largest (by bisection) keeping KL(q||p) <= eps.

    KL(q || q^beta / Z) is 0 at beta = 1 and increases with beta, so the bisection returns a model whose
    KL is at most eps (the guarantee) and within 1e-12 relative of it where eps is reachable.

    A row uniform on its support is its own sharpening at every beta, and is returned as it is: the search
    would otherwise end at the cap (beta = 1e6) and turn the 1e-16 rounding of two equal entries into gaps of
    1e-10, so that two exact computations of the same tie (say a forward-backward and a matrix power) would
    break it differently under an argmax. Entries within 1e-12 relative of each other count as equal here.
    """
    low, high = np.inf, 0.0
    for v in range(q.shape[0]):
        if q[v] > 0.0:
            low, high = min(low, q[v]), max(high, q[v])
    if high <= low * (1.0 + 1e-12):
        out[:] = q
        return
    lo, hi = 1.0, 2.0
    while hi < 1e6:
        _sharpen_row(q, hi, tmp)
        if kl_row(q, tmp) > eps:
            break
        lo = hi
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        _sharpen_row(q, mid, tmp)
        if kl_row(q, tmp) <= eps:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * lo:
            break
    _sharpen_row(q, lo, out)


@njit(parallel=True)
def _temperature_batch(q, eps):
    rows, vocab = q.shape
    out = np.empty_like(q)
    for r in prange(rows):
        _temperature_row(q[r], eps, np.empty(vocab), out[r])
    return out


ORACLE, UNIFORM, TEMPERATURE = 0, 1, 2
"""Codes of the row transforms p_i = g(q_i) that kernels apply themselves (``kernel_form``)."""


@njit
def apply_row_transform(q, kind, param, tmp, out):
    """out = g(q) for the model codes above: the oracle (identity), uniform mixing with weight ``param``, or
    sharpening to KL = ``param`` nats."""
    if kind == ORACLE:
        out[:] = q
    elif kind == UNIFORM:
        for v in range(q.shape[0]):
            out[v] = (1.0 - param) * q[v] + param / q.shape[0]
    else:
        _temperature_row(q, param, tmp, out)


@dataclass(frozen=True, eq=False)
class Perturbed:
    """A model at KL distance at most ``eps_learning`` from the oracle at every position and state.

    kind="uniform": p = (1 - l) q + l / V with l = 1 - exp(-eps); since p >= (1 - l) q,
      KL(q || p) <= -log(1 - l) = eps (nats).
    kind="temperature": p ∝ q^beta with the largest beta >= 1 keeping KL(q || p) <= eps per row (a
      sharpening, so it pushes mass to the likeliest tokens, the direction that hurts sequence errors).
    ``unit`` is the unit of ``eps_learning`` ("nats" by default, as in Assumption 4.1; "bits" converts).
    """

    language: object
    eps_learning: float
    kind: str = "uniform"
    unit: str = "nats"
    defined_off_support = False

    def __post_init__(self):
        check_language(self.language)
        eps = as_float(self.eps_learning, "eps_learning", minimum=0.0)
        if self.kind not in ("uniform", "temperature"):
            raise InvalidArgument(f"kind={self.kind!r} must be 'uniform' or 'temperature'.")
        object.__setattr__(self, "eps_learning", eps)
        object.__setattr__(self, "_eps_nats", to_nats(eps, self.unit))

    @property
    def eps_nats(self) -> float:
        return self._eps_nats

    @property
    def vocab_size(self) -> int:
        return self.language.vocab_size

    @property
    def name(self) -> str:
        return f"perturbed[{self.kind}, eps={self.eps_learning:g} {self.unit}]"

    @property
    def mixing(self) -> float:
        """l = 1 - exp(-eps) of the uniform kind."""
        return -math.expm1(-self._eps_nats)

    def __call__(self, xt) -> np.ndarray:
        q = posterior(self.language, xt)
        if self.kind == "uniform":
            lam = self.mixing
            return (1.0 - lam) * q + lam / self.vocab_size
        flat = q.reshape(-1, q.shape[-1])
        return _temperature_batch(np.ascontiguousarray(flat), self._eps_nats).reshape(q.shape)

    def kernel_form(self) -> tuple[int, float]:
        """(code, parameter) of the row transform g with p_i = g(q_i): the output at a position depends only on
        the oracle's posterior there, so kernels that know q_i (the Markov gap DP) apply it themselves."""
        return (UNIFORM, self.mixing) if self.kind == "uniform" else (TEMPERATURE, self._eps_nats)

    def describe(self) -> dict:
        return {"kind": f"perturbed_{self.kind}", "eps_learning": self.eps_learning, "unit": self.unit,
                "eps_learning_nats": self._eps_nats}


@dataclass(frozen=True, eq=False)
class FunctionModel:
    """Wrap a user callable ``fn(xt (B, L) int64) -> (B, L, V)`` as a reverse model; outputs are validated."""

    fn: Callable
    vocab_size: int
    name: str = "function"
    defined_off_support: bool = True

    def __post_init__(self):
        if not callable(self.fn):
            raise InvalidType(f"fn={self.fn!r} must be callable: xt (B, L) -> probabilities (B, L, V).")
        object.__setattr__(self, "vocab_size", as_int(self.vocab_size, "vocab_size", minimum=1))

    def __call__(self, xt) -> np.ndarray:
        xt = np.asarray(xt, dtype=np.int64)
        single = xt.ndim == 1
        batch = xt.reshape(-1, xt.shape[-1])
        out = check_model_output(self.fn(batch), batch.shape[0], batch.shape[1], self.vocab_size, self.name)
        return out[0] if single else out.reshape(xt.shape + (self.vocab_size,))

    def describe(self) -> dict:
        return {"kind": "function", "name": self.name}


def truncated(model, *, temperature: float = 1.0, top_p: float | None = None, top_k: int | None = None,
              language=None) -> FunctionModel:
    """``model`` with Dream's sampling transforms folded into its rows, in Dream's order (``sample_tokens``):
    rows raised to 1/``temperature`` and renormalised, then the smallest set of most likely tokens whose
    probability first exceeds ``top_p`` (the token that crosses it kept), then the tokens at least as likely as
    the ``top_k``-th (ties kept), renormalised. Ties in the top-p order go to the lowest token.

    Dream scores positions by the distribution it draws from, so a Dream sampler at temperature T > 0 (or with
    top_p / top_k) is exactmdm's sampler with this model at ``temperature=1``; at Dream's temperature 0 fold only
    top_p / top_k here and pass ``temperature=0`` to the sampler (Dream then scores by the largest probability
    of these rows). ``model``: any reverse model, or None for the oracle of ``language``.
    """
    from .exact.remasking import check_temperature, tempered_rows

    if model is None:
        model = Oracle(check_language(language))
    if not callable(model) or not hasattr(model, "vocab_size"):
        raise InvalidType(f"model={model!r} must be a reverse model (callable with vocab_size), or None with language=.")
    temperature = check_temperature(temperature)
    if temperature == 0.0:
        raise InvalidArgument("temperature=0 is argmax decoding, not a row transform: pass temperature=0 to the sampler "
                              "(exact.output_distribution, montecarlo.sample, neural.sample) instead.")
    if top_p is not None:
        top_p = as_float(top_p, "top_p", minimum=0.0, maximum=1.0)
    if top_k is not None:
        top_k = as_int(top_k, "top_k", minimum=1)

    def rows(xt):
        probs = tempered_rows(np.asarray(model(xt), dtype=np.float64), temperature)
        keep = probs > 0
        if top_p is not None and top_p < 1.0:
            order = np.argsort(-probs, axis=-1, kind="stable")
            cumulative = np.cumsum(np.take_along_axis(probs, order, axis=-1), axis=-1)
            drop = np.zeros_like(keep)
            drop[..., 1:] = cumulative[..., :-1] > top_p  # a token goes when the ones before it already exceed top_p
            np.put_along_axis(keep, order, np.take_along_axis(keep, order, axis=-1) & ~drop, axis=-1)
        if top_k is not None and top_k < probs.shape[-1]:
            kth = -np.sort(-probs, axis=-1)[..., top_k - 1:top_k]
            keep &= probs >= kth
        kept = np.where(keep, probs, 0.0)
        total = kept.sum(axis=-1, keepdims=True)
        return np.divide(kept, total, out=np.zeros_like(kept), where=total > 0)

    name = f"{model.name} (temperature={temperature:g}, top_p={top_p}, top_k={top_k})"
    return FunctionModel(rows, model.vocab_size, name=name,
                         defined_off_support=getattr(model, "defined_off_support", False))


def check_language(language):
    """The language a model is built on must be an exactmdm language (HMM or NGram)."""
    return as_language(language, "language")


def resolve_model(language, model):
    """``None`` means the oracle; anything else must follow the ReverseModel interface."""
    check_language(language)
    if model is None:
        return Oracle(language)
    if not callable(model) or not hasattr(model, "vocab_size"):
        raise InvalidType(f"model={model!r} must be a reverse model (callable with vocab_size); wrap a plain "
                          "function with exactmdm.models.FunctionModel(fn, vocab_size).")
    if model.vocab_size != language.vocab_size:
        raise InvalidArgument(f"model has vocab_size={model.vocab_size} but the language has "
                              f"{language.vocab_size}: they must agree.")
    return model


def describe_model(model) -> dict:
    return model.describe() if hasattr(model, "describe") else {"kind": type(model).__name__,
                                                                 "name": getattr(model, "name", "")}
