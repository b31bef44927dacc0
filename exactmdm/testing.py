"""Hypothesis strategies for exactmdm objects, for your own property-based tests (and ours).

Strategies are plural nouns, defaults are keyword-only, and bad arguments raise at definition time.
Requires the ``test`` extra (hypothesis).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from .errors import InvalidArgument, InvalidType
from .languages import HMM, NGram
from .models import FunctionModel, Oracle, Perturbed
from .schedules import fixed_sizes, iid
from .validation import as_language

__all__ = ["languages", "schedules", "masked_sequences", "models", "lookup_model", "assert_sampler_matches_exact",
           "SamplerReport", "detectable_tv", "assert_posterior_matches"]


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


STRATEGIES = ("random", "confidence", "margin", "entropy")
POWER = 0.9
# Besag-Clifford sequential Monte Carlo p-value: stop once this many simulated statistics reach the observed
# one. A correct sampler then costs a few dozen simulations, and the p-value stays valid (P(p <= a) <= a).
_EXCEEDANCES = 20


@dataclass(frozen=True)
class SamplerReport:
    """What ``assert_sampler_matches_exact`` measured: both tests, the worst cells and the global test's power.

    Attributes
    ----------
    passed : both tests held at their thresholds.
    min_p_value : smallest per-cell exact binomial p-value; compared with ``cell_threshold`` (Bonferroni).
    global_p_value : Monte Carlo p-value of the G statistic, calibrated by simulation from the exact law.
    cell_threshold, global_threshold : alpha/2 over the cells, and alpha/2; together the false-alarm rate is <= alpha.
    alpha : the stated false-alarm rate.
    num_samples : draws tested.
    num_cells : support sequences plus the "off the support" cell.
    g_statistic : 2 sum_k n_k log(n_k / (N p_k)) over cells of positive exact probability.
    num_simulations : draws of the statistic under the exact law used to calibrate it.
    worst_cells : up to 5 ``(cell, observed, expected, p_value)``, smallest p first; ``cell`` is a token tuple or
        ``"off the support"``.
    law : how the exact law was obtained.
    detectable_tv : total variation above which the global test detects *any* alternative with power >= 90% at
        this sample size (asymptotic: G is noncentral chi-square with lambda = N sum (q-p)^2/p >= 4 N TV^2);
        ``None`` when the law has a single cell.
    """

    passed: bool
    min_p_value: float
    global_p_value: float
    cell_threshold: float
    global_threshold: float
    alpha: float
    num_samples: int
    num_cells: int
    g_statistic: float
    num_simulations: int
    worst_cells: tuple
    law: str
    detectable_tv: float | None

    @property
    def threshold(self) -> float:
        """The per-cell (Bonferroni) threshold, the one ``min_p_value`` is compared with."""
        return self.cell_threshold

    def to_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["worst_cells"] = [{"cell": c if isinstance(c, str) else list(c), "observed": o, "expected": e, "p_value": p}
                              for c, o, e, p in self.worst_cells]
        return out

    def __str__(self) -> str:
        verdict = "matches" if self.passed else "does not match"
        tv = "n/a (one cell)" if self.detectable_tv is None else f"{self.detectable_tv:.3g}"
        lines = [f"sampler {verdict} the exact law ({self.law}); {self.num_samples} samples, {self.num_cells} cells, "
                 f"alpha = {self.alpha:g}",
                 f"  per-cell exact binomial tests: min p = {self.min_p_value:.3g} (Bonferroni threshold "
                 f"{self.cell_threshold:.3g})",
                 f"  global G test: G = {self.g_statistic:.4g}, p = {self.global_p_value:.3g} (threshold "
                 f"{self.global_threshold:.3g}; {self.num_simulations} simulations from the exact law)",
                 f"  detectable total variation at 90% power (global test, asymptotic): {tv}",
                 "  worst cells:"]
        lines += [f"    {c if isinstance(c, str) else c}: expected {e:.1f}, observed {o}, p = {p:.3g}"
                  for c, o, e, p in self.worst_cells]
        return "\n".join(lines)


def assert_sampler_matches_exact(sample_fn, lang, length: int, schedule, model=None, *, num_samples: int,
                                 alpha: float = 1e-3, seed: int = 0, given=None, strategy: str = "random",
                                 temperature: float = 1.0, law=None) -> SamplerReport:
    """Assert that ``sample_fn(num, seed) -> (num, L) ints`` draws from the exact output law of the sampler.

    Cells: every support sequence and one "off the support" cell (rows off the support or holding MASK).
    Two tests share ``alpha`` (alpha/2 each), so a correct sampler fails with probability at most ``alpha``:

    * per cell, an exact two-sided binomial test of its count, Bonferroni over the cells: catches a
      concentrated error and names the cells;
    * globally, the G statistic 2 sum n_k log(n_k / (N p_k)), its p-value calibrated by simulating
      multinomial counts from the exact law (seeded by ``seed``; sequential, Besag-Clifford): catches an error
      spread thinly over many cells, which the per-cell test misses.

    ``given``: (L,) prompt tokens, MASK where the sampler generates; the reference is then the law conditioned
    on them and a draw that changes a given token falls in the "off the support" cell. ``strategy``: the
    remasking rule ("random", "confidence", "margin", "entropy"; see ``exact.output_distribution``).
    ``temperature``: the sampler draws its tokens from p^(1/T) normalised (0: argmax decoding) and scores
    with the untempered model; passed to ``exact.output_distribution``. ``schedule``: any the exact engine
    takes, ``schedules.llada`` and ``schedules.mdlm`` (its final argmax) included. ``law``: a precomputed
    ``exact.output_distribution`` result (``.probs`` over V^L, ``.escaped``) to test against instead of
    computing it (e.g. one law for many samplers); its ``strategy`` and ``temperature``, where it records
    them, must be the ones passed.

    Returns a ``SamplerReport`` when both tests hold; raises an AssertionError carrying the same report (as
    ``error.report``) and naming the worst cells when one fails.
    """
    from . import exact
    from .exact.remasking import check_temperature
    from .montecarlo.statistics import binomial_two_sided_pvalue
    from .validation import as_float

    _check_int("num_samples", num_samples)
    _check_int("seed", seed, minimum=0)
    alpha = as_float(alpha, "alpha", minimum=0.0, maximum=1.0, strict_minimum=True)
    if strategy not in STRATEGIES:
        raise InvalidArgument(f"strategy={strategy!r} must be one of {STRATEGIES}.")
    temperature = check_temperature(temperature)
    if law is None:
        law = exact.output_distribution(lang, length, schedule, model, given=given, strategy=strategy,
                                        temperature=temperature)
        described = "computed by exact.output_distribution"
    else:
        described = "supplied as law="
    law_probs, escaped = _check_law(law, lang, length)
    for name, value in (("strategy", strategy), ("temperature", temperature)):
        held = getattr(law, name, None)  # a law from exact.output_distribution records both
        if held is not None and held != value:
            raise InvalidArgument(f"law was computed with {name}={held!r} but {name}={value!r} was passed: pass the "
                                  f"law of the sampler under test, or {name}={held!r}.")
    if given is not None:
        described += f", given={np.asarray(given).tolist()}"
    if strategy != "random":
        described += f", strategy={strategy!r}"
    if temperature != 1.0:
        described += f", temperature={temperature:g}"
    draws = np.asarray(sample_fn(num_samples, seed))
    if draws.shape != (num_samples, length):
        raise AssertionError(f"sample_fn returned shape {draws.shape}, expected {(num_samples, length)}")
    draws = _integer_draws(draws)
    support = np.argwhere(lang.joint(length) > 0)
    if given is not None:  # the cells are the sequences the conditional law can produce
        prompt = np.asarray(given)
        support = support[np.all((prompt < 0) | (support == prompt), axis=1)]
    valid = (draws >= 0).all(axis=1) & (draws < lang.vocab_size).all(axis=1)
    ok = valid.copy()
    ok[valid] = lang.in_support(draws[valid])
    codes = {tuple(x): i for i, x in enumerate(support.tolist())}
    counts = np.zeros(len(support) + 1, dtype=np.int64)
    for row, good in zip(draws.tolist(), ok):
        counts[codes.get(tuple(row), -1) if good else -1] += 1  # a changed given token is off the support
    probs = np.append(law_probs[tuple(support.T)], escaped)
    pvalues = np.array([binomial_two_sided_pvalue(int(c), num_samples, float(p)) for c, p in zip(counts, probs)])
    cell_threshold, global_threshold = alpha / 2 / len(counts), alpha / 2
    g_obs, global_p, num_sims = _g_test(counts, probs, global_threshold, np.random.default_rng([seed, _CALIBRATION]))
    # p-values underflow to 0 together for a gross error; the standardised deviation then ranks the cells.
    expected = probs * num_samples
    with np.errstate(divide="ignore", invalid="ignore"):
        deviation = np.where(counts == expected, 0.0, np.abs(counts - expected) / np.sqrt(expected))
    worst = np.lexsort((-deviation, pvalues))[:5]
    report = SamplerReport(
        passed=bool(pvalues.min() >= cell_threshold and global_p > global_threshold),
        min_p_value=float(pvalues.min()), global_p_value=global_p, cell_threshold=cell_threshold,
        global_threshold=global_threshold, alpha=alpha, num_samples=num_samples, num_cells=len(counts),
        g_statistic=g_obs, num_simulations=num_sims,
        worst_cells=tuple((tuple(support[i].tolist()) if i < len(support) else "off the support", int(counts[i]),
                           float(probs[i] * num_samples), float(pvalues[i])) for i in worst),
        law=described, detectable_tv=detectable_tv(int((probs > 0).sum()) - 1, num_samples, global_threshold))
    if not report.passed:
        error = AssertionError(str(report))
        error.report = report
        raise error
    return report


_CALIBRATION = 0x6D646D  # a second stream for the calibration, apart from the one sample_fn derives from seed


def _check_law(law, lang, length: int):
    probs = getattr(law, "probs", None)
    escaped = getattr(law, "escaped", None)
    if probs is None or escaped is None:
        raise InvalidType(f"law={law!r} must be an exact.output_distribution result (with .probs and .escaped).")
    probs = np.asarray(probs, dtype=np.float64)
    shape = (lang.vocab_size,) * length
    if probs.shape != shape:
        raise InvalidArgument(f"law.probs has shape {probs.shape}, but V={lang.vocab_size}, L={length} need {shape}: "
                              "pass the law computed for this language and length.")
    total = float(probs.sum()) + float(escaped)
    if (probs < 0).any() or not np.isfinite(total) or abs(total - 1.0) > 1e-9:
        raise InvalidArgument(f"law has probs summing to {float(probs.sum())!r} and escaped={float(escaped)!r} (total "
                              f"{total!r}): they must be non-negative and sum to 1.")
    return probs, float(escaped)


def _g(counts: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """2 sum n log(n / e) along the last axis (0 log 0 = 0)."""
    counts = np.asarray(counts, dtype=np.float64)
    ratio = np.where(counts > 0, counts / expected, 1.0)
    return 2.0 * (counts * np.log(ratio)).sum(axis=-1)


def _g_test(counts: np.ndarray, probs: np.ndarray, threshold: float, rng, batch: int = 2000):
    """(G, Monte Carlo p-value, simulations) of the G statistic under the exact law ``probs``.

    Counts in a cell of probability 0 are impossible under the law: p-value 0 with no simulation. Otherwise
    the statistic is simulated until ``_EXCEEDANCES`` draws reach G (p = h / l) or until enough draws that a
    p-value below ``threshold`` is attainable with room to spare (p = (g + 1) / (M + 1)).
    """
    num = int(counts.sum())
    positive = probs > 0
    if counts[~positive].any():
        return math.inf, 0.0, 0
    p = probs[positive] / probs[positive].sum()
    observed = float(_g(counts[positive], num * p))
    if p.size == 1:
        return observed, 1.0, 0
    most = int(math.ceil(_EXCEEDANCES / threshold))
    done = hits = 0
    while done < most:
        size = min(batch, most - done)
        simulated = _g(rng.multinomial(num, p, size=size), num * p)
        # A relative tolerance so that ties in floating point count as reaching the observed value.
        reach = np.flatnonzero(simulated >= observed * (1 - 1e-12))
        if hits + reach.size >= _EXCEEDANCES:
            stop = done + int(reach[_EXCEEDANCES - hits - 1]) + 1
            return observed, _EXCEEDANCES / stop, stop
        hits += reach.size
        done += size
    return observed, (hits + 1) / (most + 1), most


def detectable_tv(df: int, num_samples: int, threshold: float, power: float = POWER) -> float | None:
    """Total variation above which the G test (level ``threshold``, ``df`` degrees of freedom) has power >= ``power``.

    Asymptotic: under the law G ~ chi2(df); under an alternative q, G ~ noncentral chi2(df, lam) with
    lam = N sum_k (q_k - p_k)^2 / p_k >= N (sum_k |q_k - p_k|)^2 = 4 N TV^2 (Cauchy-Schwarz with sum p = 1).
    So TV >= sqrt(lam* / (4 N)), lam* the noncentrality at which the power reaches ``power``, guarantees it
    whatever the direction of the error; the bound is attained by errors proportional to p.
    """
    if df < 1:
        return None
    critical = _chi2_isf(threshold, df)
    lo, hi = 0.0, 1.0
    while _ncx2_sf(critical, df, hi) < power:
        hi *= 2
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _ncx2_sf(critical, df, mid) < power else (lo, mid)
    return math.sqrt(hi / (4 * num_samples))


def _gamma_q(a: float, x: float) -> float:
    """Q(a, x) = Gamma(a, x) / Gamma(a), the regularised upper incomplete gamma function (series or continued
    fraction, converged to 1e-15)."""
    if x <= 0:
        return 1.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        k = a
        while abs(term) > abs(total) * 1e-16:
            k += 1
            term *= x / k
            total += term
        return max(0.0, 1.0 - total * math.exp(log_front))
    tiny = 1e-300
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    h = d
    for i in range(1, 100000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1 / (d if abs(d) > tiny else tiny)
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return math.exp(log_front) * h


def _chi2_isf(tail: float, df: int) -> float:
    """x with P(chi2(df) > x) = tail, by bisection."""
    lo, hi = 0.0, float(df) + 10.0
    while _gamma_q(df / 2, hi / 2) > tail:
        hi *= 2
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _gamma_q(df / 2, mid / 2) > tail else (lo, mid)
    return 0.5 * (lo + hi)


def _ncx2_sf(x: float, df: int, lam: float) -> float:
    """P(noncentral chi2(df, lam) > x): the Poisson(lam / 2) mixture of chi2(df + 2j), summed until the Poisson
    tail is below 1e-14."""
    mean = lam / 2
    top = int(mean + 12 * math.sqrt(mean) + 40)
    total = 0.0
    for j in range(top + 1):
        weight = math.exp(-mean + j * math.log(mean) - math.lgamma(j + 1)) if mean > 0 else float(j == 0)
        total += weight * _gamma_q(df / 2 + j, x / 2)
    return min(1.0, total)


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
