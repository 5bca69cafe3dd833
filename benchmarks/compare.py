"""``python -m benchmarks.compare [NAMES ...] [--repeat N] [--dtype D]``: ours beside torch.

Times forward+backward of every registered layer (or NAMES) at its BENCHMARK size, beside
torch CPU with as many threads as NumPy's BLAS and the same dtype, and five naive loop kernels
at a small size; prints Markdown tables with the rate reached and its share of this machine's
matmul peak or copy bandwidth, all measured in this one run (best of N repeats).  Torch is
optional: without it the torch columns are left out.  Run from the repository root.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from benchmarks import machine, naive, targets
from benchmarks.cost import work
from gradcheck.benchmark import DTYPES, TorchSide, benchmark_case, best_time, best_times, workload
from gradcheck.registry import layer_names


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a usage line, never a traceback
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m benchmarks.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="layers (default: all)")
    parser.add_argument("--repeat", type=int, default=5, help="samples per timing; best is kept")
    parser.add_argument("--dtype", choices=DTYPES, action="append", help="default: both")
    parser.add_argument("--no-torch", action="store_true", help="leave torch out")
    return parser


def _size(name: str) -> str:
    return " ".join("x".join(map(str, d.shape)) for d in benchmark_case(name).inputs)


def _limits(repeat: int, dtypes: Sequence[str], before: dict | None = None) -> dict[str, float]:
    """Measured limits; with ``before``, the better of both measurements (a quieter moment)."""
    limits = {dtype: machine.matmul_peak(dtype, repeat) for dtype in dtypes}
    limits["copy"] = machine.copy_bandwidth(repeat)
    return {k: max(v, (before or {}).get(k, 0.0)) for k, v in limits.items()}


def _timing(name: str, dtype: str, repeat: int, torch_side) -> tuple:
    """The layer's work, its best forward+backward time, ours and torch's (interleaved), and
    the copy bandwidth at the size of its largest input."""
    w = workload(name, dtype)
    twin = torch_side.run(w) if torch_side else None
    if twin is None:
        ours, theirs = best_time(w.run_forward_backward, repeat), None
    else:
        ours, theirs = best_times([w.run_forward_backward, twin], repeat)
    copy = machine.copy_bandwidth(repeat, max(a.nbytes for a in w.inputs))
    return work(w), ours, theirs, copy


def _row(name, dtype, timing, limits) -> tuple[list[str], str | None]:
    cost, ours, theirs, copy = timing
    limit = limits[dtype] if cost.unit == "FLOP" else limits["copy"]
    rate, share = cost.amount / ours, cost.amount / ours / limit
    unit = "GFLOP/s" if cost.unit == "FLOP" else "GB/s"
    of = "matmul peak" if cost.unit == "FLOP" else "copy"
    ratio = ours / theirs if theirs else None
    target = targets.ratio_target(name)
    missed = []
    if ratio is not None and ratio > target:
        missed.append(f"{ratio:.2f}x torch (target ≤ {target}x)")
    floor = targets.PEAK_SHARE_BY_LAYER.get(name)
    if floor is not None and share < floor:
        missed.append(f"{share:.0%} of the matmul peak (target ≥ {floor:.0%})")
    cells = [
        name,
        dtype,
        _size(name),
        f"{ours * 1e3:.3g}",
        f"{theirs * 1e3:.3g}" if theirs else "-",
        f"{ratio:.2f}" if ratio is not None else "-",
        f"{rate / 1e9:.3g} {unit}",
        f"{share:.0%} {of}",
        "MISS" if missed else ("ok" if theirs or floor else "-"),
    ]
    if not missed:
        return cells, None
    if cost.unit == "B":
        # against a copy of data this size (from the cache level it lives in)
        least = cost.amount / copy
        figure = f"ours {ours / least:.0f}x the time of its least memory traffic at copy speed"
        figure += f", torch {theirs / least:.1f}x" if theirs else ""
    else:
        figure = f"ours at {share:.0%} of the matmul peak"
        figure += f", torch at {cost.amount / theirs / limit:.0%}" if theirs else ""
    return cells, f"{dtype} {', '.join(missed)}: {figure}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _naive_rows(names: Sequence[str], repeat: int) -> tuple[list[list[str]], list[str]]:
    rows, wrong = [], []
    for name in [n for n in naive.KERNELS if n in names]:
        w = workload(name, "float64", naive.SIZES[name])
        loop_forward, loop_backward = naive.KERNELS[name]

        def loops(w=w, f=loop_forward, b=loop_backward):
            output, cache = f(*w.inputs, **w.hyper)
            return (output, *b(w.grad_output, cache))

        ours = best_time(w.run_forward_backward, repeat)
        slow = best_time(loops, min(repeat, 3), min_seconds=0.0)
        expected = (w.run_forward()[0], *w.run_forward_backward())
        error = max(
            float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-300))
            for a, b in zip(loops(), expected, strict=True)
        )
        if error > 1e-9:
            wrong.append(f"{name}: naive loops differ from the layer by {error:.1e} relative")
        size = " ".join("x".join(map(str, a.shape)) for a in w.inputs)
        rows.append([name, size, f"{slow * 1e3:.3g}", f"{ours * 1e3:.3g}", f"{slow / ours:.0f}x"])
    return rows, wrong


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    known = layer_names()
    unknown = [n for n in args.names if n not in known]
    if unknown:
        print(
            f"error: unknown layer {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr
        )
        return 2
    if args.repeat < 1:
        print("error: --repeat must be at least 1", file=sys.stderr)
        return 2
    names, dtypes = args.names or known, args.dtype or list(DTYPES)
    threads = machine.blas_threads()
    torch_side = None if args.no_torch else TorchSide.load(threads)
    if torch_side:
        version = torch_side.version
    else:
        version = "left out (--no-torch)" if args.no_torch else "not installed: columns left out"
    for label, value in machine.facts(version):
        print(f"{label + ':':9} {value}")
    if torch_side:
        print(f"{'Threads:':9} torch.set_num_threads({threads}), as NumPy's BLAS")
    limits = _limits(args.repeat, dtypes)
    measured = [(name, dtype) for dtype in dtypes for name in names]
    timings = [_timing(name, dtype, args.repeat, torch_side) for name, dtype in measured]
    limits = _limits(args.repeat, dtypes, limits)  # measured before and after the kernels
    peaks = ", ".join(f"{d} {limits[d] / 1e9:.3g} GFLOP/s" for d in dtypes)
    print(
        f"{'Limits:':9} matmul peak {peaks}; copy bandwidth {limits['copy'] / 1e9:.3g} GB/s "
        "(a 256 MB copy: rows above 100 % run from cache)"
    )
    print(f"{'Timing:':9} best of {args.repeat}, forward+backward, milliseconds\n")
    rows, misses = [], {}
    for (name, dtype), timing in zip(measured, timings, strict=True):
        cells, miss = _row(name, dtype, timing, limits)
        rows.append(cells)
        if miss:
            misses.setdefault(name, []).append(miss)
    header = [
        "layer",
        "dtype",
        "size",
        "ours ms",
        "torch ms",
        "ratio",
        "rate",
        "of limit",
        "target",
    ]
    print(_table(header, rows))
    if misses:
        print("\nWhere NumPy misses the target, and why:\n")
        for name, figures in misses.items():
            print(f"- {name}: {'; '.join(figures)}. Why: {targets.why(name)}.")
    naive_rows, wrong = _naive_rows(names, args.repeat)
    if naive_rows:
        print("\nNaive Python loops at a small size (float64):\n")
        print(_table(["kernel", "size", "loops ms", "ours ms", "speed-up"], naive_rows))
    for message in wrong:
        print(f"error: {message}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
