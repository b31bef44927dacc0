"""The PyTorch path's experiments (docs/neural.md): trained denoisers beside the oracle and the bounds.

    python benchmarks/neural_experiments.py [--out docs/neural] [--runs runs] [--device auto] [--scale cpu|gpu]

(a) eps_total = TER(p)/TER(q) - 1 of trained denoisers on 2-, 3-, 4-gram languages against N, beside the
    oracle sampler (Feng et al.'s TER table); (b) SER against N at fixed L and at N = L, for the 16-symbol
    counterexample and a random HMM; (c) wall time per sequence of the MDM at 512 steps against the AR
    baseline. Training runs are checkpointed under --runs and resumed if the script is re-run. Writes
    JSON records and PNG figures under --out and prints the tables as markdown.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from pathlib import Path

import torch

from exactmdm.exact import letter_pair
from exactmdm.neural import TrainConfig, resolve_device, train
from exactmdm.neural.evaluation import Evaluation, evaluate, plot
from exactmdm.neural.timing import compare
from exactmdm.plot import require_matplotlib

SCALES = {
    "cpu": {"ngram_length": 256, "ngram_steps": [16, 64, 256], "ngram_train": 800, "ser_length": 64,
            "ser_steps": [8, 16, 32, 64, 128], "ser_lengths": [16, 32, 64, 128], "ser_train": 800,
            "timing_lengths": [128, 256, 512, 1024], "num": 100, "kl_samples": 16, "preset": "cpu-small"},
    "gpu": {"ngram_length": 1024, "ngram_steps": [64, 256, 1024, 2048], "ngram_train": 3000, "ser_length": 256,
            "ser_steps": [16, 64, 256, 1024], "ser_lengths": [64, 128, 256, 512, 1024], "ser_train": 3000,
            "timing_lengths": [256, 512, 1024, 2048, 4096, 8192], "num": 1000, "kl_samples": 64, "preset": "gpu-base"},
}


def _train(runs: Path, name: str, language: str, length: int, steps: int, preset: str, device, kind="mdm"):
    config = TrainConfig(language=language, length=length, steps=steps, preset=preset, kind=kind, batch_size=32,
                         lr=1e-3 if preset != "gpu-base" else 3e-4, warmup=min(100, steps // 10), checkpoint_every=100)
    start = time.perf_counter()
    result = train(config, runs / name, device=device, progress=True)
    return result.network, config, time.perf_counter() - start


def _md_table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _fmt(x, digits=3):
    return "n/a" if x is None else f"{x:.{digits}g}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="docs/neural")
    parser.add_argument("--runs", default="runs")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--scale", default="cpu", choices=list(SCALES))
    parser.add_argument("--parts", default="abc")
    args = parser.parse_args()
    s = SCALES[args.scale]
    out, runs = Path(args.out), Path(args.runs)
    out.mkdir(parents=True, exist_ok=True)
    device = resolve_device(args.device)
    began = time.perf_counter()
    machine = {"device": str(device), "gpu": torch.cuda.get_device_name() if device.type == "cuda" else None,
               "cpu_threads": torch.get_num_threads(), "platform": platform.platform(), "torch": torch.__version__}
    print(f"machine: {machine}")
    records = {"machine": machine, "scale": args.scale}
    if "a" in args.parts:
        rows = []
        for order in (2, 3, 4):
            family = f"ngram{order}-V4"
            record = out / f"a_{family}.json"
            if record.exists():  # evaluated by an earlier run of this script: reuse it
                report = Evaluation.from_dict(json.loads(record.read_text()))
            else:
                net, config, secs = _train(runs, f"{family}-L{s['ngram_length']}", family, s["ngram_length"],
                                           s["ngram_train"], s["preset"], device)
                lang = config.make_language()
                report = evaluate(net, lang, lengths=[s["ngram_length"]], steps=s["ngram_steps"], num=s["num"],
                                  kl_samples=s["kl_samples"], eps_samples=400, seed=order, device=device,
                                  trajectory_samples=8, config=config.to_dict())
                report.meta["train_seconds"] = secs
                report.write_json(record)
                plot(report, out / f"a_{family}.png")
            fwd = report.learning[0]
            for r in report.rows:
                rows.append([family, r["length"], r["steps"], r["schedule"], _fmt(fwd["max_nats"]), _fmt(fwd["mean_nats"]),
                             _fmt(r["eps_total_percent_network"]), _fmt(r["eps_total_percent_oracle"]),
                             _fmt(r["kl_bits_network"]), _fmt(r["ter_bound_bits"]),
                             _fmt(r["ser_network"]["value"]), _fmt(r["ser_oracle"]["value"])])
        table = _md_table(["language", "L", "N", "schedule", "eps max (nats)", "eps mean (nats)", "eps_total net %",
                           "eps_total oracle %", "KL/L net (bits, upper)", "Thm 4.2 at measured eps (bits)",
                           "SER net", "SER oracle"], rows)
        records["a"] = table
        print("\n(a) eps_total\n" + table)
    if "b" in args.parts:
        tables = []
        for family in ("counterexample16", "hmm4-V4-p0.2"):
            net, config, secs = _train(runs, f"{family}-L{s['ser_length']}", family, s["ser_length"], s["ser_train"],
                                       s["preset"], device)
            lang = config.make_language()
            by_n = evaluate(net, lang, lengths=[s["ser_length"]], steps=s["ser_steps"], num=s["num"],
                            kl_samples=s["kl_samples"], eps_samples=400, seed=7, device=device, config=config.to_dict())
            by_n.meta["train_seconds"] = secs
            by_n.write_json(out / f"b_{family}_by_N.json")
            rows = []
            for r in by_n.rows:
                closed = (1 - math.exp(letter_pair.log_correct_uniform(r["length"], r["steps"]))
                          if family == "counterexample16" and r["schedule"] == "iid-linear" else None)
                rows.append([family, r["length"], r["steps"], r["schedule"], _fmt(r["ser_network"]["value"]),
                             f"[{_fmt(r['ser_network']['low'])}, {_fmt(r['ser_network']['high'])}]",
                             _fmt(r["ser_oracle"]["value"]), _fmt(closed), _fmt(r["ser_bound"])])
            by_l = []
            for length in s["ser_lengths"]:
                rep = evaluate(net, lang, lengths=[length], steps=[length], num=s["num"], kl_samples=8, eps_samples=200,
                               seed=11, device=device, config=config.to_dict(), progress=False)
                by_l.append(rep.to_dict())
                for r in rep.rows:
                    if r["schedule"] == "iid-linear":
                        closed = (1 - math.exp(letter_pair.log_correct_uniform(length, length))
                                  if family == "counterexample16" else None)
                        rows.append([family, length, f"{length} (= L)", r["schedule"], _fmt(r["ser_network"]["value"]),
                                     f"[{_fmt(r['ser_network']['low'])}, {_fmt(r['ser_network']['high'])}]",
                                     _fmt(r["ser_oracle"]["value"]), _fmt(closed), "n/a"])
            (out / f"b_{family}_by_L.json").write_text(json.dumps(by_l, indent=2, default=float))
            tables.append(rows)
            _ser_figure(by_n, by_l, family, out / f"b_{family}.png")
        table = _md_table(["language", "L", "N", "schedule", "SER net", "99% interval", "SER oracle (MC)",
                           "SER oracle (closed form)", "Thm 4.3 bound at measured eps"], [r for t in tables for r in t])
        records["b"] = table
        print("\n(b) SER\n" + table)
    if "c" in args.parts:
        _train(runs, "timing-mdm", "ngram3-V4", 256, 50, s["preset"], device)
        _train(runs, "timing-ar", "ngram3-V4", 256, 50, s["preset"], device, kind="ar")
        rows = compare(runs / "timing-mdm", runs / "timing-ar", lengths=s["timing_lengths"], num_steps=512, num=4,
                       device=device)
        (out / "c_timing.json").write_text(json.dumps(rows, indent=2))
        table = _md_table(["L", "MDM steps", "MDM s/sequence", "AR s/sequence", "AR / MDM"],
                          [[r["length"], r["steps"], _fmt(r["mdm_seconds_per_sequence"]),
                            _fmt(r["ar_seconds_per_sequence"]), _fmt(r["ratio_ar_over_mdm"])] for r in rows])
        records["c"] = table
        print("\n(c) wall time per sequence (median of 3 runs of 4 sequences)\n" + table)
    records["seconds"] = time.perf_counter() - began
    (out / "tables.json").write_text(json.dumps(records, indent=2))
    print(f"\ntotal wall time {records['seconds']:.0f} s on {machine}")


def _ser_figure(by_n, by_l, family, path):
    plt = require_matplotlib()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    rows = [r for r in by_n.rows if r["schedule"] == "iid-linear"]
    ns = [r["steps"] for r in rows]
    for key, style, label in (("ser_network", "o-", "trained network"), ("ser_oracle", "s--", "oracle")):
        ax1.errorbar(ns, [r[key]["value"] for r in rows],
                     yerr=[[r[key]["value"] - r[key]["low"] for r in rows], [r[key]["high"] - r[key]["value"] for r in rows]],
                     fmt=style, label=label, capsize=3)
    if family == "counterexample16":
        ax1.plot(ns, [1 - math.exp(letter_pair.log_correct_uniform(rows[0]["length"], n)) for n in ns], ":k",
                 label="oracle, closed form")
    ax1.axhline(0.5, color="grey", lw=0.8)
    ax1.set(xscale="log", xlabel="steps N", ylabel="SER", title=f"{family}, L = {rows[0]['length']}")
    ax1.legend(fontsize=8)
    lengths = [rep["rows"][0]["length"] for rep in by_l]
    for key, style, label in (("ser_network", "o-", "trained network"), ("ser_oracle", "s--", "oracle")):
        ax2.plot(lengths, [next(r for r in rep["rows"] if r["schedule"] == "iid-linear")[key]["value"] for rep in by_l],
                 style, label=label)
    ax2.set(xscale="log", xlabel="length L (N = L)", ylabel="SER", title=f"{family}, N = L")
    ax2.legend(fontsize=8)
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
