"""Masking schedules of the N-step MDM sampler, in their common exchangeable form.

Both kinds are exchangeable: given m masked positions at step k, the number u unmasked has a law
P_k(u | m) and the subset is uniform among the C(m, u) subsets of that size. The exact engines read
``subset_probabilities(L)``, a dense (N, L+1, L+1) table of P_k(u | m) / C(m, u), the probability of one
particular subset of size u. For the i.i.d. schedule that is r_k^u (1 - r_k)^(m - u) with
r_k = w_k / (w_k + ... + w_N): each still-masked position is unmasked at step k with probability
(alpha(t_k) - alpha(t_{k-1})) / (1 - alpha(t_{k-1})).

At long L the dense tables are refused (their size is checked first); every schedule also has an O(N)
log form, ``log_subset_probability(k, m, u)`` (and ``log_rates`` for i.i.d.), computed from logs so it
stays finite where the powers underflow.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

from .cost import DEFAULT_MAX_ENTRIES, check_enumeration_size
from .errors import EnumerationTooLarge, InvalidArgument, InvalidType, format_bytes
from .validation import as_float, as_int

__all__ = ["MAX_STEPS", "IIDSchedule", "FixedSizes", "iid", "fixed_sizes", "balanced_sizes", "linear", "cosine", "poly",
           "Alpha", "WEIGHT_ATOL", "multinomial", "log_comb", "optimal", "steps_needed", "LLaDASchedule", "llada",
           "MDLMSchedule", "mdlm", "sampler_schedule", "Blockwise", "BlockSchedule", "blocks", "dream", "dream_sizes"]

WEIGHT_ATOL = 1e-12


@dataclass(frozen=True)
class Alpha:
    """A named keep-probability curve alpha: [0, 1] -> [0, 1], decreasing, alpha(0) = 1, alpha(1) = 0."""

    name: str
    function: Callable[[float], float]
    exact_weights: Callable[[int], tuple] | None = None

    def __call__(self, t: float) -> float:
        return self.function(t)


def linear() -> Alpha:
    """alpha(t) = 1 - t: uniform step weights w_k = 1/N (exact rationals)."""
    return Alpha("linear", lambda t: 1.0 - t, lambda n: tuple(Fraction(1, n) for _ in range(n)))


def cosine() -> Alpha:
    """alpha(t) = cos(pi t / 2), with the endpoints exactly 1 and 0."""
    return Alpha("cosine", lambda t: 0.0 if t >= 1.0 else (1.0 if t <= 0.0 else math.cos(math.pi * t / 2.0)))


def poly(power: float) -> Alpha:
    """alpha(t) = 1 - t^p; exact rational weights when p is a positive integer."""
    power = as_float(power, "power", minimum=0.0, strict_minimum=True)
    exact = None
    if power == int(power):
        p = int(power)

        def exact(n, p=p):
            alphas = [1 - Fraction(n - k, n) ** p for k in range(n + 1)]
            return tuple(alphas[k] - alphas[k - 1] for k in range(1, n + 1))

    return Alpha(f"poly({power:g})", lambda t: 1.0 - t ** power, exact)


_NAMED = {"linear": linear, "cosine": cosine}


def _alpha_from_name(name: str) -> Alpha:
    key = name.strip().lower()
    if key in _NAMED:
        return _NAMED[key]()
    for prefix in ("poly:", "poly(", "poly"):
        if key.startswith(prefix):
            text = key[len(prefix):].rstrip(")")
            try:
                power = float(text)
            except ValueError:
                raise InvalidArgument(f"alpha={name!r}: the power {text!r} of 'poly:P' is not a number; write e.g. "
                                      "'poly:2' for alpha(t) = 1 - t^2.") from None
            if not (math.isfinite(power) and power > 0):
                raise InvalidArgument(f"alpha={name!r}: the power P of 'poly:P' (alpha(t) = 1 - t^P) must be a finite "
                                      f"number > 0, got {power!r}; P = 0 would unmask nothing before the last step.")
            return poly(power)
    raise InvalidArgument(f"alpha={name!r} is not a known schedule: use 'linear', 'cosine', 'poly:P', a callable "
                          "alpha(t), or explicit step weights.")


def multinomial(sizes) -> int:
    """L! / prod s_t!: the number of ordered partitions of L = sum(sizes) positions into blocks of these sizes."""
    total = math.factorial(sum(sizes))
    for size in sizes:
        total //= math.factorial(size)
    return total


def log_comb(m, u):
    """Natural log of C(m, u) (arrays allowed), finite for every m; -inf where u < 0 or u > m."""
    m = np.asarray(m, dtype=np.float64)
    u = np.asarray(u, dtype=np.float64)
    valid = (u >= 0) & (u <= m)
    safe_u = np.where(valid, u, 0.0)
    out = _lgamma(m + 1) - _lgamma(safe_u + 1) - _lgamma(np.where(valid, m - u, 0.0) + 1)
    return np.where(valid, out, -np.inf)


_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])


def xlogy(x, log_y):
    """x * log_y with the convention 0 * (-inf) = 0 (a power p^0 = 1 even when p = 0)."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x == 0, 0.0, x * np.where(x == 0, 0.0, log_y))


