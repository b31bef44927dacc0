"""Long lengths: the Markov gap DP against the revealed-set DP and the state-space engine (agreement and
speed), its cost at the issue's target size, the Markov SER DP at its target size, the exact E_M KL of
fixed-partition samplers on a Markov chain (against the enumeration and Monte Carlo), and Monte Carlo
throughput against the straightforward sampler that recomputes a log-space forward-backward over the
whole sequence at every step.

Run: python benchmarks/bench_long.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import exactmdm as em  # noqa: E402
from benchmarks._timing import median_time  # noqa: E402
from tests import naive  # noqa: E402


def gap_dp_against_the_other_engines():
    print("Markov gap DP vs revealed-set DP vs state-space engine: p(x) of one sequence (oracle, i.i.d. linear)")
    print(f"{'case':22s} {'gap DP [s]':>11s} {'revealed [s]':>13s} {'engine [s]':>11s} {'rev/gap':>8s} {'eng/gap':>8s}"
          f" {'max rel diff':>13s}")
    for vocab, length, steps in ((2, 8, 4), (3, 7, 6), (2, 12, 8), (3, 14, 8)):
        lang = em.NGram.random(vocab, 2, seed=0, prune=0.1)
        sch = em.schedules.iid(steps)
        x = lang.sample(1, length, seed=1)[0]
        gap = median_time(lambda: em.exact.sequence_prob(lang, x, sch, method="gap-dp"))
        rev = median_time(lambda: em.exact.sequence_prob(lang, x, sch, method="revealed-set"), repeats=3)
        values = [em.exact.sequence_prob(lang, x, sch, method=m) for m in ("gap-dp", "revealed-set")]
        try:
            eng = median_time(lambda: em.exact.output_distribution(lang, length, sch), repeats=1)
            values.append(em.exact.output_distribution(lang, length, sch).probs[tuple(x)])
            eng_text, ratio = f"{eng:11.4f}", f"{eng / gap:8.0f}"
        except em.errors.EnumerationTooLarge:
            eng_text, ratio = f"{'refused':>11s}", f"{'-':>8s}"
        diff = max(abs(v - values[0]) / values[0] for v in values)
        print(f"V={vocab} L={length} N={steps:<10d} {gap:11.4f} {rev:13.4f} {eng_text} {rev / gap:8.0f} {ratio} {diff:13.2e}")


def gap_dp_target(quick: bool):
    print()
    print("gap DP cost: exact log p(x) of one sequence, V=8 2-gram, oracle, i.i.d. linear (target: L=256, N=64 < 2 s)")
    print(f"{'L':>5s} {'N':>5s} {'time [s]':>9s} {'L^4 N/24':>10s} {'ns/op':>7s}")
    lang = em.NGram.random(8, 2, seed=1, prune=0.05)
    cases = ((64, 16), (128, 32)) if quick else ((64, 16), (128, 32), (192, 48), (256, 64))
    for length, steps in cases:
        x = lang.sample(1, length, seed=3)[0]
        t = median_time(lambda: em.exact.sequence_logprob(lang, x, em.schedules.iid(steps)), repeats=1)
        ops = length ** 4 * steps / 24
        print(f"{length:5d} {steps:5d} {t:9.3f} {ops:10.3g} {1e9 * t / ops:7.2f}")


def ser_dp(quick: bool):
    print()
    print("Markov SER DP: exact SER of a V=8 2-gram (prune 0.1), oracle, i.i.d. linear (target: L=256, N=64 < 60 s)")
    lang = em.NGram.random(8, 2, seed=1, prune=0.1)
    small = (6, 3)
    sch = em.schedules.iid(small[1])
    dp = median_time(lambda: em.exact.ser(lang, small[0], sch, method="markov-dp"), repeats=3)
    engine = median_time(lambda: em.exact.ser(lang, small[0], sch, method="state-space"), repeats=1)
    diff = abs(em.exact.ser(lang, small[0], sch, method="markov-dp") - em.exact.ser(lang, small[0], sch,
                                                                                   method="state-space"))
    print(f"L={small[0]} N={small[1]}: SER DP {dp:.4f} s, state-space engine {engine:.4f} s "
          f"(engine/DP {engine / dp:.0f}x), |difference| {diff:.1e}")
    print(f"{'L':>5s} {'N':>5s} {'SER':>10s} {'time [s]':>9s} {'(V+1)^2 V^2 L^3 N/6':>20s} {'ns/op':>7s}")
    cases = ((64, 16),) if quick else ((64, 16), (128, 32), (256, 64))
    for length, steps in cases:
        schedule = em.schedules.iid(steps)
        value = []
        t = median_time(lambda: value.append(em.exact.ser(lang, length, schedule, method="markov-dp")), repeats=1)
        ops = em.exact.markov_ser.work(8, length, steps)
        print(f"{length:5d} {steps:5d} {value[0]:10.6f} {t:9.2f} {ops:20.3g} {1e9 * t / ops:7.3f}")


def partition_kl(quick: bool):
    from exactmdm.exact.partition import expected_partition_kl, markov_partition_kl

    print()
    print("E_M KL(q || p_M) of fixed-partition samplers, oracle, V=4 2-gram, balanced sizes: nearest-neighbour "
          "formula (exact, O(L^2)) against the enumeration of all ordered partitions and against Monte Carlo")
    lang = em.NGram.random(4, 2, seed=2)
    sizes = [2, 2, 2]
    fast = median_time(lambda: markov_partition_kl(lang, sizes), repeats=5)
    slow = median_time(lambda: expected_partition_kl(lang, sizes), repeats=1)
    diff = abs(markov_partition_kl(lang, sizes) - expected_partition_kl(lang, sizes).kl_nats)
    print(f"L=6 sizes {sizes}: formula {fast:.5f} s, enumeration {slow:.3f} s ({slow / fast:.0f}x), "
          f"|difference| {diff:.1e} nats")
    length, steps, num = 256, 16, 64
    sch = em.schedules.balanced_sizes(length, steps)
    est = []
    mc = median_time(lambda: est.append(em.montecarlo.kl_per_token(lang, length, sch, num=num, seed=0, base="nats",
                                                                    method="path")), repeats=1)
    exact = markov_partition_kl(lang, sch)
    e = est[0]
    print(f"L={length} T={steps}: exact {exact:.6f} nats in {median_time(lambda: markov_partition_kl(lang, sch)):.4f} s;"
          f" Monte Carlo ({num} draws) {e.value * length:.4f} [{e.low * length:.4f}, {e.high * length:.4f}] in {mc:.2f} s")
    print(f"{'L':>5s} {'T':>5s} {'E_M KL [nats]':>14s} {'time [s]':>9s}")
    for length in ((256, 1024) if quick else (256, 1024, 4096)):
        sch = em.schedules.balanced_sizes(length, length // 16)
        value = []
        t = median_time(lambda: value.append(markov_partition_kl(lang, sch)), repeats=3)
        print(f"{length:5d} {length // 16:5d} {value[0]:14.6f} {t:9.3f}")


def baseline_sampler(lang, length, schedule, num, seed):
    """The straightforward oracle sampler: at every step, a log-space forward-backward over the whole
    sequence for every sequence (numpy logaddexp), then i.i.d. unmasking and token draws."""
    hmm = lang.as_hmm()
    rng = np.random.default_rng(seed)
    states = np.full((num, length), -1)
    for r in schedule.rates:
        for b in range(num):
            post = naive.log_forward_backward(hmm, states[b])
            reveal = (states[b] < 0) & (rng.random(length) < r)
            for j in np.flatnonzero(reveal):
                states[b, j] = rng.choice(hmm.vocab_size, p=post[j] / post[j].sum())
    return states


def sampler_throughput(quick: bool):
    print()
    print("Monte Carlo throughput, oracle, i.i.d. linear schedule (sequences per second; median of runs)")
    lang27 = em.NGram.random(27, 2, seed=2, prune=0.0)  # unpruned: the baseline has no escape handling
    length, steps, batch = 128, 128, 128
    sch = em.schedules.iid(steps)
    em.montecarlo.sample(lang27, length, sch, num=4, seed=0)
    fast = median_time(lambda: em.montecarlo.sample(lang27, length, sch, num=batch, seed=0), repeats=3)
    base_num = 2 if quick else 8
    base = median_time(lambda: baseline_sampler(lang27, length, sch, base_num, 0), repeats=1, warmup=0) / base_num
    print(f"V=27 chain, L={length}, N={steps}, batch {batch}: exactmdm {batch / fast:10.1f} seq/s, per-step "
          f"forward-backward baseline {1 / base:8.2f} seq/s ({base_num} sequences), ratio {base * batch / fast:8.0f} "
          f"(target >= 50)")
    lang8 = em.NGram.random(8, 2, seed=1, prune=0.05)
    sch = em.schedules.iid(256)
    em.montecarlo.sample(lang8, 64, sch, num=4, seed=0)
    num = 256 if quick else 1024
    t = median_time(lambda: em.montecarlo.sample(lang8, 1024, sch, num=num, seed=0), repeats=3)
    print(f"V=8 2-gram, L=1024, N=256: {num / t:10.1f} seq/s (target >= 100)")
    hmm = em.HMM.random(8, 8, seed=1, prune=0.05)
    t = median_time(lambda: em.montecarlo.sample(hmm, 256, em.schedules.iid(64), num=256, seed=0), repeats=1)
    print(f"HMM H=8 V=8 (general path, batched forward-backward per step), L=256, N=64: {256 / t:10.1f} seq/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    args = parser.parse_args()
    print(f"exactmdm {em.__version__}; {time.strftime('%Y-%m-%d')}; numba threads: "
          f"{__import__('numba').get_num_threads()}")
    gap_dp_against_the_other_engines()
    gap_dp_target(args.quick)
    ser_dp(args.quick)
    partition_kl(args.quick)
    sampler_throughput(args.quick)
    print(f"(log p computed in nats; {math.log(2):.4f} nats per bit)")
