"""Every figure of the documentation, from one script: python docs/make_figures.py [--out docs/figures].

The SER transition and eps_total use the exact closed forms of the letter-pair chain; Li & Cai's figure runs
the check's long-L Monte Carlo table (seeded); the heatmap is one exact posterior.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import exactmdm as em
from exactmdm import plot
from exactmdm.exact.letter_pair import log_correct_uniform
from exactmdm.theorems import run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(Path(__file__).parent / "figures"))
    out = Path(parser.parse_args().out)
    ser = run("theorem_ser", max_length=512, lengths=[16, 64, 256, 1024], c_grid=[0.5, 1.0], mc_samples=100)
    print(plot.FIGURES["theorem_ser"](ser, out / "ser_transition.png"))
    lengths, steps = [64, 256, 1024, 4096], [16, 64, 256, 1024, 4096]
    print(plot.eps_total_against_steps(lengths, steps, [[100 * math.expm1(-log_correct_uniform(L, N) / L) for N in steps]
                                                        for L in lengths], out / "eps_total.png",
                                       title="letter-pair chain, oracle: eps_total against N (exact)"))
    li_cai = run("theorem_li_cai", families=["ngram2-V2"], seeds=[0], length=4, random_schedules=0,
                 long_families=["ngram2-V2", "ngram2-V3"], long_lengths=[256], samples=64)
    print(plot.FIGURES["theorem_li_cai"](li_cai, out / "li_cai.png"))
    lang = em.languages.counterexample16()
    print(plot.posterior_heatmap(lang, [5, em.MASK, em.MASK, 10, em.MASK, 3], out / "posterior_heatmap.png"))


if __name__ == "__main__":
    main()
