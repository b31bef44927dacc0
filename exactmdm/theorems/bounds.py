"""Every bound the theorem checks compare against, as pure functions: no I/O, no tables, no engines.

Exact (``Fraction``) where the inputs are rational, float otherwise. Grouped by theorem:
- Feng et al. Theorem 4.2 (TER): ``ter_bound_bits``, ``ter_constant``.
- Feng et al. Theorem 4.3 (SER with enough steps): ``one_per_step_ser_bound``.
- Feng et al. Theorem 4.4 (SER lower bound) on the letter-pair chain: ``disjoint_pairs_ser_bound``,
  ``limit_ser``, ``c_star_tail_bound``, and the worst same-step agreement under Assumption 4.1:
  ``pair_match_optimum``, ``pair_match_bound``, ``pair_match_enclosure``, ``pinsker_match_bound`` (and
  ``tilted_letter_model``, the near-worst model that attains it).
- Li & Cai Theorems 1 and 2: ``li_cai_coefficient``, ``li_cai_upper``, ``li_cai_lower``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..exact import letter_pair as lp
from ..information import kl
from ..intervals import log_enclosure
from ..validation import as_float


# --- Feng et al. Theorem 4.2 -------------------------------------------------------------------------------
def ter_bound_bits(eps: float, eps_learning_bits: float, vocab_size: int) -> float:
    """Right side of Theorem 4.2 per token, in bits: eps_learning + 4 eps log2|V|."""
    return eps_learning_bits + 4.0 * eps * math.log2(vocab_size)


def ter_constant(n_min: int, eps: float, order: int) -> float:
    """The empirical constant c = N_min eps^(n + 0.5) / (n - 1) of N = O((n-1)/eps^(n+0.5))."""
    return n_min * eps ** (order + 0.5) / (order - 1)


# --- Feng et al. Theorem 4.3 -------------------------------------------------------------------------------
def one_per_step_ser_bound(length: int, eps_nats: float) -> float:
    """SER <= 1 - exp(-L eps) for N = L fixed sizes and any model with eps_learning <= eps (nats): each revealed
    token puts at most 1 - e^-eps of mass off the support (KL(q||p) >= -log p(supp q))."""
    return -math.expm1(-length * eps_nats)


# --- Feng et al. Theorem 4.4 (letter-pair chain) -----------------------------------------------------------
def disjoint_pairs_ser_bound(length: int, num_steps: int, match=Fraction(1, 4)):
    """SER >= 1 - (1 - (1 - m)/N)^floor(L/2), valid for every i.i.d. schedule with N steps: each disjoint pair
    (1,2), (3,4), ... shares a step with probability sum_k w_k^2 >= 1/N (Cauchy-Schwarz), independently."""
    return 1 - lp.correct_uniform_exact(length, num_steps, match, exponent=length // 2)


def limit_ser(c: float, match: float = 0.25) -> float:
    """lim_{L -> inf} SER at N = C L, uniform weights: K -> Poisson(1/C), so SER -> 1 - exp(-(1-m)/C)."""
    return -math.expm1(-(1 - match) / c)


def c_star_tail_bound(max_length: int, match: Fraction, target: Fraction, halved: bool) -> Fraction:
    """Rational lower bound of (N_max(L)+1)/L for every L > max_length: from 1 - e^-x <= x,
    (N_max(L) + 1)/L >= C_inf (1 - 1/L) with C_inf = (1 - m)/ln(1/(1 - target)) (exponent L - 1), or half of
    that bound's (L-1)/L factor for the every-schedule exponent floor(L/2) >= (L-1)/2."""
    log_hi = log_enclosure(1 / (1 - Fraction(target)))[1]
    c_inf = (1 - Fraction(match)) / log_hi
    first = max_length + 1
    if halved:
        return c_inf * Fraction(first - 1, 2 * first)
    return c_inf * Fraction(first - 1, first)


def _kl_uniform_to(a: np.ndarray) -> float:
    return kl(np.full(a.shape[0], 1.0 / a.shape[0]), a)


