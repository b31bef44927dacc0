"""What a computation costs, checked before it starts, and progress while it runs.

Exact methods are exponential somewhere (V^L sequences, 2^L revealed sets, L!/prod s! partitions), so
every entry point estimates its size in log space (no OverflowError at L = 1000) and refuses, before
allocating, anything beyond its budget with the estimate and the scalable method to use instead.
Allowed long runs report progress with a count and an ETA (tqdm on stderr), which callers can quiet.
"""

from __future__ import annotations

import math
import sys
from contextlib import contextmanager

from .errors import EnumerationTooLarge, format_bytes

__all__ = ["DEFAULT_MAX_ENTRIES", "DEFAULT_MAX_WORK", "check_enumeration_size", "check_work", "log_power",
           "progress_bar"]

DEFAULT_MAX_ENTRIES = 1 << 26
"""Largest dense table (entries) an exact method allocates by default: 512 MiB of float64."""

DEFAULT_MAX_WORK = 3e10
"""Largest number of elementary operations an exact method starts by default: minutes on one laptop core."""

_SECONDS_PER_OP = 2e-8  # measured order of the engines' inner loops (benchmarks/bench_engines.py), for messages only
SECONDS_PER_MULTIPLY_ADD = 2e-10  # the Markov DPs' vectorised loops on one core (benchmarks/bench_long.py)


def log_power(base: float, exponent: float) -> float:
    """log(base ** exponent) without forming the power (so 3 ** 1000 does not overflow)."""
    return exponent * math.log(base) if base > 0 else -math.inf


def _describe(log_count: float) -> str:
    return f"{math.exp(log_count):.3g}" if log_count < math.log(1e15) else f"10^{log_count / math.log(10):.0f}"


def check_enumeration_size(num_entries: float, what: str, bytes_per_entry: int, max_entries: int, alternative: str, *,
                           log_entries: float | None = None,
                           override: str = "Or pass a larger max_entries if you have the memory."):
    """Refuse, before allocating, an enumeration of more than ``max_entries`` entries.

    Give ``log_entries`` (natural log of the count) where the count itself may overflow a float; ``override``
    says how the caller can raise the budget ("" where it cannot, e.g. on the command line).
    """
    log_n = math.log(num_entries) if log_entries is None and num_entries > 0 else log_entries
    if log_n is not None and log_n > math.log(max_entries):
        log_bytes = log_n + math.log(bytes_per_entry)
        size = (f"about {format_bytes(math.exp(log_bytes))}" if log_bytes < math.log(1e21)
                else "far more memory than any computer has")
        raise EnumerationTooLarge(
            f"{what} needs {_describe(log_n)} entries ({size}), more than the budget of {max_entries:.3g} entries. "
            f"{alternative} {override}".rstrip()
        )


def check_work(log_ops: float, what: str, max_work: float, alternative: str, *, seconds_per_op: float = _SECONDS_PER_OP):
    """Refuse, before starting, a computation of more than ``max_work`` elementary operations (``seconds_per_op``
    on one core, for the message: vectorised multiply-adds cost far less than a generic engine step)."""
    if log_ops > math.log(max_work):
        seconds = math.exp(log_ops) * seconds_per_op if log_ops < 700 else math.inf
        when = f"about {seconds / 3600:.3g} hours" if seconds < 1e9 else "longer than any computer can run"
        raise EnumerationTooLarge(
            f"{what} needs about {_describe(log_ops)} operations ({when} on one core), more than "
            f"max_work={max_work:.3g}. {alternative} Or pass a larger max_work if you mean to wait."
        )


@contextmanager
def progress_bar(total: int, description: str, enabled: bool = True):
    """A tqdm bar on stderr with count, rate and ETA; a no-op object when ``enabled`` is False."""
    if not enabled:
        yield _Silent()
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=description, file=sys.stderr, leave=False, dynamic_ncols=True)
    try:
        yield bar
    finally:
        bar.close()


class _Silent:
    def update(self, n: int = 1):
        pass

    def set_postfix_str(self, text: str):
        pass
