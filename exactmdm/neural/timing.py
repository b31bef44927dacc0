"""Wall time per generated sequence: the MDM sampler at N steps against the AR baseline (key-value cache)."""

from __future__ import annotations

import time

import torch

from ..errors import InvalidArgument
from ..schedules import iid
from .devices import resolve_device
from .sampler import sample
from .training import load_checkpoint


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def compare(mdm_run, ar_run, *, lengths, num_steps: int = 512, num: int = 8, repeats: int = 3, device="auto") -> list:
    """Median seconds per sequence of each at every L (a batch of ``num`` sequences, ``repeats`` runs).

    The networks are used at any L (rotary positions), trained or not: wall time depends on the
    architecture, not the weights. N steps of the MDM each call the network once on the whole sequence;
    the AR baseline makes L incremental calls."""
    device = resolve_device(device)
    mdm, _, _ = load_checkpoint(mdm_run, device)
    ar, _, _ = load_checkpoint(ar_run, device)
    if mdm.kind != "mdm" or ar.kind != "ar":
        raise InvalidArgument("timing takes a denoiser run first and an AR baseline run second.")
    rows = []
    for length in lengths:
        steps = min(num_steps, length)
        schedule = iid(steps)
        t_mdm = _median_time(lambda: sample(mdm, length, schedule, num=num, seed=0, device=device), repeats)
        t_ar = _median_time(lambda: ar.generate(num, length, seed=0), repeats)
        rows.append({"length": length, "steps": steps, "num": num, "device": str(device),
                     "mdm_seconds_per_sequence": t_mdm / num, "ar_seconds_per_sequence": t_ar / num,
                     "ratio_ar_over_mdm": t_ar / t_mdm})
    return rows