def _dense_table(schedule, length: int, max_entries: int, log_entry) -> np.ndarray:
    """(N, L+1, L+1) table of exp(log_entry(k, m, u)), 0 above the diagonal, refused above ``max_entries``."""
    length = as_int(length, "length", minimum=1)
    check_enumeration_size(float(schedule.num_steps) * (length + 1) ** 2,
                           f"a dense (N, L+1, L+1) schedule table with N={schedule.num_steps}, L={length}", 8, max_entries,
                           "Use the schedule's log form (log_rates / log_subset_probability), which costs O(N).")
    m = np.arange(length + 1)[:, None]
    u = np.arange(length + 1)[None, :]
    table = np.zeros((schedule.num_steps, length + 1, length + 1))
    for k in range(schedule.num_steps):
        with np.errstate(invalid="ignore", over="ignore"):
            table[k] = np.where(u <= m, np.exp(log_entry(k, m, u)), 0.0)
    return table


@dataclass(frozen=True, eq=False)
class IIDSchedule:
    """i.i.d. (alpha) schedule: each position's unmasking step is i.i.d. with P(step k) = w_k.

    Attributes
    ----------
    weights : (N,) float64, non-negative, sums to 1.
    exact_weights : tuple of Fractions summing exactly to 1, when known (linear, integer poly, rationals).
    name : how the schedule was specified.
    """

    weights: np.ndarray
    exact_weights: tuple | None
    name: str

    @property
    def num_steps(self) -> int:
        return self.weights.shape[0]

    @property
    def kind(self) -> str:
        return "iid"

    @property
    def rates(self) -> np.ndarray:
        """r_k = w_k / (w_k + ... + w_N): the per-step unmasking probability of a still-masked position."""
        tails = np.cumsum(self.weights[::-1])[::-1]
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = np.where(tails > 0, self.weights / np.where(tails > 0, tails, 1.0), 1.0)
        rates[-1] = 1.0  # the last step unmasks whatever is left (w_N / w_N, or nothing left at all)
        return np.minimum(rates, 1.0)

    @property
    def log_rates(self) -> tuple[np.ndarray, np.ndarray]:
        """(log r_k, log(1 - r_k)), O(N) and finite wherever the probability is > 0.

        1 - r_k = tail_{k+1} / tail_k is formed as a difference of logs of the tails, not as 1 - r_k, so a
        rate near 1 keeps its precision.
        """
        tails = np.cumsum(self.weights[::-1])[::-1]
        next_tails = np.append(tails[1:], 0.0)
        with np.errstate(divide="ignore"):
            log_r = np.log(self.rates)
            log_stay = np.where(tails > 0, np.log(next_tails) - np.log(np.where(tails > 0, tails, 1.0)), -np.inf)
        log_stay[-1] = -np.inf
        return log_r, log_stay

    def log_subset_probability(self, step: int, masked, revealed):
        """log P(one given subset of ``revealed`` positions is unmasked at ``step`` | ``masked`` are masked):
        u log r_k + (m - u) log(1 - r_k). Arrays broadcast; -inf where impossible."""
        log_r, log_stay = self.log_rates
        return xlogy(revealed, log_r[step]) + xlogy(np.asarray(masked) - np.asarray(revealed), log_stay[step])

    def subset_probabilities(self, length: int, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> np.ndarray:
        """Dense (N, L+1, L+1) table of P(a given subset of size u is the one unmasked | m masked) at step k,
        for the small-L engines; computed in log space, refused above ``max_entries``."""
        return _dense_table(self, length, max_entries, self.log_subset_probability)

    def reveal_law(self, length: int, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> np.ndarray:
        """Dense (N, L+1, L+1) table P_k(u | m) = Binomial(m, r_k)(u), in log space (no overflow at any L)."""
        return _dense_table(self, length, max_entries,
                            lambda k, m, u: log_comb(m, u) + self.log_subset_probability(k, m, u))

    def describe(self) -> dict:
        out = {"kind": "iid", "name": self.name, "num_steps": self.num_steps, "weights": self.weights.tolist()}
        if self.exact_weights is not None:
            out["exact_weights"] = [str(w) for w in self.exact_weights]
        return out


@dataclass(frozen=True, eq=False)
class FixedSizes:
    """Fixed-size schedule (Li & Cai): step t unmasks a uniformly random subset of exactly s_t of the
    currently masked positions; sum of sizes = L."""

    sizes: tuple

    @property
    def num_steps(self) -> int:
        return len(self.sizes)

    @property
    def kind(self) -> str:
        return "fixed_sizes"

    @property
    def length(self) -> int:
        return sum(self.sizes)

    @property
    def name(self) -> str:
        return f"fixed_sizes{list(self.sizes)}"

    def check_length(self, length: int) -> int:
        """``length`` as an int, refused unless the sizes sum to it (every position must be unmasked)."""
        length = as_int(length, "length", minimum=1)
        if length != self.length:
            raise InvalidArgument(
                f"fixed_sizes {list(self.sizes)} unmask {self.length} positions but length={length}: the sizes must "
                f"sum to the sequence length so that every position is unmasked (try balanced_sizes({length}, T))."
            )
        return length

    @property
    def num_orderings(self) -> int:
        """L! / prod s_t!: the number of equally likely ordered partitions (exact integer)."""
        return multinomial(self.sizes)

    def masked_before(self, step: int) -> int:
        """Number of positions still masked at the start of ``step`` (0-based)."""
        return self.length - sum(self.sizes[:step])

    def log_subset_probability(self, step: int, masked, revealed):
        """log(1 / C(m, s_k)) when m = masked_before(k) and u = s_k, else -inf. Arrays broadcast."""
        m, u = np.asarray(masked), np.asarray(revealed)
        hit = (m == self.masked_before(step)) & (u == self.sizes[step])
        return np.where(hit, -log_comb(self.masked_before(step), self.sizes[step]), -np.inf)

    def subset_probabilities(self, length: int, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> np.ndarray:
        """Dense (N, L+1, L+1) table of 1/C(m, s_k) at (k, m = masked_before(k), u = s_k), 0 elsewhere."""
        return _dense_table(self, self.check_length(length), max_entries, self.log_subset_probability)

    def reveal_law(self, length: int, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> np.ndarray:
        """Dense (N, L+1, L+1) table P_k(u | m): 1 at (m = masked_before(k), u = s_k)."""
        return _dense_table(self, self.check_length(length), max_entries,
                            lambda k, m, u: log_comb(m, u) + self.log_subset_probability(k, m, u))

    def describe(self) -> dict:
        return {"kind": "fixed_sizes", "sizes": list(self.sizes), "num_steps": self.num_steps}


MAX_STEPS = DEFAULT_MAX_ENTRIES // 32
"""Most steps ``iid`` builds by default: each holds about ``STEP_BYTES`` (float and exact Fraction weights, the
alpha grid), so the default stays within the memory of ``cost.DEFAULT_MAX_ENTRIES`` floats."""
STEP_BYTES = 200


def iid(num_steps: int, alpha="linear") -> IIDSchedule:
    """The i.i.d. schedule on the grid t_k = 1 - k/N with w_k = alpha(t_k) - alpha(t_{k-1}).

    ``alpha`` is ``"linear"``, ``"cosine"``, ``"poly:P"``, an ``Alpha``, any callable alpha(t), or an explicit
    weight vector of length N (floats or Fractions) that is non-negative and sums to 1. More than
    ``MAX_STEPS`` steps are refused before anything is built.
    """
    num_steps = as_int(num_steps, "num_steps", minimum=1)
    if num_steps > MAX_STEPS:
        raise EnumerationTooLarge(
            f"num_steps={num_steps} needs about {format_bytes(num_steps * STEP_BYTES)} of step weights, more than "
            f"MAX_STEPS={MAX_STEPS}. Steps far beyond the length change little: as N grows no two positions unmask "
            "together, and the limit is one position per step in a uniform order, schedules.fixed_sizes([1] * L); use N "
            "of the order of L, or, for the letter-pair chain's SER, exact.letter_pair.log_correct_uniform(L, N), which "
            "takes any N.")
    if isinstance(alpha, str):
        alpha = _alpha_from_name(alpha)
    if isinstance(alpha, (list, tuple, np.ndarray)):
        return _from_weights(num_steps, alpha)
    if not callable(alpha):
        raise InvalidType(f"alpha={alpha!r} must be a schedule name, a callable alpha(t) or a weight vector.")
    name = alpha.name if isinstance(alpha, Alpha) else getattr(alpha, "__name__", "callable")
    values = np.array([float(alpha(1.0 - k / num_steps)) for k in range(num_steps + 1)])
    if not np.all(np.isfinite(values)):
        raise InvalidArgument(f"alpha={name} returned a non-finite value on the grid t_k = 1 - k/N: {values.tolist()}.")
    if abs(values[0]) > WEIGHT_ATOL or abs(values[-1] - 1.0) > WEIGHT_ATOL:
        raise InvalidArgument(f"alpha={name} must satisfy alpha(0) = 1 and alpha(1) = 0; got alpha(0) = {float(values[-1])!r}, "
                              f"alpha(1) = {float(values[0])!r}.")
    values[0], values[-1] = 0.0, 1.0
    weights = np.diff(values)
    if np.any(weights < -WEIGHT_ATOL):
        k = int(np.argmax(weights < -WEIGHT_ATOL))
        raise InvalidArgument(f"alpha={name} is not decreasing: w_{k + 1} = alpha(t_{k + 1}) - alpha(t_{k}) = "
                              f"{float(weights[k])!r} < 0.")
    weights = np.maximum(weights, 0.0)
    exact = None
    if isinstance(alpha, Alpha) and alpha.exact_weights is not None:
        exact = alpha.exact_weights(num_steps)
        weights = np.array([float(w) for w in exact])
    weights.setflags(write=False)
    return IIDSchedule(weights, exact, name)


def _from_weights(num_steps: int, values) -> IIDSchedule:
    values = list(values)
    if len(values) != num_steps:
        raise InvalidArgument(f"alpha has {len(values)} step weights but num_steps={num_steps}: give one weight per step.")
    exact = None
    if all(isinstance(w, (numbers.Rational)) and not isinstance(w, bool) for w in values):
        exact = tuple(Fraction(w) for w in values)
        if sum(exact) != 1:
            raise InvalidArgument(f"step weights sum to {sum(exact)}, not 1: the schedule must unmask every position.")
    weights = np.array([float(w) for w in values], dtype=np.float64)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise InvalidArgument(f"step weights {weights.tolist()} must be finite and >= 0.")
    if abs(weights.sum() - 1.0) > WEIGHT_ATOL * max(1, num_steps):
        raise InvalidArgument(f"step weights sum to {float(weights.sum())!r}, not 1: the schedule must unmask every position "
                              "(normalise the weights yourself if that is meant).")
    weights.setflags(write=False)
    return IIDSchedule(weights, exact, "weights")


def fixed_sizes(sizes) -> FixedSizes:
    """Fixed-size schedule with step sizes s_1..s_T (positive integers; they must sum to L when used)."""
    try:
        sizes = tuple(sizes)
    except TypeError:
        raise InvalidType(f"sizes={sizes!r} must be a sequence of positive integers.") from None
    if not sizes:
        raise InvalidArgument("sizes=() is empty: a schedule needs at least one step.")
    return FixedSizes(tuple(as_int(s, f"sizes[{i}]", minimum=1) for i, s in enumerate(sizes)))


def balanced_sizes(length: int, num_steps: int) -> FixedSizes:
    """Sizes differing by at most one, larger first: the balanced schedule of Li & Cai."""
    length = as_int(length, "length", minimum=1)
    num_steps = as_int(num_steps, "num_steps", minimum=1, maximum=length)
    base, extra = divmod(length, num_steps)
    return fixed_sizes([base + 1] * extra + [base] * (num_steps - extra))


def optimal(profile, num_steps: int) -> FixedSizes:
    """The sizes minimising ``profile.expected_kl`` over every composition of L into at most ``num_steps`` parts
    (exact DP; see ``exactmdm.schedule_design.optimal``)."""
    from .schedule_design import optimal as _optimal  # schedule_design builds on this module

    return _optimal(profile, num_steps)


def steps_needed(profile, eps: float, family: str = "optimal", **options) -> int:
    """The least T with E KL <= eps (nats) for ``family`` in "optimal", "balanced", "iid-linear", "iid-cosine",
    "geometric" (see ``exactmdm.schedule_design.steps_needed``)."""
    from .schedule_design import steps_needed as _steps_needed

    return _steps_needed(profile, eps, family, **options)


class Blockwise:
    """Semi-autoregressive generation: the last ``gen_length`` positions (after a prompt) are cut into blocks of
    ``block_length``, generated left to right, each by the whole of the ``inner`` schedule over its own
    positions (the positions of later blocks stay masked, those of earlier blocks are revealed). Subclasses
    say what ``inner`` is; the exact engines, Monte Carlo and the torch sampler read only what is here."""

    gen_length: int
    block_length: int

    @property
    def inner(self):
        raise NotImplementedError

    @property
    def num_blocks(self) -> int:
        return self.gen_length // self.block_length

    @property
    def num_steps(self) -> int:
        """Steps over all blocks."""
        return self.num_blocks * self.inner.num_steps

    def offset(self, length: int, given=None) -> int:
        """Where generation starts (the prompt's length) in a sequence of ``length`` that starts as ``given``
        (None: all masked); refused unless ``given`` holds a prompt and MASK exactly after it (LLaDA's layout)."""
        offset = length - self.gen_length
        start = np.full(length, -1) if given is None else np.asarray(given)
        if offset < 0 or not np.array_equal(start < 0, np.arange(length) >= offset):
            raise InvalidArgument(f"schedule={self.name} generates the last {self.gen_length} positions after a "
                                  f"prompt: with length={length}, given must hold the prompt's {max(offset, 0)} tokens "
                                  "and MASK at exactly the positions after it (LLaDA's layout).")
        return offset

    def block_ranges(self, length: int, given=None) -> list:
        """(lo, hi) of each block, left to right: the positions lo..hi-1."""
        offset, width = self.offset(length, given), self.block_length
        return [(offset + b * width, offset + (b + 1) * width) for b in range(self.num_blocks)]


@dataclass(frozen=True)
class LLaDASchedule(Blockwise):
    """LLaDA's semi-autoregressive schedule, as its generate code runs it.

    The ``gen_length`` positions are cut into ``gen_length / block_length`` blocks generated left to right;
    ``steps`` are split evenly over the blocks (LLaDA asserts both divisions); inside a block of n masked
    positions and T = steps / blocks steps, step k unmasks n // T tokens, plus one for the first n % T steps
    (LLaDA's ``get_num_transfer_tokens``). Steps that would unmask nothing (T > n) are skipped here; LLaDA
    runs them as network calls that change nothing. So each block runs ``inner``, the fixed sizes of
    LLaDA's counts.
    """

    gen_length: int
    steps: int
    block_length: int

    @property
    def kind(self) -> str:
        return "llada"

    @property
    def steps_per_block(self) -> int:
        return self.steps // self.num_blocks

    @property
    def inner(self) -> FixedSizes:
        """The fixed sizes each block runs: LLaDA's counts, balanced with the extra tokens first, empty steps
        skipped."""
        base, extra = divmod(self.block_length, self.steps_per_block)
        sizes = tuple(base + 1 if k < extra else base for k in range(self.steps_per_block))
        return FixedSizes(tuple(s for s in sizes if s))

    @property
    def name(self) -> str:
        return f"llada(gen_length={self.gen_length}, steps={self.steps}, block_length={self.block_length})"

    def sizes_per_block(self) -> tuple:
        """One tuple per block, left to right: the tokens each (non-empty) step of the block unmasks."""
        return (self.inner.sizes,) * self.num_blocks

    def describe(self) -> dict:
        return {"kind": self.kind, "gen_length": self.gen_length, "steps": self.steps, "block_length": self.block_length,
                "sizes_per_block": [list(b) for b in self.sizes_per_block()]}


def llada(gen_length: int, steps: int, block_length: int) -> LLaDASchedule:
    """LLaDA's schedule: blocks of ``block_length`` left to right, ``steps`` in total split evenly over them."""
    gen_length = as_int(gen_length, "gen_length", minimum=1)
    steps = as_int(steps, "steps", minimum=1)
    block_length = as_int(block_length, "block_length", minimum=1)
    if gen_length % block_length:
        raise InvalidArgument(f"block_length={block_length} does not divide gen_length={gen_length}: LLaDA needs whole "
                              "blocks; pick a divisor of gen_length.")
    blocks = gen_length // block_length
    if steps % blocks:
        raise InvalidArgument(f"steps={steps} is not divisible by the {blocks} blocks (gen_length={gen_length} / "
                              f"block_length={block_length}): LLaDA splits the steps evenly over the blocks; use a "
                              f"multiple of {blocks}.")
    return LLaDASchedule(gen_length, steps, block_length)


@dataclass(frozen=True)
class BlockSchedule(Blockwise):
    """Blocks of ``block_length`` over the last ``gen_length`` positions, left to right, each running the whole
    ``schedule`` (i.i.d. or fixed sizes summing to ``block_length``): ``neural.sample(blocks=K)``'s meaning,
    with K * N steps in all. An i.i.d. inner schedule makes every position's step independent (drawn from its
    block's steps), which the Markov gap DP takes."""

    schedule: object
    block_length: int
    gen_length: int

    @property
    def kind(self) -> str:
        return "blocks"

    @property
    def inner(self):
        return self.schedule

    @property
    def name(self) -> str:
        return f"blocks({self.schedule.name}, block_length={self.block_length}, gen_length={self.gen_length})"

    def describe(self) -> dict:
        return {"kind": self.kind, "schedule": self.schedule.describe(), "block_length": self.block_length,
                "gen_length": self.gen_length}


def blocks(schedule, block_length: int, gen_length: int) -> BlockSchedule:
    """Semi-autoregressive blocks: the last ``gen_length`` positions in blocks of ``block_length``, left to right,
    each generated by the whole of ``schedule`` (``iid(...)`` or ``fixed_sizes(...)`` summing to block_length)."""
    if not isinstance(schedule, (IIDSchedule, FixedSizes)):
        raise InvalidType(f"schedule={schedule!r} must come from exactmdm.schedules.iid or fixed_sizes (the schedule "
                          "each block runs).")
    block_length = as_int(block_length, "block_length", minimum=1)
    gen_length = as_int(gen_length, "gen_length", minimum=1)
    if gen_length % block_length:
        raise InvalidArgument(f"block_length={block_length} does not divide gen_length={gen_length}: blocks are of "
                              "equal size; pick a divisor of gen_length.")
    if isinstance(schedule, FixedSizes):
        schedule.check_length(block_length)
    return BlockSchedule(schedule, block_length, gen_length)


MDLM_NOISES = ("loglinear", "cosine")


@dataclass(frozen=True)
class MDLMSchedule:
    """MDLM's sampler (``_sample`` with ``_ddpm_update``): the time grid t_k = 1 - k (1 - eps)/N, k = 0..N, and
    at step k each masked position unmasks with probability (m(t_(k-1)) - m(t_k)) / m(t_(k-1)), m the move
    chance: loglinear m(t) = (1 - e) t, cosine m(t) = (1 - e)(1 - cos(pi t / 2)) (the noise's own e cancels in
    every ratio, so MDLM's alpha(1) = e is no obstacle). A position's unmasking step is then i.i.d. with
    P(step k) = (m(t_(k-1)) - m(t_k)) / m(1); with eps > 0 it stays masked with probability m(eps)/m(1), and
    ``noise_removal`` sets those positions to the argmax of the model at the final state (one last step).
    """

    num_steps: int
    noise: str
    eps: float
    noise_removal: bool

    @property
    def kind(self) -> str:
        return "mdlm"

    @property
    def name(self) -> str:
        return f"mdlm(N={self.num_steps}, noise={self.noise}, eps={self.eps:g}, noise_removal={self.noise_removal})"

    def _move(self, t: float) -> float:
        return t if self.noise == "loglinear" else 1.0 - math.cos(math.pi * t / 2)

    @property
    def leftover(self) -> float:
        """Probability that a position is still masked after the N steps (at t = eps)."""
        return self._move(self.eps) / self._move(1.0)

    @property
    def reveal(self) -> IIDSchedule:
        """The reveal law as an i.i.d. schedule: the N grid steps, then one step for the leftover when eps > 0
        (the noise-removal step, whose tokens are the model's argmax)."""
        grid = [1.0 - k * (1.0 - self.eps) / self.num_steps for k in range(self.num_steps + 1)]
        weights = [(self._move(a) - self._move(b)) / self._move(1.0) for a, b in zip(grid, grid[1:])]
        if self.leftover > 0:
            weights.append(self.leftover)
        return iid(len(weights), weights)

    @property
    def final_argmax(self) -> bool:
        return self.leftover > 0

    def describe(self) -> dict:
        return {"kind": self.kind, "num_steps": self.num_steps, "noise": self.noise, "eps": self.eps,
                "noise_removal": self.noise_removal}


def sampler_schedule(schedule):
    """``(reveal, final_argmax)``: the schedule whose reveal law the samplers and engines run, and whether the
    tokens of its last step are the model's argmax instead of a draw. ``schedules.mdlm`` runs as its i.i.d.
    ``reveal`` law (its grid, then with eps > 0 one step that reveals every position left) and sets
    ``final_argmax`` when that noise-removal step exists; every other schedule is returned as it is, drawn at
    every step."""
    if isinstance(schedule, MDLMSchedule):
        return schedule.reveal, schedule.final_argmax
    return schedule, False


def mdlm(num_steps: int, noise: str = "loglinear", eps: float = 1e-5, noise_removal: bool = True) -> MDLMSchedule:
    """MDLM's sampling schedule (see ``MDLMSchedule``); eps = 0 is ``iid(N, "linear")`` (loglinear) or the cosine
    schedule's grid, and eps > 0 needs ``noise_removal`` (else positions would stay masked)."""
    num_steps = as_int(num_steps, "num_steps", minimum=1)
    if noise not in MDLM_NOISES:
        raise InvalidArgument(f"noise={noise!r} must be one of {', '.join(map(repr, MDLM_NOISES))}.")
    eps = as_float(eps, "eps", minimum=0.0, maximum=1.0)
    if eps == 1.0:
        raise InvalidArgument("eps=1 leaves no time to sample: MDLM's grid runs from 1 down to eps; use eps < 1 "
                              "(MDLM's default 1e-5).")
    if not isinstance(noise_removal, bool):
        raise InvalidType(f"noise_removal={noise_removal!r} must be True or False.")
    if eps > 0 and not noise_removal:
        raise InvalidArgument(f"eps={eps:g} with noise_removal=False leaves each position masked with probability "
                              "m(eps)/m(1) > 0 at the end: pass noise_removal=True (MDLM's default) or eps=0.")
    return MDLMSchedule(num_steps, noise, eps, noise_removal)


def _dream_grid(steps: int, eps: float):
    """Dream's ``torch.linspace(1, eps, steps + 1)``: a float32 tensor, torch's own rounding."""
    try:
        import torch
    except ImportError:
        raise ImportError("Dream's schedules need torch (pip install 'exactmdm[torch]'): its step counts round "
                          "torch's float32 time grid, which only torch reproduces to the bit.") from None
    return torch.linspace(1, eps, steps + 1)


def _dream_args(steps, eps):
    steps = as_int(steps, "steps", minimum=1)
    eps = as_float(eps, "eps", minimum=0.0, maximum=1.0)
    if eps == 1.0:
        raise InvalidArgument("eps=1 leaves no time to sample: Dream's grid runs from 1 down to eps; use eps < 1 "
                              "(Dream's default 1e-3).")
    return steps, eps


def dream(steps: int, eps: float = 1e-3) -> IIDSchedule:
    """Dream's ``alg="origin"`` (its default): on the grid t_0 = 1 > ... > t_N = eps (``linspace(1, eps, N + 1)``)
    each masked position unmasks at step i with probability 1 - t_(i+1)/t_i, and every one left at the last
    step: an i.i.d. schedule with P(step i) = t_i - t_(i+1) for i < N - 1 and t_(N-1) for the last. The weights
    are those of Dream's float32 grid; Dream's own comparison of a float32 uniform with a float32 probability
    moves them in the seventh digit."""
    steps, eps = _dream_args(steps, eps)
    t = [float(v) for v in _dream_grid(steps, eps)]
    weights = [t[i] - t[i + 1] for i in range(steps - 1)] + [t[steps - 1]]
    total = sum(weights)
    schedule = iid(steps, [w / total for w in weights])  # t_0 = 1 in float32, so total is 1 up to rounding
    return IIDSchedule(schedule.weights, None, f"dream(steps={steps}, eps={eps:g})")


def dream_sizes(gen_length: int, steps: int, eps: float = 1e-3) -> FixedSizes:
    """Dream's counts for its confidence-based algorithms (``alg="maskgit_plus"``, ``"topk_margin"``,
    ``"entropy"``): with m positions still masked, step i < N - 1 unmasks int(m (1 - s/t)) of them (t, s
    consecutive points of Dream's float32 grid), the last step all that are left; steps that unmask nothing
    are skipped (Dream runs them as network calls that change nothing). Computed with torch's float32
    arithmetic, as Dream does: at rounding boundaries it differs from the exact rational rule (at eps = 0, N = 4,
    L = 11 Dream unmasks 2, 2, 3, 4 where exact arithmetic gives 2, 3, 3, 3). Dream counts the batch average of
    the masked positions; with rows of one length and no masked tokens drawn, that is every row's count."""
    gen_length = as_int(gen_length, "gen_length", minimum=1)
    steps, eps = _dream_args(steps, eps)
    grid = _dream_grid(steps, eps)
    left, sizes = gen_length, []
    for i in range(steps):
        masked = grid.new_tensor(float(left))  # Dream: mask_index.sum() / mask_index.shape[0], a float32 tensor
        count = int(masked * (1 - grid[i + 1] / grid[i])) if i < steps - 1 else left
        sizes.append(count)
        left -= count
    return fixed_sizes([c for c in sizes if c])
