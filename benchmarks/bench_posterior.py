"""Masked forward-backward: the Numba kernel against a log-space NumPy forward-backward and hmmlearn.

Run: python benchmarks/bench_posterior.py  (hmmlearn is optional: pip install hmmlearn)
Prints medians and the ratio baseline / kernel measured in this run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import exactmdm as em  # noqa: E402
from benchmarks._timing import median_time  # noqa: E402
from tests.naive import log_forward_backward  # noqa: E402


def main():
    print(f"{'case':38s} {'kernel [s]':>11s} {'numpy-log [s]':>14s} {'ratio':>7s} {'hmmlearn [s]':>13s} {'ratio':>7s}")
    try:
        from hmmlearn.hmm import CategoricalHMM
    except ImportError:
        CategoricalHMM = None
    for states, vocab, length, batch in ((4, 4, 256, 64), (8, 4, 1024, 16), (16, 8, 4096, 4)):
        lang = em.HMM.random(states, vocab, seed=0, prune=0.05)
        x = lang.sample(batch, length, seed=1)
        rng = np.random.default_rng(0)
        xt = np.where(rng.random(x.shape) < 0.5, -1, x)
        full = x  # hmmlearn has no masking: compare on fully observed sequences (same O(L H^2) work)
        kernel = median_time(lambda: em.posterior(lang, xt))
        numpy_log = median_time(lambda: [log_forward_backward(lang, row) for row in xt], repeats=3)
        line = f"H={states:2d} V={vocab} L={length:5d} batch={batch:3d} (50% masked)"
        line += f" {kernel:11.4f} {numpy_log:14.4f} {numpy_log / kernel:7.1f}"
        if CategoricalHMM is not None:
            model = CategoricalHMM(n_components=states, init_params="", params="")
            model.n_features = vocab
            model.startprob_, model.transmat_, model.emissionprob_ = lang.initial, lang.transition, lang.emission
            flat = full.reshape(-1, 1)
            lengths = [length] * batch
            hmm_t = median_time(lambda: model.predict_proba(flat, lengths), repeats=3)
            kernel_full = median_time(lambda: em.posterior(lang, full))
            line += f" {hmm_t:13.4f} {hmm_t / kernel_full:7.1f}"
        print(line)


if __name__ == "__main__":
    main()
