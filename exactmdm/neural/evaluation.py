"""A trained denoiser measured against the exact language: its learning error, its SER and KL, the oracle
sampler's at the same (L, N), and the theorems' bounds evaluated at the measured learning error.

Per length L:
- eps_learning over the forward process (x0 ~ q, t ~ U(0, 1), linear schedule): the max and mean KL
  (nats and bits) from the exact posterior at masked positions; the max is a lower bound on Assumption
  4.1's supremum. The same over the sampler's own trajectories (states the network visits while
  generating, where they are still support-consistent).
Per (L, N) with the linear i.i.d. schedule, and at N = L with one token per step (Theorem 4.3's setting):
- SER of the network's sampler (torch) and of the oracle (``exactmdm.montecarlo``), Clopper-Pearson
  intervals;
- KL(q || p)/L in bits: the path-KL upper bound (``montecarlo.kl_per_token(method="path")``) for both, with
  the network's per-step learning terms; eps_total = 2^(KL/L) - 1 (Feng et al.'s TER gap);
- bounds at the measured error: Theorem 4.2's right side read as (oracle KL/L) + eps_learning (bits), its
  schedule term measured by the oracle; Theorem 4.3's 1 - exp(-L eps) at N = L.
At lengths the exact engines reach (``exact_max_length``), SER and KL of the network are exact: the
network is passed to ``exactmdm.exact.output_distribution`` as a reverse model.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from .. import exact, metrics, montecarlo
from ..cost import progress_bar
from ..inference import posterior_batch
from ..information import kl_rows
from ..schedules import fixed_sizes, iid
from ..information import clamp_rounding
from ..provenance import package_versions
from ..validation import as_int
from .devices import resolve_device
from .models import as_reverse_model
from .sampler import sample
from .training import activation_bytes, check_memory

LN2 = math.log(2.0)


@dataclass
class Evaluation:
    """Rows of measurements (dicts) and the learning errors per length; ``to_dict`` is the JSON record."""

    network: dict
    language: dict
    learning: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"network": self.network, "language": self.language, "learning_error": self.learning,
                "rows": self.rows, **self.meta}

    @classmethod
    def from_dict(cls, data: dict) -> "Evaluation":
        """The inverse of ``to_dict`` (for tables and figures from a saved record)."""
        data = dict(data)
        return cls(data.pop("network"), data.pop("language"), data.pop("learning_error"), data.pop("rows"), data)

    def write_json(self, path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2, default=float))

    def table(self) -> str:
        lines = ["learning error (nats; max is a lower bound on the supremum):",
                 f"{'L':>6} {'where':>12} {'max':>10} {'mean':>10} {'states':>8}"]
        for e in self.learning:
            lines.append(f"{e['length']:>6} {e['where']:>12} {e['max_nats']:>10.4g} {e['mean_nats']:>10.4g} {e['states']:>8}")
        lines += ["", f"{'L':>6} {'N':>6} {'schedule':>13} {'method':>8} {'SER net [interval]':>28} "
                  f"{'SER oracle [interval]':>28} {'KL/L net':>10} {'KL/L orc':>10} {'eps_tot%':>9} {'bound':>10}"]
        for r in self.rows:
            ser_n = _interval(r["ser_network"])
            ser_o = _interval(r["ser_oracle"])
            bound = r.get("ter_bound_bits") if r["schedule"] == "iid-linear" else r.get("ser_bound")
            lines.append(f"{r['length']:>6} {r['steps']:>6} {r['schedule']:>13} {r['method']:>8} {ser_n:>28} {ser_o:>28} "
                         f"{_num(r['kl_bits_network']):>10} {_num(r['kl_bits_oracle']):>10} "
                         f"{_num(r['eps_total_percent_network']):>9} {_num(bound):>10}")
        lines.append("KL/L in bits per token (network: path-KL upper bound unless method is exact); bound: Thm 4.2's "
                     "oracle KL/L + eps_learning (bits) on i.i.d. rows, Thm 4.3's 1 - exp(-L eps) on one-per-step rows.")
        return "\n".join(lines)


def _num(value) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _interval(est) -> str:
    if est is None:
        return "n/a"
    if "low" not in est:
        return f"{est['value']:.4g} (exact)"
    return f"{est['value']:.4g} [{est['low']:.3g}, {est['high']:.3g}]"


def forward_learning_error(model, lang, length: int, *, samples: int, seed: int) -> dict:
    """eps_learning over forward-process states (``metrics.sampled_eps_learning``) as a dict in nats and bits."""
    e = metrics.sampled_eps_learning(lang, model, length, samples=samples, seed=seed)
    return {"length": length, "where": "forward", "max_nats": e.max_nats, "mean_nats": e.mean_nats,
            "max_bits": e.max_nats / LN2, "mean_bits": e.mean_nats / LN2, "stderr_nats": e.stderr_nats,
            "states": e.samples, "seed": seed}


def trajectory_learning_error(network, lang, length: int, schedule, *, num: int, seed: int, device="cpu") -> dict:
    """eps_learning over the states the network's own sampler visits (those still support-consistent)."""
    worst, total, states = 0.0, 0.0, 0

    def on_step(record):
        nonlocal worst, total, states
        host = np.ascontiguousarray(record.xt.cpu().numpy())
        truth, log_ev = posterior_batch(lang, host)
        ok = log_ev > -np.inf  # support-consistent states: the posterior exists (as the Monte Carlo sampler decides)
        if not ok.any():
            return
        truth = truth[ok]
        terms = kl_rows(truth, record.probs[torch.as_tensor(ok, device=record.probs.device)].cpu().numpy())
        masked = host[ok] < 0
        worst = max(worst, float(terms[masked].max(initial=0.0)))
        per_state = (terms * masked).sum(axis=1) / np.maximum(masked.sum(axis=1), 1)
        total += float(per_state.sum())
        states += int(ok.sum())

    sample(network, length, schedule, num=num, seed=seed, device=device, on_step=on_step)
    mean = total / max(states, 1)
    return {"length": length, "where": "trajectory", "schedule": schedule.describe(), "max_nats": worst,
            "mean_nats": mean, "max_bits": worst / LN2, "mean_bits": mean / LN2, "states": states, "seed": seed}


