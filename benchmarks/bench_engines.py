"""Exact engines: the state-space engine against the literal step-by-step enumeration (tests/naive.py),
the revealed-set DP against the engine, and each engine's cost against its operation count.

Run: python benchmarks/bench_engines.py [--limits]
  --limits  also search the largest L each engine finishes within 60 s for a few (V, N).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import exactmdm as em  # noqa: E402
from benchmarks._timing import median_time  # noqa: E402
from tests import naive  # noqa: E402


def reference_ratios():
    print("state-space engine vs literal enumeration (float64 reference, same inputs)")
    print(f"{'case':34s} {'engine [s]':>11s} {'reference [s]':>14s} {'ratio':>8s}")
    for vocab, length, steps in ((2, 4, 3), (3, 4, 3), (2, 5, 4)):
        lang = em.NGram.random(vocab, 2, seed=0, prune=0.1)
        sch = em.schedules.iid(steps)
        q = naive.joint(lang, length)
        engine = median_time(lambda: em.exact.output_distribution(lang, length, sch))
        ref = median_time(lambda: naive.output_distribution(q, length, vocab, sch, naive.oracle_fn(q, vocab)),
                          repeats=1, warmup=0)
        print(f"V={vocab} L={length} N={steps} (2-gram){'':14s} {engine:11.4f} {ref:14.4f} {ref / engine:8.0f}")
    print()
    print("revealed-set DP (one sequence) vs the engine (all sequences), and cost per operation")
    print(f"{'case':30s} {'DP [s]':>9s} {'engine [s]':>11s} {'(2V+1)^L N':>12s} {'ns/op engine':>13s} {'3^L N':>10s}"
          f" {'ns/op DP':>9s}")
    for vocab, length, steps in ((3, 6, 4), (4, 6, 6), (2, 9, 8)):
        lang = em.HMM.random(3, vocab, seed=1, prune=0.1)
        sch = em.schedules.iid(steps)
        x = lang.sample(1, length, seed=2)[0]
        dp = median_time(lambda: em.exact.sequence_prob(lang, x, sch), repeats=3)
        engine = median_time(lambda: em.exact.output_distribution(lang, length, sch), repeats=3)
        ops_engine = (2 * vocab + 1) ** length * steps
        ops_dp = 3 ** length * steps
        print(f"V={vocab} L={length} N={steps} (hmm3){'':12s} {dp:9.4f} {engine:11.4f} {ops_engine:12.3g} "
              f"{1e9 * engine / ops_engine:13.1f} {ops_dp:10.3g} {1e9 * dp / ops_dp:9.1f}")


def limits(budget: float = 60.0):
    print()
    print(f"largest L finished within {budget:.0f} s (oracle, i.i.d. linear schedule, random pruned 2-gram)")
    for name, run in (("state-space engine", lambda lang, L, N: em.exact.output_distribution(
            lang, L, em.schedules.iid(N), max_states=1 << 28)),
                      ("revealed-set DP", lambda lang, L, N: em.exact.sequence_prob(
                          lang, lang.sample(1, L, seed=0)[0], em.schedules.iid(N)))):
        for vocab, steps in ((2, 8), (4, 8), (4, 32)):
            lang = em.NGram.random(vocab, 2, seed=0, prune=0.1)
            best, L = None, 2
            while True:
                start = time.perf_counter()
                try:
                    run(lang, L, steps)
                except em.errors.EnumerationTooLarge:
                    break
                elapsed = time.perf_counter() - start
                if elapsed > budget:
                    break
                best = (L, elapsed)
                if elapsed > budget / 4:
                    break
                L += 1
            print(f"  {name:20s} V={vocab} N={steps:3d}: L={best[0]} in {best[1]:.1f} s")


if __name__ == "__main__":
    reference_ratios()
    if "--limits" in sys.argv:
        limits()
