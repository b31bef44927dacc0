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
from . import information
from .exact import OutputDistribution
from .exact.statespace import decode_states
from .cost import DEFAULT_MAX_ENTRIES, check_enumeration_size, log_power
from .inference import posterior, posterior_batch, support_consistent_batch
from .languages import same_language
from .information import kl_rows
from .models import resolve_model
from .validation import as_int

__all__ = ["ter", "ter_of_language", "ser", "kl", "eps_total", "evaluate", "Summary", "eps_learning", "EpsLearning",
           "entropy", "sampled_eps_learning", "SampledEpsLearning", "same_language"]

LN2 = math.log(2.0)


def _check_output(lang, out) -> None:
    if not isinstance(out, OutputDistribution):
        raise InvalidType(f"out={out!r} must be an exactmdm.exact.OutputDistribution.")
    if not same_language(out.language, lang):
        raise InvalidArgument("out was computed for a different language than lang (their parameters differ): pass the "
                              "language the output distribution was computed for.")


_BASES = {"bits": 2.0, "nats": math.e}


def log_base(base) -> float:
    """Natural log of a KL/entropy base: 2 or "bits", math.e or "nats", or any real number > 1."""
    if isinstance(base, str):
        if base not in _BASES:
            raise InvalidArgument(f"base={base!r} must be 'bits', 'nats' or a number > 1 (2 for bits, math.e for nats).")
        base = _BASES[base]
    if isinstance(base, bool) or not isinstance(base, (int, float)):
        raise InvalidType(f"base={base!r} must be 'bits', 'nats' or a number > 1 (2 for bits, math.e for nats).")
    if not (math.isfinite(base) and base > 1):
        raise InvalidArgument(f"base={base!r} must be > 1 (2 for bits, math.e for nats).")
    return math.log(base)


def _data(lang, out) -> tuple[np.ndarray, np.ndarray]:
    """(q, p) over V^L; with given tokens q is the data law conditioned on them (the sampler's target)."""
    _check_output(lang, out)
    q = lang.joint(out.length, max_entries=max(DEFAULT_MAX_ENTRIES, out.probs.size * lang.as_hmm().num_states))
    if out.given is not None:
        q = conditioned(q, out.given)
    return q, out.probs


def conditioned(joint: np.ndarray, given: np.ndarray) -> np.ndarray:
    """q(x | x_i = given_i where given_i is not MASK): the joint table restricted to the agreeing sequences,
    divided by their total probability (the definition of conditioning, not a renormalisation of an error)."""
    out = np.array(joint, dtype=np.float64)
    for i, token in enumerate(given):
        if token >= 0:
            index = [slice(None)] * out.ndim
            keep = np.zeros(out.shape[i], dtype=bool)
            keep[token] = True
            index[i] = ~keep
            out[tuple(index)] = 0.0
    total = out.sum()
    if total <= 0.0:
        raise InvalidArgument(f"given={list(given)} has probability 0 under the language: the conditional law does "
                              "not exist.")
    return out / total


def entropy(lang, length: int, base=2.0) -> float:
    """H(q) over V^L in the given base (2 or "bits", math.e or "nats"; exact enumeration)."""
    return information.entropy(lang.joint(as_int(length, "length", minimum=1))) / log_base(base)


def kl(lang, out: OutputDistribution, base=2.0) -> float:
    """KL(q || p) in the given base (2 or "bits", math.e or "nats"); ``math.inf`` when p misses a support sequence."""
    scale = log_base(base)
    return information.kl(*_data(lang, out)) / scale


def ter_of_language(lang, length: int) -> float:
    """TER(q) = 2^(H_bits(q) / L): the perplexity of the data itself."""
    return 2.0 ** (entropy(lang, length) / length)


def ter(lang, out: OutputDistribution) -> float:
    """TER(p) = 2^(E_q[-log2 p(x)] / L); ``math.inf`` when p(x) = 0 for some support sequence."""
    q, p = _data(lang, out)
    kl_nats = information.kl(q, p)
    if not math.isfinite(kl_nats):
        return math.inf
    return 2.0 ** ((information.entropy(q) + kl_nats) / LN2 / out.length)


