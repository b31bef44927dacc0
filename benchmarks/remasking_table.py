"""Exact SER and KL(q || p) of random against confidence-based remasking at equal steps (the tables in
docs/samplers.md): ``python benchmarks/remasking_table.py``. Every number is exact (state-space engine with
the joint draws enumerated; at long L, LLaDA's blocks by the block transfer); nothing is sampled."""

from __future__ import annotations

import math
import time

import exactmdm as em
from exactmdm.information import clamp_rounding

CASES = [
    ("counterexample16", em.languages.counterexample16(), 4),
    ("ngram2-V3 seed 0", em.NGram.random(3, 2, seed=0, prune=0.1), 5),
    ("ngram3-V2 seed 1", em.NGram.random(2, 3, seed=1, prune=0.1), 5),
    ("hmm3-V3 seed 2", em.HMM.random(3, 3, seed=2, prune=0.1), 5),
]
STRATEGIES = ("random", "confidence", "margin", "entropy")


def main():
    print("| language | L | schedule | " + " | ".join(f"{s} SER / KL [nats]" for s in STRATEGIES) + " |")
    print("|---|---|---|" + "---|" * len(STRATEGIES))
    start = time.perf_counter()
    for name, lang, length in CASES:
        for schedule in (em.schedules.balanced_sizes(length, 2), em.schedules.balanced_sizes(length, length - 1),
                         em.schedules.iid(2)):
            cells = []
            for strategy in STRATEGIES:
                out = em.exact.output_distribution(lang, length, schedule, strategy=strategy)
                kl = clamp_rounding(em.metrics.kl(lang, out, base="nats"))
                cells.append(f"{out.escaped:.4f} / {kl:.4f}" if math.isfinite(kl) else f"{out.escaped:.4f} / inf")
            label = (f"fixed {list(schedule.sizes)}" if schedule.kind == "fixed_sizes"
                     else f"iid linear N={schedule.num_steps}")
            print(f"| {name} | {length} | {label} | " + " | ".join(cells) + " |")
    print(f"\n({time.perf_counter() - start:.1f} s)\n")
    long_llada()


LLADA_RULES = (("random", 1.0), ("confidence", 1.0), ("confidence", 0.0))


def long_llada(gen_lengths=(64, 1024), width: int = 4):
    """LLaDA at long gen_length in blocks of 4, no prompt: exact SER and KL per token (nats) by the block transfer."""
    print(f"LLaDA, block_length = {width}, oracle: SER / KL per token [nats]\n")
    print("| language | gen_length | steps | " + " | ".join(f"{s}, T = {t:g}" for s, t in LLADA_RULES) + " |")
    print("|---|---|---|" + "---|" * len(LLADA_RULES))
    start = time.perf_counter()
    for (name, lang, _), gen_length in ((case, n) for case in CASES for n in gen_lengths):
        if lang.token_chain() is None:
            continue
        for per_block in (width, width // 2):
            schedule = em.schedules.llada(gen_length, per_block * gen_length // width, width)
            cells = []
            for strategy, temperature in LLADA_RULES:
                m = em.exact.llada_metrics(lang, gen_length, schedule, strategy=strategy, temperature=temperature)
                cells.append(f"{m.ser:.4f} / {m.kl_per_token:.4f}" if math.isfinite(m.kl) else f"{m.ser:.4f} / inf")
            print(f"| {name} | {gen_length} | {schedule.steps} ({width // per_block} per step) | " + " | ".join(cells)
                  + " |")
    print(f"\n({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
