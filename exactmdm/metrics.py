"""Exact error metrics of an output law p against the data law q.

- TER(p) = 2^(E_{x~q}[-log2 p(x)] / L), a perplexity (the same number in any log base).
- SER(p) = 1 - sum_{x: q(x) > 0} p(x), read from the engine's directly accumulated escaped mass.
- KL(q || p) in bits (base=2) or nats (base=e); ``inf`` when p(x) = 0 for some support sequence.
- eps_total = TER(p) / TER(q) - 1 = 2^(KL_bits / L) - 1 (Feng et al.'s TER tables).
- eps_learning(model): max and mean over reachable x_t and masked positions of KL(q_{0|t} || p_theta).
Identity used and tested: log2 TER(p) - log2 TER(q) = KL_bits(q || p) / L.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from .errors import InvalidArgument, InvalidType
from .exact import OutputDistribution
from .exact.statespace import decode_states
from .languages import DEFAULT_MAX_ENTRIES, check_enumeration_size
from .models import kl_rows, resolve_model
from .posterior import _consistent_batch, _posterior_batch
from .validation import as_int

__all__ = ["ter", "ter_of_language", "ser", "kl", "eps_total", "evaluate", "Summary", "eps_learning", "EpsLearning",
           "entropy"]

LN2 = math.log(2.0)


def _check_output(lang, out) -> None:
    if not isinstance(out, OutputDistribution):
        raise InvalidType(f"out={out!r} must be an exactmdm.exact.OutputDistribution.")
    if out.language is not lang:
        raise InvalidArgument("out was computed for a different language object than lang: pass the same language.")


def _data(lang, out) -> tuple[np.ndarray, np.ndarray]:
    _check_output(lang, out)
    q = lang.joint(out.length, max_entries=max(DEFAULT_MAX_ENTRIES, out.probs.size * lang.as_hmm().num_states))
    return q, out.probs


def _kl_nats(q: np.ndarray, p: np.ndarray) -> float:
    support = q > 0
    if np.any(p[support] <= 0):
        return math.inf
    qs, ps = q[support], p[support]
    return float(np.sum(qs * (np.log(qs) - np.log(ps))))


def entropy(lang, length: int, base: float = 2.0) -> float:
    """H(q) over V^L in the given base (exact enumeration)."""
    q = lang.joint(as_int(length, "length", minimum=1))
    qs = q[q > 0]
    return float(-np.sum(qs * np.log(qs))) / math.log(base)


def kl(lang, out: OutputDistribution, base: float = 2.0) -> float:
    """KL(q || p) in the given log base (2: bits, e: nats); ``math.inf`` when p misses a support sequence."""
    if not base > 1:
        raise InvalidArgument(f"base={base!r} must be > 1 (2 for bits, math.e for nats).")
    return _kl_nats(*_data(lang, out)) / math.log(base)


def ter_of_language(lang, length: int) -> float:
    """TER(q) = 2^(H_bits(q) / L): the perplexity of the data itself."""
    return 2.0 ** (entropy(lang, length) / length)


def ter(lang, out: OutputDistribution) -> float:
    """TER(p) = 2^(E_q[-log2 p(x)] / L); ``math.inf`` when p(x) = 0 for some support sequence."""
    q, p = _data(lang, out)
    support = q > 0
    if np.any(p[support] <= 0):
        return math.inf
    cross_bits = float(-np.sum(q[support] * np.log(p[support]))) / LN2
    return 2.0 ** (cross_bits / out.length)


def ser(lang, out: OutputDistribution) -> float:
    """SER(p) = 1 - p(support): the escaped mass of the engine."""
    _check_output(lang, out)
    return float(out.escaped)


def eps_total(lang, out: OutputDistribution) -> float:
    """TER(p) / TER(q) - 1 = 2^(KL_bits/L) - 1, computed as expm1(KL_nats / L) to keep small values exact."""
    return math.expm1(_kl_nats(*_data(lang, out)) / out.length)


@dataclass(frozen=True)
class Summary:
    """All metrics of one output law, each field named with its unit."""

    length: int
    ser: float
    ter_p: float
    ter_q: float
    kl_bits: float
    kl_nats: float
    kl_bits_per_token: float
    eps_total: float

    def to_dict(self) -> dict:
        out = asdict(self)
        out["units"] = {"ser": "probability", "ter_p": "perplexity", "ter_q": "perplexity", "kl_bits": "bits",
                        "kl_nats": "nats", "kl_bits_per_token": "bits/token", "eps_total": "ratio"}
        return out


def evaluate(lang, out: OutputDistribution) -> Summary:
    """Every metric at once (one enumeration of q)."""
    q, p = _data(lang, out)
    kl_n = _kl_nats(q, p)
    h_bits = float(-np.sum(q[q > 0] * np.log(q[q > 0]))) / LN2
    ter_q = 2.0 ** (h_bits / out.length)
    ter_p = ter_q * 2.0 ** (kl_n / LN2 / out.length) if math.isfinite(kl_n) else math.inf
    return Summary(out.length, float(out.escaped), ter_p, ter_q, kl_n / LN2, kl_n, kl_n / LN2 / out.length,
                   math.expm1(kl_n / out.length))


@dataclass(frozen=True)
class EpsLearning:
    """Exact learning error of a model over every reachable x_t of length L (nats and bits).

    ``max_*``: sup over reachable x_t and masked positions of KL(q_{0|t} || p) (Assumption 4.1).
    ``mean_*``: E[(1/m) sum over the m masked positions of KL] for x_t from the forward process with
    x0 ~ q and t ~ U(0, 1) under the linear schedule (so |revealed| is uniform on 0..L), given m >= 1.
    """

    length: int
    max_nats: float
    mean_nats: float
    argmax_state: tuple
    argmax_position: int
    num_states: int

    @property
    def max_bits(self) -> float:
        return self.max_nats / LN2

    @property
    def mean_bits(self) -> float:
        return self.mean_nats / LN2

    def to_dict(self) -> dict:
        out = asdict(self)
        out.update(max_bits=self.max_bits, mean_bits=self.mean_bits, argmax_state=list(self.argmax_state))
        return out


def eps_learning(lang, model, length: int, *, max_entries: int = DEFAULT_MAX_ENTRIES,
                 chunk: int = 1 << 14) -> EpsLearning:
    """Exact eps_learning of ``model`` at length L: every support-consistent x_t is enumerated ((V+1)^L)."""
    length = as_int(length, "length", minimum=1)
    model = resolve_model(lang, model)
    hmm = lang.as_hmm()
    vocab = lang.vocab_size
    total = (vocab + 1) ** length
    check_enumeration_size(float(total), f"all partially masked states (V+1)^L with V={vocab}, L={length}", 8 * length,
                           max_entries, "Measure eps_learning on x_t sampled from the forward process instead.")
    arrays = hmm.kernel_arrays()
    support = hmm.support_arrays()
    best, best_state, best_pos, mean, count = -1.0, (), -1, 0.0, 0
    weights_by_revealed = np.array([math.factorial(r) * math.factorial(length - r) / math.factorial(length + 1)
                                    for r in range(length + 1)])
    for start in range(0, total, chunk):
        tokens = decode_states(np.arange(start, min(total, start + chunk), dtype=np.int64), length, vocab)
        tokens = tokens[_consistent_batch(tokens, *support)]
        masked = (tokens < 0).sum(axis=1)
        tokens = tokens[masked > 0]
        if tokens.shape[0] == 0:
            continue
        masked = masked[masked > 0]
        q, log_ev = _posterior_batch(tokens, *arrays)
        p = model(tokens)
        kls = np.where(tokens < 0, kl_rows(q, p), 0.0)  # unmasked positions carry no learning error
        b, i = np.unravel_index(int(np.argmax(kls)), kls.shape)
        if kls[b, i] > best:
            best, best_state, best_pos = float(kls[b, i]), tuple(int(t) for t in tokens[b]), int(i)
        weight = np.exp(log_ev) * weights_by_revealed[length - masked]
        with np.errstate(invalid="ignore"):
            mean += float(np.sum(weight * kls.sum(axis=1) / masked))
        count += tokens.shape[0]
    mean /= length / (length + 1)  # condition on at least one masked position
    return EpsLearning(length, best, mean, best_state, best_pos, count)