def ser(lang, out: OutputDistribution) -> float:
    """SER(p) = 1 - p(support): the escaped mass of the engine."""
    _check_output(lang, out)
    return float(out.escaped)


def eps_total(lang, out: OutputDistribution) -> float:
    """TER(p) / TER(q) - 1 = 2^(KL_bits/L) - 1, computed as expm1(KL_nats / L) to keep small values exact."""
    return math.expm1(information.kl(*_data(lang, out)) / out.length)


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
    kl_n = information.kl(q, p)
    h_bits = information.entropy(q) / LN2
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
    check_enumeration_size(0, f"all partially masked states (V+1)^L with V={vocab}, L={length}", 8 * length,
                           max_entries, "Measure it on x_t sampled from the forward process instead "
                           "(exactmdm.metrics.sampled_eps_learning).", log_entries=log_power(vocab + 1, length))
    total = (vocab + 1) ** length
    best, best_state, best_pos, mean, count = -1.0, (), -1, 0.0, 0
    weights_by_revealed = np.array([math.factorial(r) * math.factorial(length - r) / math.factorial(length + 1)
                                    for r in range(length + 1)])
    for start in range(0, total, chunk):
        tokens = decode_states(np.arange(start, min(total, start + chunk), dtype=np.int64), length, vocab)
        tokens = tokens[support_consistent_batch(hmm, tokens, check=False)]  # decoded states are valid by construction
        masked = (tokens < 0).sum(axis=1)
        tokens = tokens[masked > 0]
        if tokens.shape[0] == 0:
            continue
        masked = masked[masked > 0]
        q, log_ev = posterior_batch(hmm, tokens, check=False)
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


@dataclass(frozen=True)
class SampledEpsLearning:
    """Learning error over x_t drawn from the forward process (x0 ~ q, t ~ U(0,1), linear schedule), in nats:
    ``max_nats`` the largest per-position KL seen (a lower bound on the supremum of Assumption 4.1),
    ``mean_nats`` the mean over states of the average KL over masked positions, ``stderr_nats`` its standard
    error."""

    length: int
    samples: int
    seed: int
    max_nats: float
    mean_nats: float
    stderr_nats: float

    def to_dict(self) -> dict:
        return asdict(self)


def forward_process_states(lang, length: int, samples: int, seed: int) -> np.ndarray:
    """States x_t of the forward process, each with >= 1 masked position: x0 ~ q, t ~ U(0, 1), each position
    masked with probability t (linear schedule), and one uniformly chosen position masked in any case.
    The data and the masks come from independent streams spawned from ``seed``."""
    data_seed, mask_seed = np.random.SeedSequence(seed).spawn(2)
    x0 = lang.sample(samples, length, seed=int(data_seed.generate_state(1)[0]))
    rng = np.random.default_rng(mask_seed)
    keep = rng.random((samples, 1))
    masked = rng.random((samples, length)) >= keep
    masked[np.arange(samples), rng.integers(0, length, samples)] = True
    return np.where(masked, -1, x0)


def sampled_eps_learning(lang, model, length: int, *, samples: int, seed: int) -> SampledEpsLearning:
    """eps_learning of ``model`` on ``samples`` states x_t of the forward process, each with >= 1 masked position.

    The data x0, the masking times and the forced masked position come from independent streams spawned
    from ``seed`` (``numpy.random.SeedSequence.spawn``).
    """
    length = as_int(length, "length", minimum=1)
    samples = as_int(samples, "samples", minimum=2)
    seed = as_int(seed, "seed", minimum=0)
    model = resolve_model(lang, model)
    xt = forward_process_states(lang, length, samples, seed)
    masked = xt < 0
    terms = kl_rows(posterior(lang, xt), model(xt))
    per_state = (terms * masked).sum(axis=1) / masked.sum(axis=1)
    return SampledEpsLearning(length, samples, seed, float(terms[masked].max()), float(per_state.mean()),
                              float(per_state.std(ddof=1) / math.sqrt(samples)))
