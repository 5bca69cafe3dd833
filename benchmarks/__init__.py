"""Benchmarks of trigrad's layers: not part of the installed package; run from the repo root.

* ``pytest benchmarks/ --benchmark-only`` (``tox -e bench``): pytest-benchmark timings of
  every layer's forward and backward at its ``BENCHMARK`` size, float32 and float64;
* ``python -m benchmarks.compare``: ours beside torch and naive loops, with this machine's
  matmul peak and copy bandwidth measured in the same run.
"""
