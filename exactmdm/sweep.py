"""Sweeps on Dask: a grid over languages, lengths, steps, schedules, models and seeds, one cell per task.

    python -m exactmdm.sweep CONFIG.toml [--scheduler ADDRESS] [--workers N] [--store PATH] [--quiet]

Each finished cell is appended to a JSON-lines store (one line per cell, written with one ``write`` and
flushed to disk) by the client, the only writer. A re-run skips the cells already in the store, so a sweep
stopped by Ctrl-C or a crash resumes without recomputing or losing finished cells (a line cut short by a
crash is ignored and its cell recomputed). A worker that dies mid-cell loses only that cell: the
scheduler reschedules it on another worker. Runs on a ``LocalCluster`` by default, or on an existing
cluster with ``--scheduler``.

CONFIG.toml::

    [sweep]
    store = "results.jsonl"          # relative to the config file
    metrics = ["ser", "kl"]          # SER and KL(q||p)/L in bits
    num = 2000                       # Monte Carlo sequences for SER where no exact method applies
                                     # (KL's Monte Carlo estimate uses num // 20, at least 2)
    max_work = 3e10                  # refuse cells whose Monte Carlo fallback exceeds this many operations

    [grid]
    languages = ["ngram2-V3", "counterexample16"]   # families as in the checks
    language_seeds = [0]
    lengths = [4, 64]
    steps = [4, 16]
    schedules = ["iid:linear", "iid:cosine", "fixed:balanced"]
    models = ["oracle", "uniform:0.01", "temperature:0.01"]   # eps_learning in nats
    seeds = [0]

Each grid list holds distinct values (a repeated value would compute the same cells twice).

Per cell SER is exact where an exact method exists (``exact.ser``), else Monte Carlo with a 99%
Clopper-Pearson interval on ``num`` sequences; KL/L is exact by the state-space engine where it fits,
else the Monte Carlo estimate of ``montecarlo.kl_per_token`` on ``num // 20`` sequences (at least 2: each
costs about 20 SER samples; its ``kind`` says unbiased or upper bound). Only a size refusal
(``EnumerationTooLarge``) falls back to Monte Carlo: any other error is bad input and fails its cell.
Before any work every cell's Monte Carlo cost (``num * L * N`` sampler operations: each of the N steps
visits every position of every sequence) is checked against ``max_work``. Exit codes: 0 every cell
done; 2 a bad configuration or a cell refused as bad input; 3 an internal error; 130 Ctrl-C.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cli import BAD_INPUT, HOLDS, INTERNAL_ERROR, Parser, UsageError, parse, run_main, writable_path
from .cost import DEFAULT_MAX_WORK, check_work, progress_bar
from .errors import EnumerationTooLarge, ExactMDMError, InvalidArgument

__all__ = ["SweepConfig", "load_config", "cells", "cell_key", "compute_cell", "read_store", "run_sweep", "main"]

GRID_KEYS = ("languages", "language_seeds", "lengths", "steps", "schedules", "models", "seeds")
SWEEP_KEYS = ("store", "metrics", "num", "max_work")
METRICS = ("ser", "kl")
CONNECT_TIMEOUT_S = 5


@dataclass(frozen=True)
class SweepConfig:
    grid: dict
    store: Path
    metrics: tuple = METRICS
    num: int = 2000
    source: str = ""
    max_work: float = DEFAULT_MAX_WORK
    extra: dict = field(default_factory=dict)


def _toml(path: Path) -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError as exc:
            raise InvalidArgument("reading a sweep configuration needs Python >= 3.11 or the tomli package.") from exc
    try:
        return tomllib.loads(path.read_text())
    except OSError as exc:
        raise InvalidArgument(f"config {str(path)!r} cannot be read ({exc.strerror or exc}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidArgument(f"config {str(path)!r} is not valid TOML: {exc}.") from None


def load_config(path, store=None) -> SweepConfig:
    """Read and validate ``CONFIG.toml`` (see the module docstring); every cell is built once to fail early."""
    path = Path(path)
    raw = _toml(path)
    unknown = set(raw) - {"sweep", "grid"}
    if unknown or "grid" not in raw:
        raise InvalidArgument(f"config {str(path)!r} must have a [grid] table (and optionally [sweep]); "
                              f"unknown tables: {sorted(unknown)}.")
    sweep, grid = raw.get("sweep", {}), raw["grid"]
    extra = set(sweep) - set(SWEEP_KEYS)
    if extra:
        raise InvalidArgument(f"[sweep] has unknown keys {sorted(extra)}; the keys are {', '.join(SWEEP_KEYS)}.")
    for key in GRID_KEYS:
        if key not in grid or not isinstance(grid[key], list) or not grid[key]:
            raise InvalidArgument(f"[grid] {key} must be a non-empty list (keys: {', '.join(GRID_KEYS)}).")
        repeated = sorted({repr(v) for i, v in enumerate(grid[key]) if v in grid[key][:i]})
        if repeated:
            raise InvalidArgument(f"[grid] {key}={grid[key]} repeats {', '.join(repeated)}, whose cells would be computed "
                                  "twice; list each value once.")
    extra = set(grid) - set(GRID_KEYS)
    if extra:
        raise InvalidArgument(f"[grid] has unknown keys {sorted(extra)}; the keys are {', '.join(GRID_KEYS)}.")
    metrics = tuple(sweep.get("metrics", METRICS))
    if not metrics or not set(metrics) <= set(METRICS):
        raise InvalidArgument(f"[sweep] metrics={list(metrics)} must be a non-empty subset of {list(METRICS)}.")
    num = sweep.get("num", 2000)
    if not isinstance(num, int) or num < 2:
        raise InvalidArgument(f"[sweep] num={num!r} must be an integer >= 2.")
    max_work = sweep.get("max_work", DEFAULT_MAX_WORK)
    if isinstance(max_work, bool) or not isinstance(max_work, (int, float)) or not max_work > 0:
        raise InvalidArgument(f"[sweep] max_work={max_work!r} must be a positive number of operations (default "
                              f"{DEFAULT_MAX_WORK:.3g}).")
    target = Path(store) if store else path.parent / sweep.get("store", path.stem + ".jsonl")
    config = SweepConfig(grid, target, metrics, num, str(path), float(max_work))
    todo = cells(config)
    for cell in todo:  # the cost first: building a schedule of 10^8 steps is itself long work
        _check_cost(cell, config.max_work)
    for cell in todo:
        _build(cell)
    return config


def _check_cost(cell: dict, max_work: float) -> None:
    """Refuse a cell whose Monte Carlo fallback would run ``num * L * N`` sampler operations beyond ``max_work``."""
    for key, grid_key in (("length", "lengths"), ("steps", "steps")):
        if isinstance(cell[key], bool) or not isinstance(cell[key], int) or cell[key] < 1:
            raise InvalidArgument(f"[grid] {grid_key}: {cell[key]!r} must be a positive integer.")
    ops = float(cell["num"]) * cell["length"] * cell["steps"]
    check_work(math.log(ops), f"the cell L={cell['length']}, N={cell['steps']} by Monte Carlo with num={cell['num']}",
               max_work, "Lower [grid] steps or lengths or [sweep] num; max_work is a [sweep] key.")


def _applicable(cell: dict) -> bool:
    """A balanced fixed-size schedule needs N <= L; such combinations of the grid are left out (and counted)."""
    return not (str(cell["schedule"]).startswith("fixed") and cell["steps"] > cell["length"])


def cells(config: SweepConfig, *, inapplicable: bool = False) -> list[dict]:
    """Every applicable combination of the grid as a dict, in a fixed order (with ``inapplicable=True``: the
    combinations left out, fixed:balanced with steps > length)."""
    names = ["language", "language_seed", "length", "steps", "schedule", "model", "seed"]
    values = [config.grid[k] for k in GRID_KEYS]
    out = []
    for combo in itertools.product(*values):
        cell = dict(zip(names, combo))
        cell.update(metrics=list(config.metrics), num=config.num)
        if _applicable(cell) != inapplicable:
            out.append(cell)
    return out


def cell_key(cell: dict) -> str:
    return hashlib.sha256(json.dumps(cell, sort_keys=True).encode()).hexdigest()[:20]


def _build(cell: dict):
    from . import schedules
    from .models import Oracle, Perturbed
    from .languages import make_language

    lang = make_language(cell["language"], cell["language_seed"])
    length, steps = cell["length"], cell["steps"]
    kind, _, shape = str(cell["schedule"]).partition(":")
    if kind == "iid":
        schedule = schedules.iid(steps, shape or "linear")
    elif kind == "fixed" and shape in ("", "balanced"):
        if steps > length:
            raise InvalidArgument(f"cell {cell}: fixed:balanced needs steps <= length.")
        schedule = schedules.balanced_sizes(length, steps)
    else:
        raise InvalidArgument(f"schedule {cell['schedule']!r} must be 'iid:NAME' (linear, cosine, poly:P) or 'fixed:balanced'.")
    name, _, eps = str(cell["model"]).partition(":")
    if name == "oracle":
        model = Oracle(lang)
    elif name in ("uniform", "temperature") and eps:
        model = Perturbed(lang, float(eps), name)
    else:
        raise InvalidArgument(f"model {cell['model']!r} must be 'oracle', 'uniform:EPS' or 'temperature:EPS' (nats).")
    return lang, length, schedule, model


def compute_cell(cell: dict) -> dict:
    """The metrics of one cell (a pure function of the cell: seeded)."""
    from . import exact, metrics, montecarlo

    lang, length, schedule, model = _build(cell)
    start = time.perf_counter()
    out: dict = {}
    if "ser" in cell["metrics"]:
        try:
            out["ser"] = {"value": float(exact.ser(lang, length, schedule, model)), "method": "exact"}
        except EnumerationTooLarge:  # only a size refusal: any other error is bad input, not a reason to sample
            est = montecarlo.ser(lang, length, schedule, model, num=cell["num"], seed=cell["seed"])
            out["ser"] = {**est.to_dict(), "method": "monte carlo"}
    if "kl" in cell["metrics"]:
        try:
            dist = exact.output_distribution(lang, length, schedule, model)
            out["kl_bits_per_token"] = {"value": metrics.kl(lang, dist) / length, "method": "exact"}
        except EnumerationTooLarge:
            est = montecarlo.kl_per_token(lang, length, schedule, model, num=max(2, cell["num"] // 20), seed=cell["seed"])
            out["kl_bits_per_token"] = {**est.to_dict(), "method": "monte carlo"}
    out["seconds"] = time.perf_counter() - start
    return out


def read_store(path) -> list[dict]:
    """The finished cells of a store; a last line cut short by a crash is skipped (its cell is recomputed)."""
    path = Path(path)
    if not path.exists():
        return []
    records = []
    for line in path.read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "key" in record and "result" in record:
            records.append(record)
    return records


def _append(path: Path, record: dict) -> None:
    line = json.dumps(record, sort_keys=True) + "\n"
    with open(path, "a") as handle:
        if handle.tell() > 0:  # a previous crash may have left a line without its newline
            with open(path, "rb") as check:
                check.seek(-1, os.SEEK_END)
                if check.read(1) != b"\n":
                    handle.write("\n")
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


@dataclass
class SweepReport:
    total: int
    skipped: int
    computed: int
    failed: list
    seconds: float


def run_sweep(config: SweepConfig, *, scheduler: str | None = None, workers: int | None = None, client=None,
              progress: bool = True, on_result=None, processes: bool = True, compute=None) -> SweepReport:
    """Run the missing cells of ``config`` on Dask and append each to the store as it finishes.

    ``client``: an existing ``dask.distributed.Client`` (else one is made: ``scheduler`` or a LocalCluster with
    ``workers`` processes, or threads with ``processes=False``). ``on_result(record)`` runs after each stored
    cell. ``compute`` replaces ``compute_cell`` (a picklable function of the cell dict)."""
    from dask.distributed import Client, LocalCluster, as_completed

    todo_all = cells(config)
    done = {r["key"] for r in read_store(config.store)}
    todo = [c for c in todo_all if cell_key(c) not in done]
    try:  # before any work: an unwritable store would otherwise fail only after the first cell is computed
        config.store.parent.mkdir(parents=True, exist_ok=True)
        open(config.store, "a").close()
    except OSError as exc:
        raise InvalidArgument(f"store {str(config.store)!r} cannot be written ({exc.strerror or exc}); choose a "
                              "writable path.") from None
    start = time.perf_counter()
    failed = []
    own = client is None
    cluster = None
    if own:
        if scheduler:
            client = _connect(Client, scheduler)
        else:
            cluster = LocalCluster(n_workers=workers or min(4, os.cpu_count() or 1), threads_per_worker=1,
                                   processes=processes, dashboard_address=":0")
            client = Client(cluster)
    try:
        futures = {client.submit(compute or compute_cell, cell, key=f"cell-{cell_key(cell)}", pure=False): cell for cell in todo}
        with progress_bar(len(todo_all), f"sweep {Path(config.source).name}", progress) as bar:
            bar.update(len(todo_all) - len(todo))
            for future in as_completed(futures):
                cell = futures[future]
                if future.status == "error":
                    exc = future.exception()
                    failed.append({"cell": cell, "error": f"{type(exc).__name__}: {exc}",
                                   "bad_input": isinstance(exc, ExactMDMError)})
                else:
                    record = {"key": cell_key(cell), "cell": cell, "result": future.result()}
                    _append(config.store, record)
                    if on_result is not None:
                        on_result(record)
                bar.update(1)
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
    return SweepReport(len(todo_all), len(todo_all) - len(todo), len(todo) - len(failed), failed,
                       time.perf_counter() - start)


def _connect(client_class, address: str):
    """A client of the scheduler at ``address``, or a prompt refusal: the default wait is long enough to look hung."""
    try:
        return client_class(address, timeout=CONNECT_TIMEOUT_S)
    except Exception as exc:  # OSError (timeout, refused), ValueError (malformed address), or garbage from a non-Dask server
        raise InvalidArgument(f"scheduler {address!r}: no Dask scheduler answered within {CONNECT_TIMEOUT_S} s "
                              f"({type(exc).__name__}: {exc}). Check the address (tcp://HOST:8786) and that the "
                              "scheduler runs, or leave the scheduler out to use a LocalCluster.") from None


def _dispatch(argv) -> int:
    parser = Parser(prog="python -m exactmdm.sweep", description="Run a sweep of exact and Monte Carlo metrics on Dask.",
                    epilog="Exit codes: 0 every cell done, 2 bad configuration or input, 3 internal error, 130 Ctrl-C.")
    parser.add_argument("config", help="CONFIG.toml (see the module docstring)")
    parser.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (default: a LocalCluster)")
    parser.add_argument("--workers", type=int, default=None, help="LocalCluster workers (default: min(4, cores))")
    parser.add_argument("--store", default=None, help="JSON-lines store (default: [sweep] store in the config)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parse(parser, argv)
    if isinstance(args, int):
        return args
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers {args.workers} must be >= 1")
    config = load_config(args.config, args.store)
    writable_path(config.store, folder=False, flag="--store" if args.store else "[sweep] store")
    report = run_sweep(config, scheduler=args.scheduler, workers=args.workers, progress=not args.quiet)
    left_out = len(cells(config, inapplicable=True))
    print(f"{report.total} cells: {report.skipped} already in {config.store}, {report.computed} computed, "
          f"{len(report.failed)} failed, {report.seconds:.1f} s"
          + (f"; {left_out} combinations left out (fixed:balanced needs steps <= length)" if left_out else ""))
    for failure in report.failed:
        print(f"  failed: {failure['cell']}: {failure['error']}", file=sys.stderr)
    if not report.failed:
        return HOLDS
    return BAD_INPUT if all(f["bad_input"] for f in report.failed) else INTERNAL_ERROR


def main(argv=None) -> int:
    return run_main(_dispatch, argv)


if __name__ == "__main__":
    sys.exit(main())