def evaluate(network, lang, *, lengths=(16, 64), steps=(4, 16, 64), num: int = 400, kl_samples: int = 64,
             eps_samples: int = 400, trajectory_samples: int = 32, exact_max_length: int = 5, seed: int = 0,
             device="auto", confidence: float = 0.99, progress: bool = True, config: dict | None = None) -> Evaluation:
    """Measure ``network`` on ``lang`` over ``lengths`` x ``steps`` (see the module docstring); seeded."""
    model = as_reverse_model(network, lang)
    lengths = [as_int(v, "lengths", minimum=1) for v in lengths]
    steps = [as_int(v, "steps", minimum=1) for v in steps]
    for name, value in (("num", num), ("kl_samples", kl_samples), ("eps_samples", eps_samples)):
        as_int(value, name, minimum=2)
    sampled = [L for L in lengths if L > exact_max_length]  # the exact engines refuse their own sizes
    if sampled:
        check_memory(evaluation_bytes(network.config, max(sampled), num, eps_samples),
                     f"evaluating at L={max(sampled)} with num={num} and eps_samples={eps_samples}",
                     "Lower the lengths, num or eps_samples.", resolve_device(device))
    seeds = iter(np.random.SeedSequence(as_int(seed, "seed", minimum=0)).generate_state(4 * len(lengths) * (len(steps) + 4)))
    nxt = lambda: int(next(seeds))  # noqa: E731
    began = time.perf_counter()
    report = Evaluation(model.describe(), lang.describe(),
                        meta={"seed": seed, "device": str(device), "confidence": confidence, "config": config or {},
                              "versions": package_versions(torch=True)})
    jobs = [(L, N) for L in lengths for N in steps] + [(L, L) for L in lengths]
    with progress_bar(len(jobs), "evaluating", progress) as bar:
        for L in lengths:
            fwd = forward_learning_error(model, lang, L, samples=eps_samples, seed=nxt())
            traj = trajectory_learning_error(network, lang, L, iid(max(steps)), num=trajectory_samples, seed=nxt(),
                                             device=device)
            report.learning += [fwd, traj]
            eps_bits, eps_nats = fwd["max_bits"], fwd["max_nats"]
            for N, schedule, name in [(N, iid(N), "iid-linear") for N in steps] + [(L, fixed_sizes([1] * L), "one-per-step")]:
                row = {"length": L, "steps": N, "schedule": name}
                if L <= exact_max_length:
                    row.update(_exact_row(lang, L, schedule, model))
                else:
                    row.update(_sampled_row(network, model, lang, L, schedule, num, kl_samples, confidence, device, nxt))
                kl_o = row["kl_bits_oracle"]
                row["ter_bound_bits"] = None if kl_o is None else kl_o + eps_bits
                row["ser_bound"] = -math.expm1(-L * eps_nats) if name == "one-per-step" else None
                row["eps_learning_used"] = {"max_nats": eps_nats, "max_bits": eps_bits, "from": "forward-process states"}
                report.rows.append(row)
                bar.update(1)
    report.meta["seconds"] = time.perf_counter() - began
    return report