def pair_match_optimum(eps_nats: float, letters: int = 4) -> tuple[float, np.ndarray]:
    """(max |a|^2, the maximiser a) over letter laws a with KL(uniform || a) <= eps.

    The stationary points of |a|^2 on {KL(u || a) = eps} take two values (2 a_c + mu / a_c = lambda has two
    positive roots), so the maximum is over k coordinates at x and letters - k at y, found by bisection
    (the returned a is feasible: it is the inner end of the bisection bracket).
    """
    eps = as_float(eps_nats, "eps_nats", minimum=0.0)
    best, best_a = 1.0 / letters, np.full(letters, 1.0 / letters)
    for k in range(1, letters):
        value, a = _bisect_two_value(eps, k, letters)
        if value > best:
            best, best_a = value, a
    return best, best_a


def _bisect_two_value(eps: float, k: int, letters: int) -> tuple[float, np.ndarray]:
    """The feasible end of a float bisection for the root of KL(uniform || a(x)) = eps, a(x) two-valued."""
    lo, hi = 1.0 / letters, 1.0 / k  # KL increases from 0 to inf as x grows over (1/letters, 1/k)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        y = (1.0 - k * mid) / (letters - k)
        if y > 0 and _kl_uniform_to(np.array([mid] * k + [y] * (letters - k))) <= eps:
            lo = mid
        else:
            hi = mid
    a = np.array([lo] * k + [(1.0 - k * lo) / (letters - k)] * (letters - k))
    return float(a @ a), a


def pair_match_bound(eps_nats: float, letters: int = 4) -> float:
    """m(eps) = max <a, b> over letter laws a, b with KL(uniform || a), KL(uniform || b) <= eps, as a float
    upper bound: the upper end of the certified ``pair_match_enclosure``.

    Two neighbours revealed together each draw their shared letter from their model's marginal on it;
    the oracle's marginal is uniform, and marginalising cannot increase KL, so any model with
    eps_learning <= eps has marginals in that set, and <a, b> <= max(|a|^2, |b|^2) (Cauchy-Schwarz).
    """
    return float(pair_match_enclosure(Fraction(eps_nats), letters)[1])


def _two_value_point(x: Fraction, k: int, letters: int) -> tuple[Fraction, Fraction]:
    return x, (1 - k * x) / (letters - k)


def _kl_uniform_enclosure(x: Fraction, k: int, letters: int) -> tuple[Fraction, Fraction]:
    """Rational lo <= KL(uniform || a) <= hi for a = (x,...,x [k times], y,...,y), from certified log enclosures:
    KL = -log(letters) - (k log x + (letters - k) log y) / letters."""
    x, y = _two_value_point(x, k, letters)
    lx, ly, ll = log_enclosure(x), log_enclosure(y), log_enclosure(Fraction(letters))
    lo = -ll[1] - (k * lx[1] + (letters - k) * ly[1]) / letters
    hi = -ll[0] - (k * lx[0] + (letters - k) * ly[0]) / letters
    return lo, hi


