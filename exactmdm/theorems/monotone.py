"""Search over a step count N for a predicate that is true up to some N and false beyond (SER falls with N)."""

from __future__ import annotations


def last_true(predicate, upper: int | None = None) -> int:
    """Largest N >= 1 with predicate(N) (0 if predicate(1) is false), by doubling then bisection.

    With ``upper``, N is searched in 1..upper and ``upper`` is returned when the predicate still holds there.
    """
    if not predicate(1):
        return 0
    lo, hi = 1, 2 if upper is None else min(2, upper)
    while hi > lo and predicate(hi):
        if hi == upper:
            return hi
        lo, hi = hi, 2 * hi if upper is None else min(2 * hi, upper)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if predicate(mid):
            lo = mid
        else:
            hi = mid
    return lo
