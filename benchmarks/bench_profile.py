"""Information profile and schedule design: the Markov profile against the enumeration profile (ratio at equal L
where both run) and its cost at L = 1024, 4096, 65536; the optimal-schedule DP (Monge divide and conquer) at
L = 4096, T = 256 and against the plain O(T L^2) DP in pure Python at a small size (ratio in the same run).

Run: python benchmarks/bench_profile.py [--quick]   (medians over a few repeats, first call excluded)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import exactmdm as em  # noqa: E402
from benchmarks._timing import median_time  # noqa: E402
from exactmdm.profile import profile  # noqa: E402
from exactmdm.schedule_design import optimal  # noqa: E402
from tests.naive_profile import optimal_dp_python  # noqa: E402


def profiles(quick: bool):
    lang = em.NGram.random(4, 2, seed=0, concentration=0.5)
    print("Markov profile vs enumeration profile (4-token chain)")
    print(f"{'L':>7s} {'markov [s]':>11s} {'enumeration [s]':>16s} {'ratio':>8s} {'max |diff|':>11s}")
    for length in (6, 8):
        fast = median_time(lambda: profile(lang, length, method="markov"))
        slow = median_time(lambda: profile(lang, length, method="enumeration"), repeats=3)
        diff = abs(profile(lang, length, method="markov").h - profile(lang, length, method="enumeration").h).max()
        print(f"{length:7d} {fast:11.2e} {slow:16.2e} {slow / fast:8.1f} {diff:11.1e}")
    for length in (1024, 4096) + (() if quick else (65536,)):
        repeats = 3 if length < 65536 else 1
        print(f"{length:7d} {median_time(lambda: profile(lang, length, method='markov'), repeats=repeats):11.2e}"
              f" {'-':>16s}")


def design(quick: bool):
    print("optimal sizes: Monge divide-and-conquer DP vs plain O(T L^2) DP in pure Python")
    print(f"{'L':>7s} {'T':>5s} {'D&C [s]':>10s} {'plain [s]':>10s} {'ratio':>8s} {'|KL diff|':>10s}")
    lang = em.NGram.random(4, 2, seed=0, concentration=0.5)
    small = profile(lang, 200 if quick else 400, method="markov")
    steps = 16
    fast = median_time(lambda: optimal(small, steps))
    slow = median_time(lambda: optimal_dp_python(small.h, steps), repeats=1, warmup=0)
    diff = abs(small.expected_kl(optimal(small, steps)) - optimal_dp_python(small.h, steps))
    print(f"{small.length:7d} {steps:5d} {fast:10.2e} {slow:10.2e} {slow / fast:8.0f} {diff:10.1e}")
    big = profile(lang, 4096, method="markov")
    print(f"{4096:7d} {256:5d} {median_time(lambda: optimal(big, 256), repeats=3):10.2e} {'-':>10s}")


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip L = 65536 and use a smaller plain-DP size")
    args = parser.parse_args(argv)
    profiles(args.quick)
    design(args.quick)


if __name__ == "__main__":
    main()
