"""The information profile of a language and the exact expected KL of random-order schedules.

Definition. For a law q of X = (X_1..X_L), the information profile is
    h(j) = E[H(X_a | X_R)],  j = 0..L-1,
with R a uniformly random j-subset of the positions and a a uniformly random position outside R (nats).

The identity. A schedule that reveals the positions in a uniformly random order sigma, k_1..k_T at a time
(sizes fixed, or random and independent of sigma), with the true conditionals, outputs
p_sigma(x) = prod_t prod_{i in block t} q(x_i | x_{blocks < t}). Write c_t = k_1 + ... + k_t. Then
    E KL(q || p_sigma) = E[ sum_t k_t h(c_(t-1)) ] - H(X).
Derivation: log q(x) - log p_sigma(x) = sum_t sum_{i in block t} [-log q(x_i | x_{<t})] - (-log q(x)).
Under x ~ q, E[-log q(x_i | x_R)] = H(X_i | X_R). Given the sizes, the set revealed before step t is a
uniformly random c_(t-1)-subset and each i of block t is a uniform position outside it, so each of the
k_t terms of step t has mean h(c_(t-1)). Revealing one position at a time gives KL = 0, whence the chain
rule sum_(j=0)^(L-1) h(j) = H(X); so E KL = E sum_t sum_(j=c_(t-1))^(c_t - 1) (h(c_(t-1)) - h(j)): the area
between h and the step function that holds h(c_(t-1)) over step t (a left Riemann sum). h is
non-increasing (conditioning on more reduces entropy), so every term is >= 0.

By-products: TC = L h(0) - H, DTC = H - L h(L-1), sum_i I(X_i; X_-i) = L (h(0) - h(L-1)).

An i.i.d. schedule with step weights w_1..w_N (each position's step i.i.d.) is a random order with
multinomial sizes. With W_t = w_1 + ... + w_t: a position is revealed at step t with probability w_t and,
given that, each of the other L - 1 is revealed before it with probability W_(t-1) independently, so
    E[sum_t k_t h(C_(t-1))] = L sum_t w_t E[h(B_t)],  B_t ~ Binomial(L - 1, W_(t-1));
equivalently (the same sum) C_(t-1) ~ Binomial(L, W_(t-1)) and, given C_(t-1) = c, k_t ~ Binomial(L - c,
w_t / (1 - W_(t-1))), since (L - c) P(C_(t-1) = c) / (1 - W_(t-1)) = L P(B_t = c).
With a model p in place of the true conditionals, each revealed position adds its expected
KL(q_a(. | x_R) || p_a(. | x_R)); averaged the same way that is sum_t E[k_t e(C_(t-1))] with the model
profile e(j) = E KL(q_a(. | X_R) || p_a(. | X_R)) (``model_profile``; exact by enumeration, small L).

Methods of ``profile``:
- "enumeration" (any language, small L): h(j) = A(j + 1) - A(j) with A(k) the mean entropy of the
  k-position marginals (since sum over R of sum_(a not in R) H(X_(R+a)) = (j + 1) sum over (j + 1)-subsets),
  all 2^L marginals by summing one axis of a parent: O(V (V + 1)^L).
- "markov" (Markov chains on tokens, any L): given R, H(X_a | X_R) = H(X_a | nearest revealed neighbours),
  and the neighbours' gaps under a uniform j-subset have binomial-ratio laws. Grouping the terms by the
  distance D between the neighbours, L h(j) = [j = 0] sum_i H(X_i) + sum_D w1_j(D) G1(D) + sum_D w2_j(D) G2(D),
  w1_j(D) = C(n - D, j - 1) / C(n, j), w2_j(D) = C(n - D, j - 2) / C(n, j), n = L - 1, where G1, G2 do not
  depend on j and need only the marginals, the row entropies of T^d and one causal convolution of them:
  O(L V^3 + V L^2) with a small constant (the convolution), then O(L log L) typically (worst O(L^2)) for
  all j: each sum over D stops once the remaining weight times the remaining |G| is below 1e-17 of the
  sum (the weights decrease in D), which changes nothing at double precision.
- "montecarlo" (any HMM or n-gram, long L): per sample x ~ q and a uniform order sigma (common to all j),
  the exact mean over the L - j masked positions of the entropy of the masked posterior given
  x_(sigma_1..sigma_j) (forward-backward), an unbiased estimate of h(j); CLT intervals per j.
  O(num L^2 nnz(T)).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ._jit import njit, prange
from .cost import check_enumeration_size
from .errors import EnumerationTooLarge, InvalidArgument, InvalidType
from .information import entropy, kl_rows, neumaier_add

from .models import Oracle, resolve_model
from .schedules import FixedSizes, IIDSchedule, xlogy, fixed_sizes, log_comb
from .validation import MASK, as_float, as_int, as_language

__all__ = ["Profile", "RandomSizes", "profile", "random_sizes", "reveal_weights", "model_profile",
           "MAX_ENUMERATION_ENTRIES"]

MAX_ENUMERATION_ENTRIES = 2 ** 22
METHODS = ("auto", "enumeration", "markov", "montecarlo")


@dataclass(frozen=True, eq=False)
class RandomSizes:
    """A random-order schedule whose sizes are random, independent of the order: the composition
    ``compositions[m]`` (positive sizes summing to L) is used with probability ``probabilities[m]``; then
    its blocks reveal a uniformly random ordered partition of the positions with those sizes."""

    compositions: tuple
    probabilities: tuple

    @property
    def length(self) -> int:
        return sum(self.compositions[0])

    @property
    def kind(self) -> str:
        return "random_sizes"

    def describe(self) -> dict:
        return {"kind": "random_sizes", "compositions": [list(c) for c in self.compositions],
                "probabilities": [float(p) for p in self.probabilities]}


def random_sizes(compositions, probabilities) -> RandomSizes:
    """Validate and build a ``RandomSizes`` schedule (see its docstring)."""
    try:
        comps = tuple(fixed_sizes(c).sizes for c in compositions)
        probs = tuple(probabilities)
    except TypeError:
        raise InvalidType(f"compositions={compositions!r} must be a sequence of size sequences and "
                          f"probabilities={probabilities!r} a sequence of numbers.") from None
    if not comps or len(comps) != len(probs):
        raise InvalidArgument(f"compositions has {len(comps)} entries and probabilities {len(probs)}: give one "
                              "probability per composition (at least one).")
    lengths = {sum(c) for c in comps}
    if len(lengths) != 1:
        raise InvalidArgument(f"compositions={[list(c) for c in comps]!r} sum to different lengths {sorted(lengths)}: "
                              "every composition must reveal the same L positions.")
    values = [as_float(p, f"probabilities[{m}]", minimum=0.0) for m, p in enumerate(probs)]
    if abs(math.fsum(values) - 1.0) > 1e-12 * len(values):
        raise InvalidArgument(f"probabilities sum to {math.fsum(values)!r}, not 1: normalise them.")
    return RandomSizes(comps, tuple(values))


@dataclass(frozen=True, eq=False)
class Profile:
    """The information profile h of a language at one length (see the module docstring).

    h, low, high : (L,) float arrays in nats; low = high = h when the method is exact, else the CLT interval
    of each h(j) at ``confidence``. entropy : H(X_1..X_L) in nats (for "montecarlo" the estimate sum_j h(j),
    with interval ``entropy_interval``). ``samples`` holds the per-sample values of "montecarlo" (num, L), from
    which ``expected_kl`` forms its per-sample estimates.
    """

    h: np.ndarray
    entropy: float
    method: str
    low: np.ndarray
    high: np.ndarray
    num: int | None = None
    confidence: float | None = None
    seed: int | None = None
    entropy_interval: tuple = ()
    samples: np.ndarray | None = field(default=None, repr=False)
    language: object = field(default=None, repr=False)

    @property
    def length(self) -> int:
        return int(self.h.shape[0])

    @property
    def exact(self) -> bool:
        return self.method != "montecarlo"

    @property
    def total_correlation(self) -> float:
        """TC = sum_i H(X_i) - H = L h(0) - H."""
        return float(self.length * self.h[0] - self.entropy)

    @property
    def dual_total_correlation(self) -> float:
        """DTC = H - sum_i H(X_i | X_-i) = H - L h(L-1)."""
        return float(self.entropy - self.length * self.h[-1])

    @property
    def sum_mutual_information(self) -> float:
        """sum_i I(X_i; X_-i) = TC + DTC = L (h(0) - h(L-1))."""
        return float(self.length * (self.h[0] - self.h[-1]))

    def to_dict(self) -> dict:
        return {"method": self.method, "length": self.length, "entropy": self.entropy, "h": self.h.tolist(),
                "low": self.low.tolist(), "high": self.high.tolist(), "total_correlation": self.total_correlation,
                "dual_total_correlation": self.dual_total_correlation,
                "sum_mutual_information": self.sum_mutual_information, "num": self.num,
                "confidence": self.confidence, "seed": self.seed,
                "entropy_interval": list(self.entropy_interval) or None}

    def expected_kl(self, schedule, model=None):
        """E over the order (and the sizes) of KL(q || p_order), in nats.

        ``schedule``: ``FixedSizes``, ``IIDSchedule`` or ``RandomSizes`` (sizes summing to L). ``model``: None
        or an ``Oracle`` (the true conditionals), or any reverse model when the profile holds its language and
        L is small enough to enumerate (adds eps_train = sum_c a_c e(c), see ``model_profile``).

        Returns a float when the profile is exact; for "montecarlo" an ``exactmdm.montecarlo.Estimate``
        (kind "unbiased"): the mean over samples of sum_c (a_c - 1) Y_s(c) with a CLT interval, where
        Y_s are the per-sample profile values (common random numbers across c).
        """
        weights = reveal_weights(schedule, self.length)
        oracle = model is None or isinstance(model, Oracle)
        if not self.exact:
            if not oracle:
                raise InvalidArgument(f"model={getattr(model, 'name', model)!r}: a Monte Carlo profile gives the "
                                      "oracle's expected KL only; use model=None, or an exact profile (small L).")
            from .montecarlo.estimators import mean_estimate

            values = self.samples @ (weights - 1.0)
            return mean_estimate(values, self.confidence, "unbiased", "E_order KL(q || p_order)", "nats",
                                  "mean over (x, order) of sum_c (a_c - 1) Y(c), Y the exact per-sample profile")
        kl = riemann_kl(self.h, weights)
        if oracle:
            return kl
        if self.language is None:
            raise InvalidArgument("this profile does not hold its language, so a model's eps_train cannot be "
                                  "computed; build it with exactmdm.profile.profile(lang, length).")
        return kl + float(math.fsum(weights * model_profile(self.language, self.length, model)))


def riemann_kl(h, weights) -> float:
    """sum_c a_c h(c) - sum_c h(c), summed with one rounding (fsum of the products), nats."""
    h = np.asarray(h, dtype=np.float64)
    return float(math.fsum(np.concatenate([weights * h, -h])))


def reveal_weights(schedule, length: int) -> np.ndarray:
    """a_c = E[sum_t k_t [C_(t-1) = c]], c = 0..L-1: E[sum_t k_t f(C_(t-1))] = sum_c a_c f(c) for every f.

    Fixed sizes: a_(c_(t-1)) = k_t. i.i.d.: a_c = L sum_t w_t P(Binomial(L - 1, W_(t-1)) = c), in log space
    (O(N L)). ``RandomSizes``: the probability-weighted mean over its compositions. sum_c a_c = L.
    """
    length = as_int(length, "length", minimum=1)
    if isinstance(schedule, FixedSizes):
        sizes = schedule.sizes
        schedule.check_length(length)
        out = np.zeros(length)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        out[starts] = sizes
        return out
    if isinstance(schedule, RandomSizes):
        if schedule.length != length:
            raise InvalidArgument(f"schedule reveals {schedule.length} positions but length={length}: the "
                                  "compositions must sum to the profile's length.")
        out = np.zeros(length)
        for comp, p in zip(schedule.compositions, schedule.probabilities):
            out += p * reveal_weights(FixedSizes(comp), length)
        return out
    if isinstance(schedule, IIDSchedule):
        return _iid_reveal_weights(schedule, length)
    raise InvalidType(f"schedule={schedule!r} must be a FixedSizes, IIDSchedule or RandomSizes schedule "
                      "(exactmdm.schedules.fixed_sizes / iid, exactmdm.profile.random_sizes).")


def _iid_reveal_weights(schedule: IIDSchedule, length: int) -> np.ndarray:
    if schedule.exact_weights is not None:
        w = schedule.exact_weights
        before = [Fraction(0)] + list(itertools.accumulate(w))[:-1]
        after = [sum(w[t:], Fraction(0)) for t in range(len(w))]  # 1 - W_(t-1) as a tail sum, no cancellation
        w, before, after = (np.array([float(v) for v in a]) for a in (w, before, after))
    else:
        w = np.asarray(schedule.weights, dtype=np.float64)
        before = np.concatenate([[0.0], np.cumsum(w)[:-1]])
        after = np.cumsum(w[::-1])[::-1]
    c = np.arange(length)[None, :]
    keep = w > 0
    w, before, after = w[keep], before[keep], after[keep]
    log_choose = log_comb(length - 1, c)
    out = np.zeros(length)
    rows = max(1, (1 << 20) // length)  # bounded memory at any N
    for t0 in range(0, w.shape[0], rows):
        part = slice(t0, t0 + rows)
        with np.errstate(divide="ignore"):
            log_pmf = (log_choose + xlogy(c, np.log(before[part])[:, None])
                       + xlogy(length - 1 - c, np.log(after[part])[:, None]))
        out += (w[part][:, None] * np.exp(log_pmf)).sum(axis=0)
    return length * out


# --- enumeration ------------------------------------------------------------------------------------------
def _mean_subset_entropies(table: np.ndarray) -> np.ndarray:
    """A(k) = mean over k-subsets S of H(X_S), k = 0..L; each marginal sums one axis of a parent's."""
    length = table.ndim
    sums = np.zeros(length + 1)
    level = {tuple(range(length)): table}
    sums[length] = entropy(table)
    for k in range(length - 1, -1, -1):
        nxt = {}
        for subset in itertools.combinations(range(length), k):
            extra = next(p for p in range(length) if p not in subset)
            parent = tuple(sorted(subset + (extra,)))
            nxt[subset] = level[parent].sum(axis=parent.index(extra))
        sums[k] = math.fsum(entropy(m) for s, m in nxt.items()) if k else 0.0
        level = nxt
    return sums / np.array([math.comb(length, k) for k in range(length + 1)], dtype=np.float64)


