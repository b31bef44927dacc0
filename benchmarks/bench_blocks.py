"""Block samplers (LLaDA's schedule, ``schedules.blocks``) at long L: the per-block revealed-set DP against the
whole-sequence revealed-set DP it replaces (ratio at equal L where both run), the block transfer against the
state-space engine (ratio at equal L), and the cost of both at gen_length 256 and 1024.

Run: python benchmarks/bench_blocks.py [--quick]   (medians over a few repeats, first call excluded)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import exactmdm as em  # noqa: E402
from benchmarks._timing import median_time  # noqa: E402

LANG = em.NGram.random(3, 2, seed=5, prune=0.2)


def per_block(quick: bool):
    print("log p(x) under LLaDA's blocks: per-block revealed-set DP vs one revealed-set DP over all 2^L sets (the")
    print("same steps as one block: what a DP that does not split the blocks costs); |diff| against the state-space")
    print("engine's p(x) for the blocks")
    print(f"{'L':>6s} {'B':>3s} {'per block [s]':>14s} {'one DP [s]':>11s} {'ratio':>8s} {'|diff|':>9s}")
    for gen, width in ((8, 2), (12, 3), (16, 4)):
        schedule, one = em.schedules.llada(gen, gen, width), em.schedules.fixed_sizes([1] * gen)
        x = LANG.sample(1, gen, seed=1)[0]
        fast = median_time(lambda: em.exact.sequence_logprob(LANG, x, schedule, method="revealed-set"))
        slow = median_time(lambda: em.exact.sequence_logprob(LANG, x, one, method="revealed-set"), repeats=3)
        diff = "-"
        if gen <= 8:  # the state-space engine enumerates the whole law
            law = em.exact.output_distribution(LANG, gen, schedule)
            diff = f"{abs(em.exact.sequence_prob(LANG, x, schedule) - law.probs[tuple(x)]):.1e}"
        print(f"{gen:6d} {width:3d} {fast:14.2e} {slow:11.2e} {slow / fast:8.1f} {diff:>9s}")
    for gen, steps, width in ((256, 128, 8), (1024, 512, 8)) + (() if quick else ((256, 256, 16),)):
        schedule = em.schedules.llada(gen, steps, width)
        x = LANG.sample(1, gen, seed=1)[0]
        seconds = median_time(lambda: em.exact.sequence_logprob(LANG, x, schedule), repeats=1 if width > 8 else 3)
        print(f"{gen:6d} {width:3d} {seconds:14.2e} {'-':>11s}")


def transfer(quick: bool):
    print("SER and KL under LLaDA's blocks: block transfer vs the state-space engine on the whole sequence")
    print(f"{'L':>6s} {'B':>3s} {'strategy':>10s} {'transfer [s]':>13s} {'engine [s]':>11s} {'ratio':>8s} "
          f"{'|SER diff|':>10s}")
    for gen, width in ((8, 2), (9, 3)):
        schedule = em.schedules.llada(gen, gen // 2 if width == 2 else gen, width)
        for strategy in ("random", "confidence"):
            fast = median_time(lambda: em.exact.block_metrics(LANG, gen, schedule, strategy=strategy))
            slow = median_time(lambda: em.exact.output_distribution(LANG, gen, schedule, strategy=strategy),
                               repeats=1 if strategy == "confidence" else 3)
            diff = abs(em.exact.block_metrics(LANG, gen, schedule, strategy=strategy).ser
                       - em.exact.output_distribution(LANG, gen, schedule, strategy=strategy).escaped)
            print(f"{gen:6d} {width:3d} {strategy:>10s} {fast:13.2e} {slow:11.2e} {slow / fast:8.1f} {diff:10.1e}")
    for gen, width in ((256, 4), (1024, 8)) + (() if quick else ((4096, 8),)):
        schedule = em.schedules.llada(gen, gen // 2, width)
        for strategy in ("random", "confidence"):
            seconds = median_time(lambda: em.exact.block_metrics(LANG, gen, schedule, strategy=strategy), repeats=3)
            print(f"{gen:6d} {width:3d} {strategy:>10s} {seconds:13.2e} {'-':>11s}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the largest sizes")
    quick = parser.parse_args().quick
    per_block(quick)
    print()
    transfer(quick)


if __name__ == "__main__":
    main()
