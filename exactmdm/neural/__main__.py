"""Command line of the PyTorch path.

    python -m exactmdm.neural train --language FAMILY --seed S --length L --preset cpu-small --steps K --out DIR
    python -m exactmdm.neural evaluate DIR [--lengths 64 256] [--steps 16 64 256] [--device auto] --json PATH [--plot PNG]
    python -m exactmdm.neural timing DIR_MDM DIR_AR [--lengths 256 1024] [--steps 512] [--num 8] [--json PATH]

FAMILY: ``ngram{n}-V{V}[-p{prune}]``, ``hmm{H}-V{V}[-p{prune}]`` (random, seeded by --language-seed) or
``counterexample16``. ``train`` resumes from DIR's checkpoint when one of the same configuration is there.
Before any work, output paths are checked writable and the memory a run needs is estimated (a run that
would not fit is refused with the estimate). Exit codes: 0 done; 2 bad usage or input (a bad option, an
unwritable output, a run too large for the memory, an unreadable or corrupted checkpoint); 3 an internal
error (a bug; the traceback is printed). Ctrl-C checkpoints the last finished step and exits 130.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..cli import HOLDS, Parser, UsageError, parse, plot_path, run_main, writable_path
from .training import FAMILIES, LOSSES, TrainConfig, check_language


def _parser() -> Parser:
    parser = Parser(prog="python -m exactmdm.neural", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    t = sub.add_parser("train", help="train a denoiser (or the AR baseline) on an exact language")
    t.add_argument("--language", required=True, help=f"language family: {FAMILIES}".replace("%", "%%"))
    t.add_argument("--language-seed", type=int, default=0, help="seed of the random language (default 0)")
    t.add_argument("--seed", type=int, default=0, help="seed of the weights, data and masks (default 0)")
    t.add_argument("--length", type=int, required=True, help="sequence length L")
    t.add_argument("--preset", default="cpu-small", help="cpu-small (default), gpu-base or tiny")
    t.add_argument("--kind", default="mdm", choices=["mdm", "ar"], help="mdm (default) or the ar baseline")
    t.add_argument("--steps", type=int, required=True, help="optimisation steps")
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--loss", default="elbo", choices=list(LOSSES))
    t.add_argument("--checkpoint-every", type=int, default=100)
    t.add_argument("--out", required=True, help="run directory (checkpoint.pt, config.json, train.json)")
    t.add_argument("--no-resume", action="store_true", help="start afresh even if --out holds a checkpoint")
    t.add_argument("--device", default="auto", help="auto (CUDA when present, else CPU), cpu, cuda, cuda:N")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    e = sub.add_parser("evaluate", help="measure a trained denoiser against the exact language")
    e.add_argument("run", help="a training run's directory or checkpoint file")
    e.add_argument("--lengths", type=int, nargs="+", default=None, help="lengths L (default: the training length)")
    e.add_argument("--steps", type=int, nargs="+", default=[16, 64, 256], help="numbers of steps N")
    e.add_argument("--num", type=int, default=400, help="sampled sequences per (L, N) for SER (default 400)")
    e.add_argument("--kl-samples", type=int, default=64, help="sequences x ~ q per KL estimate (default 64)")
    e.add_argument("--eps-samples", type=int, default=400, help="forward-process states for eps_learning")
    e.add_argument("--exact-max-length", type=int, default=5, help="exact engines up to this L (default 5)")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--device", default="auto")
    e.add_argument("--json", required=True, help="where to write the JSON record")
    e.add_argument("--plot", default=None, help="PNG figure of SER and KL/L against N")
    e.add_argument("--quiet", action="store_true")
    m = sub.add_parser("timing", help="wall time per generated sequence: MDM at N steps against the AR baseline")
    m.add_argument("mdm", help="run directory of a denoiser")
    m.add_argument("ar", help="run directory of an AR baseline")
    m.add_argument("--lengths", type=int, nargs="+", default=[256, 512, 1024])
    m.add_argument("--steps", type=int, default=512)
    m.add_argument("--num", type=int, default=8)
    m.add_argument("--device", default="auto")
    m.add_argument("--json", default=None)
    return parser


def _train(args) -> int:
    from .training import resume_conflicts, train

    check_language(args.language, args.language_seed, "--language ")
    config = TrainConfig(language=args.language, language_seed=args.language_seed, length=args.length, kind=args.kind,
                         preset=args.preset, steps=args.steps, batch_size=args.batch_size, lr=args.lr, loss=args.loss,
                         seed=args.seed, checkpoint_every=args.checkpoint_every)
    writable_path(args.out, folder=True, flag="--out")
    differ = [] if args.no_resume else resume_conflicts(config, args.out)
    if differ:
        raise UsageError(f"--out {args.out} holds a run with another configuration (fields {', '.join(differ)} differ): "
                         "choose another --out directory, or add --no-resume to overwrite it.")
    result = train(config, args.out, device=args.device, progress=not args.quiet, resume=not args.no_resume)
    summary = result.summary()
    print(f"trained {config.kind} ({summary['parameters']} parameters) on {config.language} at L={config.length}: "
          f"{result.step} steps, {summary['seconds']:.1f} s this run, final loss "
          f"{summary['final_loss_nats_per_token']:.4f} nats/token; checkpoint {result.path}")
    return HOLDS


def _evaluate(args) -> int:
    from .evaluation import evaluate, plot
    from .training import load_checkpoint

    writable_path(args.json, folder=False, flag="--json")
    if args.plot:
        plot_path(args.plot)
    network, config, _ = load_checkpoint(args.run, device="cpu")
    if config.kind != "mdm":
        raise UsageError(f"{args.run} holds an autoregressive baseline: evaluate takes a denoiser run.")
    lang = config.make_language()
    report = evaluate(network, lang, lengths=args.lengths or [config.length], steps=args.steps, num=args.num,
                      kl_samples=args.kl_samples, eps_samples=args.eps_samples, exact_max_length=args.exact_max_length,
                      seed=args.seed, device=args.device, progress=not args.quiet, config=config.to_dict())
    print(report.table())
    report.write_json(args.json)
    print(f"wrote {args.json}")
    if args.plot:
        print(f"wrote {plot(report, args.plot)}")
    return HOLDS


def _timing(args) -> int:
    from .timing import compare

    if args.json:
        writable_path(args.json, folder=False, flag="--json")
    rows = compare(args.mdm, args.ar, lengths=args.lengths, num_steps=args.steps, num=args.num, device=args.device)
    print(f"{'L':>6} {'MDM N':>6} {'MDM s/seq':>10} {'AR s/seq':>10} {'AR/MDM':>7}")
    for r in rows:
        print(f"{r['length']:>6} {r['steps']:>6} {r['mdm_seconds_per_sequence']:>10.4g} {r['ar_seconds_per_sequence']:>10.4g} "
              f"{r['ratio_ar_over_mdm']:>7.3g}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return HOLDS


def _dispatch(argv) -> int:
    args = parse(_parser(), argv)
    if isinstance(args, int):
        return args
    commands = {"train": _train, "evaluate": _evaluate, "timing": _timing}
    if args.command not in commands:
        raise UsageError("give a command: train, evaluate or timing (see --help)")
    return commands[args.command](args)


def main(argv=None) -> int:
    return run_main(_dispatch, argv)


if __name__ == "__main__":
    sys.exit(main())
