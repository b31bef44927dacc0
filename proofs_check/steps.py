"""Each function proves one algebraic or inequality step with sympy and returns what it proved.

A step raises ``AssertionError`` (with the failing case) when sympy cannot confirm it.
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp

STEPS = []


def step(fn):
    STEPS.append(fn)
    return fn


@step
def pinsker_threshold():
    """KL < 1/128 nats gives TV < sqrt(KL/2) = 1/16 (Pinsker), hence a same-step pair agrees w.p. <= 5/16,
    and by the sharper <a,b> <= 1/4 + 2 TV^2 at most 33/128."""
    kl = sp.Rational(1, 128)
    tv = sp.sqrt(kl / 2)
    assert sp.simplify(tv - sp.Rational(1, 16)) == 0
    d = sp.symbols("d", nonnegative=True)
    # a = u + e with e = (d, -d, 0, 0) maximises <a, a> at TV d: <a, a> = 1/4 + 2 d^2
    a = [sp.Rational(1, 4) + d, sp.Rational(1, 4) - d, sp.Rational(1, 4), sp.Rational(1, 4)]
    assert sp.expand(sum(x * x for x in a)) == sp.Rational(1, 4) + 2 * d ** 2
    assert sp.Rational(1, 4) + 2 * tv ** 2 == sp.Rational(33, 128) <= sp.Rational(5, 16)
    assert sp.Rational(1, 4) + tv == sp.Rational(5, 16)
    return "KL < 1/128 => TV < 1/16 => pair agreement <= 33/128 <= 5/16 (disagreement >= 11/16)"


@step
def cauchy_schwarz_weights():
    """sum_k w_k^2 >= 1/N for weights summing to 1: sum (w_k - 1/N)^2 = sum w_k^2 - 1/N >= 0."""
    for n in range(1, 9):
        w = sp.symbols(f"w0:{n}")
        identity = sp.expand(sum((x - sp.Rational(1, n)) ** 2 for x in w) - (sum(x ** 2 for x in w) - sp.Rational(1, n)))
        # the difference is -(2/N)(sum w - 1): zero on the simplex
        assert sp.simplify(identity.subs(w[-1], 1 - sum(w[:-1]))) == 0, n
    return "sum_k (w_k - 1/N)^2 = sum_k w_k^2 - 1/N on the simplex, for N = 1..8 symbolically"


@step
def uniform_weights_closed_form():
    """E[z^K] = w^T T^(L-1) 1 with T = 1 w^T + (z-1) diag(w) equals (1 + (z-1)/N)^(L-1) for w uniform."""
    z = sp.symbols("z")
    for n in range(1, 6):
        w = sp.Matrix([sp.Rational(1, n)] * n)
        T = sp.ones(n, 1) * w.T + (z - 1) * sp.diag(*w)
        ones = sp.ones(n, 1)
        assert sp.simplify(T * ones - (1 + (z - 1) / n) * ones) == sp.zeros(n, 1)
        for length in range(1, 6):
            value = (w.T * T ** (length - 1) * ones)[0]
            assert sp.simplify(value - (1 + (z - 1) / n) ** (length - 1)) == 0, (n, length)
    return "E[z^K] = (1 + (z-1)/N)^(L-1) under uniform weights (eigenvector 1), N, L = 1..5 symbolically"


@step
def transfer_matrix_matches_enumeration():
    """The transfer recurrence equals the enumeration of step labellings, for symbolic weights."""
    import itertools
    z = sp.symbols("z")
    w = sp.symbols("w0:3", positive=True)
    for length in range(1, 5):
        brute = sum(sp.Mul(*[w[k] for k in labels]) * z ** sum(a == b for a, b in zip(labels, labels[1:]))
                    for labels in itertools.product(range(3), repeat=length))
        v = list(w)
        for _ in range(1, length):
            s = sum(v)
            v = [w[k] * (s + (z - 1) * v[k]) for k in range(3)]
        assert sp.expand(sum(v) - brute) == 0, length
    return "the O(L N) recurrence for E[z^K] equals the sum over all N^L labellings (N = 3, L <= 4, symbolic w, z)"


@step
def disjoint_pairs_bound():
    """P(correct) <= prod over floor(L/2) disjoint pairs (1 - (1-m) P(same step)) <= (1 - (1-m)/N)^floor(L/2)."""
    m, s, n = sp.symbols("m s N", positive=True)
    factor = 1 - (1 - m) * s
    # decreasing in s for m < 1, and s = sum w^2 >= 1/N
    assert sp.diff(factor, s) == -(1 - m)
    assert sp.simplify(factor.subs(s, 1 / n) - (1 - (1 - m) / n)) == 0
    return "each disjoint pair contributes 1 - (1-m) sum w^2 <= 1 - (1-m)/N; pairs on disjoint positions are independent"


@step
def c_star_oracle_uniform():
    """C* = 1 for the oracle under uniform weights: exact integer comparisons for L <= 14, and for L >= 14
    (N_max + 1)/L >= g(L)/L >= (3/(4 ln 2))(1 - 1/L) >= 1, using 1 - 2^-x <= x ln 2."""
    x = sp.symbols("x", nonnegative=True)
    f = x * sp.log(2) - 1 + 2 ** (-x)
    assert f.subs(x, 0) == 0 and sp.simplify(sp.diff(f, x) - sp.log(2) * (1 - 2 ** (-x))) == 0
    c_inf = sp.Rational(3, 4) / sp.log(2)
    assert sp.N(c_inf * (1 - sp.Rational(1, 14)), 30) >= 1
    best = None
    for length in range(2, 15):
        n = 1
        while 2 * (4 * n - 3) ** (length - 1) < (4 * n) ** (length - 1):  # SER > 1/2 exactly
            n += 1
        value = Fraction(n, length)  # n = N_max + 1
        best = value if best is None or value < best else best
    assert best == 1, best
    return "C* = 1 exactly (attained at L = 2: SER(L=2, N=2) = 3/8); tail L >= 14 via 1 - 2^-x <= x ln 2"


@step
def ter_kl_identity():
    """log2 TER(p) - log2 TER(q) = KL(q||p)/L from TER(p) = 2^(E_q[-log2 p]/L)."""
    q1, q2, p1, p2, L = sp.symbols("q1 q2 p1 p2 L", positive=True)
    cross = -(q1 * sp.log(p1, 2) + q2 * sp.log(p2, 2)) / L
    ent = -(q1 * sp.log(q1, 2) + q2 * sp.log(q2, 2)) / L
    kl = (q1 * sp.log(q1 / p1, 2) + q2 * sp.log(q2 / p2, 2))
    assert sp.simplify(sp.expand_log(cross - ent - kl / L, force=True)) == 0
    return "log2 TER(p) - log2 TER(q) = KL_bits(q||p) / L (symbolic, two-point support; the sum is termwise)"


@step
def uniform_mixing_kl():
    """p = (1-l) q + l/V >= (1-l) q termwise, so KL(q||p) <= -log(1-l) = eps for l = 1 - e^-eps."""
    q, lam, V, eps = sp.symbols("q lam V eps", positive=True)
    p = (1 - lam) * q + lam / V
    assert sp.simplify(p - (1 - lam) * q - lam / V) == 0 and sp.simplify((lam / V) > 0)
    assert sp.simplify(-sp.log(1 - (1 - sp.exp(-eps))) - eps) == 0
    return "q log(q/p) <= q log(1/(1-l)) termwise; -log(1-l) = eps at l = 1 - exp(-eps)"


@step
def mutual_information_decomposition():
    """sum_i I(X^i; X^-i) = TC + DTC, TC = sum H(X^i) - H(X), DTC = H(X) - sum H(X^i | X^-i)."""
    n = 4
    h = sp.symbols("H")
    hi = sp.symbols(f"Hm0:{n}")       # H(X^i)
    hc = sp.symbols(f"Hc0:{n}")       # H(X^i | X^-i) = H - H(X^-i)
    lhs = sum(hi[i] - hc[i] for i in range(n))  # I(X^i; X^-i) = H(X^i) - H(X^i | X^-i)
    tc = sum(hi) - h
    dtc = h - sum(hc)
    assert sp.expand(lhs - tc - dtc) == 0
    return "sum_i I(X^i; X^-i) = TC + DTC (entropy bookkeeping, symbolic)"


@step
def li_cai_coefficient_and_c1():
    """(2^ceil(log2 s) - 1) <= 2(s - 1) for s >= 1 and s = ceil(L/T) gives coefficient/L < 2/T: C1 = 2."""
    for s in range(1, 4097):
        assert 2 ** math.ceil(math.log2(s)) - 1 <= 2 * (s - 1) or s == 1
    worst = Fraction(0)
    for L in range(1, 257):
        for T in range(1, L + 1):
            s = -(-L // T)
            coef = Fraction(2 ** (s - 1).bit_length() - 1, L)  # 2^ceil(log2 s) without floating point
            assert coef * T <= 2, (L, T)
            worst = max(worst, coef * T)
    halving = sum(2 ** j for j in range(0, 6))
    assert halving == 2 ** 6 - 1
    return (f"halving recursion sum_(j<k) 2^j = 2^k - 1; T (2^ceil(log2 ceil(L/T)) - 1)/L <= 2 for all 1 <= T <= L <= 256 "
            f"(max {float(worst):.4f}); C1 = 2 suffices")