def _check_enumerable(lang, length: int, what: str):
    vocab = lang.vocab_size
    alternative = ("Use method='markov' (exact at any L: this language is a Markov chain on its tokens)"
                   if lang.token_chain() is not None else "Use method='montecarlo' (intervals at any L)")
    check_enumeration_size(0, what, 8, MAX_ENUMERATION_ENTRIES, alternative + ".",
                           log_entries=math.log(vocab) + length * math.log(vocab + 1))


def _enumeration_profile(lang, length: int):
    _check_enumerable(lang, length, f"the information profile by enumeration (all 2^L marginals, V={lang.vocab_size}, "
                                    f"L={length}, about V (V+1)^L entries)")
    mean_h = _mean_subset_entropies(lang.joint(length))
    return np.diff(mean_h), float(mean_h[-1])


def model_profile(lang, length: int, model) -> np.ndarray:
    """e(j) = E KL(q_a(. | X_R) || p_a(. | X_R)), R a uniform j-subset, a uniform outside R, x ~ q (nats):
    the model's per-position learning error averaged as in the identity, by enumerating every subset R and
    every revealed x_R of positive probability (one batched model call per R). Any reverse model; small L.
    """
    from .inference import posterior

    length = as_int(length, "length", minimum=1)
    model = resolve_model(lang, model)
    out = np.zeros(length)
    if isinstance(model, Oracle):
        return out
    _check_enumerable(lang, length, f"the model profile by enumeration (V={lang.vocab_size}, L={length})")
    table = lang.joint(length)
    xs = np.argwhere(table > 0)
    q = table[tuple(xs.T)]
    for j in range(length):
        total = []
        for subset in itertools.combinations(range(length), j):
            cols = list(subset)
            keys, inverse = np.unique(xs[:, cols], axis=0, return_inverse=True) if j else (np.zeros((1, 0), int),
                                                                                            np.zeros(len(q), int))
            weight = np.bincount(inverse.ravel(), weights=q, minlength=keys.shape[0])
            xt = np.full((keys.shape[0], length), MASK, dtype=np.int64)
            xt[:, cols] = keys
            others = [a for a in range(length) if a not in subset]
            kls = kl_rows(posterior(lang, xt)[:, others, :], np.asarray(model(xt))[:, others, :])
            total.append(float(np.sum(weight[:, None] * kls)) / len(others))
        out[j] = math.fsum(total) / len(total)
    return out