def evaluation_bytes(network_config: dict, length: int, num: int, eps_samples: int) -> float:
    """Estimated peak memory of evaluating at length ``length``: the network's forward pass on a batch (the
    sampler's batches of at most 256, or the ``eps_samples`` forward-process states at once) and the float64
    posteriors and model rows over V + 1 symbols of the Monte Carlo sampler and of eps_learning."""
    batch = max(eps_samples, min(num, 256))
    rows = 24.0 * max(num, eps_samples) * length * (network_config["vocab_size"] + 1)
    return activation_bytes(network_config, float(batch) * length, backward=False) + rows


def _exact_row(lang, length, schedule, model) -> dict:
    net = exact.output_distribution(lang, length, schedule, model)
    orc = exact.output_distribution(lang, length, schedule)
    kl_n, kl_o = clamp_rounding(metrics.kl(lang, net) / length), clamp_rounding(metrics.kl(lang, orc) / length)
    return {"method": "exact", "ser_network": {"value": metrics.ser(lang, net)},
            "ser_oracle": {"value": metrics.ser(lang, orc)}, "kl_bits_network": kl_n, "kl_bits_oracle": kl_o,
            "kl_kind": "exact", "eps_total_percent_network": 100 * math.expm1(kl_n * LN2),
            "eps_total_percent_oracle": 100 * math.expm1(kl_o * LN2)}


def _sampled_row(network, model, lang, length, schedule, num, kl_samples, confidence, device, nxt) -> dict:
    tokens = sample(network, length, schedule, num=num, seed=nxt(), device=device)
    ser_n = montecarlo.ser_of_samples(lang, tokens.cpu().numpy(), confidence).to_dict()
    ser_o = montecarlo.ser(lang, length, schedule, num=num, seed=nxt(), confidence=confidence).to_dict()
    kl_n = montecarlo.kl_per_token(lang, length, schedule, model, num=kl_samples, seed=nxt(), confidence=confidence,
                                   method="path")
    # The same estimator for both (the path-KL upper bound): comparable, and affordable at every L and N.
    kl_o = montecarlo.kl_per_token(lang, length, schedule, num=kl_samples, seed=nxt(), confidence=confidence,
                                   method="path")
    return {"method": "sampled", "ser_network": ser_n, "ser_oracle": ser_o, "kl_bits_network": kl_n.value,
            "kl_bits_oracle": kl_o.value, "kl_network": kl_n.to_dict(), "kl_oracle": kl_o.to_dict(),
            "eps_total_percent_network": 100 * math.expm1(kl_n.value * LN2),
            "eps_total_percent_oracle": 100 * math.expm1(kl_o.value * LN2)}


def plot(report: Evaluation, path) -> Path:
    """SER and KL/L against N per length, network beside oracle (matplotlib, the ``[plot]`` extra)."""
    from ..plot import check_path, require_matplotlib

    path = check_path(path)
    plt = require_matplotlib()
    fig, (ax_ser, ax_kl) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for L in sorted({r["length"] for r in report.rows}):
        rows = sorted((r for r in report.rows if r["length"] == L and r["schedule"] == "iid-linear"), key=lambda r: r["steps"])
        if not rows:
            continue
        ns = [r["steps"] for r in rows]
        line, = ax_ser.plot(ns, [r["ser_network"]["value"] for r in rows], "o-", label=f"network, L={L}")
        ax_ser.plot(ns, [r["ser_oracle"]["value"] for r in rows], "s--", color=line.get_color(), alpha=0.6,
                    label=f"oracle, L={L}")
        ax_kl.plot(ns, [r["kl_bits_network"] for r in rows], "o-", color=line.get_color(), label=f"network, L={L}")
        ax_kl.plot(ns, [r["kl_bits_oracle"] for r in rows], "s--", color=line.get_color(), alpha=0.6)
        ax_kl.plot(ns, [r["ter_bound_bits"] for r in rows], ":", color=line.get_color(), alpha=0.8)
    ax_ser.axhline(0.5, color="grey", lw=0.8)
    ax_ser.set(xscale="log", xlabel="steps N", ylabel="SER", title="sequence error rate (i.i.d. linear)")
    ax_kl.set(xscale="log", yscale="log", xlabel="steps N", ylabel="KL(q||p)/L [bits/token]",
              title="KL per token (dotted: oracle + eps_learning)")
    ax_ser.legend(fontsize=7)
    ax_kl.legend(fontsize=7)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