def pair_match_enclosure(eps_nats, letters: int = 4) -> tuple[Fraction, Fraction]:
    """Certified rationals lo <= m(eps) <= hi, m(eps) = max |a|^2 over letter laws with KL(uniform || a) <= eps.

    By Lagrange, a maximiser takes two values: x on k letters, y = (1 - k x)/(letters - k) < x on the
    rest. For each k, on x in (1/letters, 1/k) both KL(uniform || a) (derivative (k/letters)(1/y - 1/x) > 0)
    and |a|^2 (derivative 2k(x - y) > 0) increase, so the best feasible x_k is the root of KL = eps and
    |a(x_k)|^2 lies between its values at a bracket [lo_k, hi_k] of the root. The bracket comes from a
    float bisection, then is verified in exact rational arithmetic: KL(lo_k) <= eps and KL(hi_k) > eps are
    checked with certified rational enclosures of the logarithms (sympy, 40 digits); a bracket that fails
    is widened until it passes. Nothing here is padded by a guessed tolerance.
    """
    eps = Fraction(eps_nats) if not isinstance(eps_nats, Fraction) else eps_nats
    as_float(float(eps), "eps_nats", minimum=0.0)
    low, high = Fraction(1, letters), Fraction(1, letters)
    for k in range(1, letters):
        _, a = _bisect_two_value(float(eps), k, letters)
        lo_k, hi_k = Fraction(float(a[0])), Fraction(float(a[0]))
        top = Fraction(1, k)
        step = Fraction(1, 2 ** 40)
        while lo_k > Fraction(1, letters) and _kl_uniform_enclosure(lo_k, k, letters)[1] > eps:
            lo_k = max(Fraction(1, letters), lo_k - step)
            step *= 2
        step = Fraction(1, 2 ** 40)
        while True:
            hi_k = min(hi_k + step, (hi_k + top) / 2)
            if _kl_uniform_enclosure(hi_k, k, letters)[0] > eps:
                break
            step *= 2
        square = lambda x: k * x * x + (letters - k) * _two_value_point(x, k, letters)[1] ** 2  # noqa: E731
        low, high = max(low, square(lo_k)), max(high, square(hi_k))
    return low, high


def tilted_letter_model(eps_nats: float):
    """A model for ``counterexample16`` with eps_learning <= eps that makes same-step pairs agree often.

    At a masked position each unknown letter (the neighbour sharing it is masked) is drawn from the
    maximiser a of ``pair_match_optimum`` for the budget eps / (number of unknown letters); known
    letters are copied. Its KL to the oracle is the sum over unknown letters of KL(u || a) <= eps, and two
    neighbours revealed together agree with probability |a|^2: close to the worst case m(eps).
    """
    from ..models import FunctionModel

    laws = {1: pair_match_optimum(eps_nats)[1], 2: pair_match_optimum(eps_nats / 2)[1]}

    def fn(xt):
        batch, length = xt.shape
        out = np.zeros((batch, length, 16))
        for b in range(batch):
            for i in range(length):
                if xt[b, i] >= 0:
                    out[b, i, xt[b, i]] = 1.0
                    continue
                left = xt[b, i - 1] % 4 if i > 0 and xt[b, i - 1] >= 0 else -1
                right = xt[b, i + 1] // 4 if i + 1 < length and xt[b, i + 1] >= 0 else -1
                unknown = (left < 0) + (right < 0)
                a = laws.get(unknown)
                pl = a if left < 0 else np.eye(4)[left]
                pr = a if right < 0 else np.eye(4)[right]
                out[b, i] = np.outer(pl, pr).reshape(16)
        return out

    return FunctionModel(fn, 16, name=f"tilted-letter(eps={eps_nats:g} nats)", defined_off_support=False)


def pinsker_match_bound(eps_nats) -> Fraction | float:
    """Pinsker route: TV <= delta = sqrt(eps/2), and <a, b> <= 1/4 + 2 delta^2 = 1/4 + eps (exact)."""
    return Fraction(1, 4) + (Fraction(eps_nats) if isinstance(eps_nats, Fraction) else eps_nats)




# --- Li & Cai Theorems 1 and 2 -----------------------------------------------------------------------------
def li_cai_coefficient(s_max: int, length: int) -> float:
    """(2^ceil(log2 s_max) - 1) / L, the factor of sum_i I(X^i; X^-i) in Theorem 1."""
    return (2 ** math.ceil(math.log2(s_max)) - 1) / length if s_max > 1 else 0.0


def li_cai_upper(s_max: int, length: int, sum_mi: float, eps_train: float) -> float:
    """Theorem 1: E_M KL <= (2^ceil(log2 s_max) - 1)/L sum_i I(X^i; X^-i) + eps_train (nats)."""
    return li_cai_coefficient(s_max, length) * sum_mi + eps_train


def li_cai_lower(s_max: int, length: int, series: float, eps_train: float = 0.0) -> float:
    """Theorem 2: s_max/(16 L) sum_i sum_j 2^-j E I(X^i; X o W_j^-i) + eps_train (``series`` is the double sum)."""
    return s_max / (16.0 * length) * series + eps_train