# --- Markov chains on tokens ------------------------------------------------------------------------------
@njit
def _convolution_block(a, b, start, size, out):
    acc = np.zeros(size)
    for u in range(a.shape[0]):
        for i in range(start + 1):
            ai = a[u, i]
            base = start - i
            for k in range(size):
                acc[k] += ai * b[u, base + k]
        for i in range(start + 1, start + size):
            ai = a[u, i]
            for k in range(i - start, size):
                acc[k] += ai * b[u, start + k - i]
    for k in range(size):
        out[start + k] = acc[k]


@njit(parallel=True)
def _causal_convolution(a, b):
    """out[D] = sum_u sum_(i=0)^D a[u, i] b[u, D - i], D < L, for (V, L) arrays; each out[D] summed in a fixed
    order (u, then i), a block of consecutive D in the inner loop so it vectorises without reassociation."""
    length = a.shape[1]
    width = 32
    blocks = (length + width - 1) // width
    out = np.zeros(length)
    for p in prange((blocks + 1) // 2):
        # pair a short block with a long one to balance the threads
        _convolution_block(a, b, p * width, min(width, length - p * width), out)
        last = blocks - 1 - p
        if last > p:
            _convolution_block(a, b, last * width, min(width, length - last * width), out)
    return out


@njit(parallel=True)
def _gap_law_sums(g1, g2):
    """s[j] = sum_D w1_j(D) g1[D] + w2_j(D) g2[D] for j = 1..n (s[0] = 0), n = len - 1; the weights by exact
    recurrences in D; the sum stops when the next weights times the remaining sum of |g| is below 1e-17 of it
    (both weights decrease in D)."""
    n = g1.shape[0] - 1
    tail = np.zeros(n + 2)
    for d in range(n, 0, -1):
        tail[d] = tail[d + 1] + abs(g1[d]) + abs(g2[d])
    out = np.zeros(n + 1)
    for j in prange(1, n + 1):
        total, comp = 0.0, 0.0
        r1 = j / n
        r2 = j * (j - 1) / (n * (n - 1)) if n >= 2 else 0.0
        for d in range(1, n + 1):
            term = r1 * g1[d]
            if d >= 2:
                term += r2 * g2[d]
            total, comp = neumaier_add(total, comp, term)
            if d == n:
                break
            r1 *= (n - d - j + 1) / (n - d)
            if d >= 2:
                r2 *= (n - d - j + 2) / (n - d)
            rest = (abs(r1) + abs(r2)) * tail[d + 1]
            if rest == 0.0 or rest <= 1e-17 * abs(total + comp):
                break
        out[j] = total + comp
    return out


# the same kernels on one thread: below a few thousand positions waking the thread pool costs more than the work
_causal_convolution_serial = njit(_causal_convolution.py_func)
_gap_law_sums_serial = njit(_gap_law_sums.py_func)
PARALLEL_FROM = 2048


def _row_entropies(rows: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(rows > 0, -rows * np.log(rows), 0.0)
    return terms.sum(axis=-1)


def _markov_profile(lang, length: int):
    from .exact.markov import chain_tables

    if lang.token_chain() is None:
        raise InvalidArgument("method='markov' needs a Markov chain on tokens (an order-2 n-gram, or an HMM whose "
                              "states each emit one token of their own); use method='enumeration' (small L) or "
                              "method='montecarlo'.")
    marginals, powers = chain_tables(lang, length)
    h_marg = _row_entropies(marginals)  # H(X_i)
    s0 = math.fsum(h_marg)
    if length == 1:
        return np.array([s0]), s0
    n = length - 1
    e = _row_entropies(powers[:length])  # e[d, u] = H(X_(a+d) | X_a = u); e[0] = 0
    cum_e = np.cumsum(e, axis=0)  # E(D) = e_1 + ... + e_D
    cum_m = np.cumsum(marginals, axis=0)  # M(A) = pi_0 + ... + pi_A
    parallel = length >= PARALLEL_FROM
    convolve = _causal_convolution if parallel else _causal_convolution_serial
    conv = convolve(np.ascontiguousarray(marginals.T), np.ascontiguousarray(e.T))  # sum_(i<D) pi_i . e_(D-i)
    d = np.arange(1, length)
    g1 = np.zeros(length)
    g2 = np.zeros(length)
    # left neighbour a = L-1-D only: sum_(l=1)^D H(X_(a+l) | X_a); right neighbour b = D only: sum_(i<D) H(X_i | X_D)
    g1[1:] = (np.einsum("dv,dv->d", marginals[n - d], cum_e[d]) + np.cumsum(h_marg)[d - 1] - d * h_marg[d]
              + conv[d])
    # both neighbours D apart: sum_a sum_(0<l<D) H(X_(a+l) | X_a) + H(X_(a+D) | X_(a+l)) - H(X_(a+D) | X_a)
    far = np.concatenate([[0.0], np.cumsum(np.einsum("dv,dv->d", cum_m[n - d], e[d]))])  # F(k) = sum_(d<=k) M(L-1-d).e_d
    inner = np.concatenate([[0.0], np.cumsum(conv)])  # inner[D] = sum_(k<D) conv[k]
    d2 = np.arange(2, length)
    g2[2:] = (np.einsum("dv,dv->d", cum_m[n - d2], cum_e[d2 - 1]) + far[d2 - 1] - inner[d2]
              - (d2 - 1) * np.einsum("dv,dv->d", cum_m[n - d2], e[d2]))
    h = (_gap_law_sums if parallel else _gap_law_sums_serial)(g1, g2) / length
    h[0] = s0 / length
    total = math.fsum([h_marg[0], float(cum_m[n - 1] @ e[1])])
    return h, total


# --- Monte Carlo ------------------------------------------------------------------------------------------
def _montecarlo_profile(lang, length: int, num: int, seed: int, confidence: float, batch_rows: int = 1 << 16):
    from .inference import posterior_batch
    from .montecarlo.statistics import normal_quantile  # montecarlo imports the language layer this module shares

    hmm = lang.as_hmm()
    xs = lang.sample(num, length, seed=seed)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    values = np.empty((num, length))
    per_batch = max(1, batch_rows // length)
    for s in range(num):
        order = rng.permutation(length)
        rank = np.empty(length, dtype=np.int64)
        rank[order] = np.arange(length)
        for j0 in range(0, length, per_batch):
            js = np.arange(j0, min(length, j0 + per_batch))
            masked = rank[None, :] >= js[:, None]  # row j: the positions sigma_(j+1).. are masked
            xt = np.where(masked, MASK, xs[s][None, :]).astype(np.int64)
            rows, _ = posterior_batch(hmm, xt, check=False)
            ent = _row_entropies(rows)
            values[s, js] = (ent * masked).sum(axis=1) / (length - js)
    h = values.mean(axis=0)
    half = normal_quantile(confidence) * values.std(axis=0, ddof=1) / math.sqrt(num)
    totals = values.sum(axis=1)
    total = float(totals.mean())
    total_half = normal_quantile(confidence) * float(totals.std(ddof=1)) / math.sqrt(num)
    return h, h - half, h + half, total, (total - total_half, total + total_half), values


def profile(lang, length: int, *, method: str = "auto", num: int | None = None, seed: int = 0,
            confidence: float = 0.99) -> Profile:
    """The information profile h(j) = E H(X_a | X_R), |R| = j, of ``lang`` at ``length`` (nats).

    method: "enumeration" (any language, about V (V + 1)^L work, refused above 2^22 entries), "markov" (a
    Markov chain on tokens, any L, O(L V^3 + V L^2)), "montecarlo" (any language, ``num`` samples, O(num L^2
    nnz(T)), intervals at ``confidence``, reproducible by ``seed``), or "auto": enumeration when it fits, else
    markov when the language is a chain, else montecarlo. ``num`` defaults to 64 (Monte Carlo only).
    """
    lang = as_language(lang)
    length = as_int(length, "length", minimum=1)
    if method not in METHODS:
        raise InvalidArgument(f"method={method!r} is not known: use one of {', '.join(map(repr, METHODS))}.")
    if method == "auto":
        try:
            _check_enumerable(lang, length, "")
            method = "enumeration"
        except EnumerationTooLarge:
            method = "markov" if lang.token_chain() is not None else "montecarlo"
    if method != "montecarlo" and num is not None:
        raise InvalidArgument(f"num={num!r} is only for method='montecarlo' (method={method!r} is exact).")
    if method == "enumeration":
        h, total = _enumeration_profile(lang, length)
    elif method == "markov":
        h, total = _markov_profile(lang, length)
    else:
        from .montecarlo.estimators import check_confidence

        num = as_int(64 if num is None else num, "num", minimum=2)
        seed = as_int(seed, "seed", minimum=0)
        confidence = check_confidence(confidence)
        h, low, high, total, interval, values = _montecarlo_profile(lang, length, num, seed, confidence)
        return Profile(h, total, method, low, high, num, confidence, seed, interval, values, lang)
    h = np.asarray(h, dtype=np.float64)
    return Profile(h, float(total), method, h, h, language=lang)
