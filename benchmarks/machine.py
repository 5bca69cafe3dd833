"""This machine's limits, measured in the same run as the kernels they are compared with.

* matmul peak: the best of several large square products (BLAS, all its threads), in FLOP/s;
* copy bandwidth: the best of several copies of an array far larger than the caches (memory),
  or as large as a layer's input (the cache level it runs from), in bytes per second moved
  (read + write); NumPy copies on one thread.

and the facts a reader needs to reproduce a table: CPU model, cores, NumPy, its BLAS, threads.
"""

from __future__ import annotations

import ctypes
import os
import platform
from pathlib import Path

import numpy as np

from gradcheck.benchmark import best_time


def matmul_peak(dtype: str, repeat: int, n: int = 2048) -> float:
    """FLOP/s of an n x n by n x n product, 2 n³ operations, best of ``repeat``."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
    out = np.empty((n, n), dtype=dtype)
    return 2.0 * n**3 / best_time(lambda: np.matmul(a, b, out=out), repeat, min_seconds=0.0)


def copy_bandwidth(repeat: int, nbytes: int = 256 * 2**20) -> float:
    """Bytes/s read plus written by one NumPy copy of an ``nbytes`` array (one thread).

    The default, far larger than the caches, measures memory; a layer's own size measures the
    cache level its data lives in, the fair limit for a kernel on data of that size.
    """
    source = np.ones(max(nbytes // 8, 1))
    target = np.empty_like(source)
    return 2.0 * source.nbytes / best_time(lambda: np.copyto(target, source), repeat)


def _openblas() -> ctypes.CDLL | None:
    """The OpenBLAS library NumPy loaded, found among this process's mapped files."""
    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return None
    paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    for path in sorted(paths):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _call(library: ctypes.CDLL | None, names: tuple[str, ...], restype) -> object | None:
    for name in names:
        function = getattr(library, name, None) if library is not None else None
        if function is not None:
            function.restype = restype
            return function()
    return None


_PREFIXES = ("scipy_openblas_", "openblas_")


def _blas_function(stem: str, suffixes: tuple[str, ...] = ("64_", "")) -> tuple[str, ...]:
    return tuple(p + stem + s for p in _PREFIXES for s in suffixes)


def blas_threads() -> int:
    """Threads NumPy's BLAS uses (OpenBLAS asked directly; else the environment, else cores)."""
    threads = _call(_openblas(), _blas_function("get_num_threads"), ctypes.c_int)
    if isinstance(threads, int) and threads > 0:
        return threads
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(variable, "").isdigit():
            return int(os.environ[variable])
    return os.cpu_count() or 1


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_description() -> str:
    """NumPy's BLAS: name and version from NumPy's build config, OpenBLAS's core if it says."""
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    text = f"{blas.get('name', 'unknown BLAS')} {blas.get('version', '')}".strip()
    library = _openblas()
    core = _call(library, _blas_function("get_corename"), ctypes.c_char_p)
    return f"{text} (core {core.decode()})" if isinstance(core, bytes) else text


def facts(torch_version: str) -> list[tuple[str, str]]:
    """(label, value) lines describing the machine and the software measured."""
    return [
        ("CPU", f"{cpu_model()}, {os.cpu_count()} cores"),
        ("NumPy", f"{np.__version__}, BLAS {blas_description()}, {blas_threads()} BLAS threads"),
        ("PyTorch", torch_version),
        ("Python", platform.python_version()),
    ]
