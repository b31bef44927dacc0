"""Results are bit-identical whatever the number of Numba threads (parallel kernels merge in a fixed order)."""

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json, numpy as np, exactmdm as em
from exactmdm.information import kl_rows
lang = em.HMM.random(3, 3, seed=5, prune=0.1)
chain = em.NGram.random(4, 2, seed=6, prune=0.1)
out = em.exact.output_distribution(lang, 5, em.schedules.iid(3, "cosine"), em.models.Perturbed(lang, 0.05))
xt = lang.sample(64, 40, seed=1)
xt[:, ::3] = -1
post = em.posterior(lang, xt)
print(json.dumps({"probs": out.probs.ravel().tolist(), "escaped": out.escaped, "post": post.ravel().tolist(),
                  "kl": kl_rows(post, np.full_like(post, 1 / 3)).ravel().tolist(),
                  "sample": lang.sample(32, 16, seed=2).ravel().tolist(),
                  "mc_hmm": em.montecarlo.sample(lang, 12, em.schedules.iid(4), num=64, seed=3).ravel().tolist(),
                  "mc_markov": em.montecarlo.sample(chain, 64, em.schedules.iid(8), num=64, seed=3).ravel().tolist(),
                  "gap_dp": em.exact.sequence_logprob(chain, chain.sample(1, 24, seed=4)[0], em.schedules.iid(5))}))
"""


def _run(threads: int) -> dict:
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_results_do_not_depend_on_the_thread_count():
    one, two = _run(1), _run(2)
    assert one == two  # exact equality of every float, not approx
