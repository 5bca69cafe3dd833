"""The torch column: each layer's ``torch_reference`` timed forward+backward, when torch exists.

Same inputs, same dtype, as many intra-op threads as NumPy's BLAS uses; backward through
``torch.autograd.grad`` with the same output gradient as ours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from benchmarks.workloads import Workload


@dataclass
class TorchSide:
    torch: ModuleType

    @classmethod
    def load(cls, threads: int) -> TorchSide | None:
        """torch with ``threads`` intra-op threads, or None where it is not installed."""
        try:
            import torch
        except ImportError:
            return None
        torch.set_num_threads(threads)
        return cls(torch)

    @property
    def version(self) -> str:
        return f"{self.torch.__version__}, {self.torch.get_num_threads()} threads"

    def run(self, w: Workload) -> Callable[[], object] | None:
        """Forward+backward of the layer's torch twin, None if it has none."""
        if w.torch_reference is None:
            return None
        torch = self.torch
        tensors = [torch.from_numpy(a.copy()).requires_grad_() for a in w.inputs]
        grad_output = torch.from_numpy(w.grad_output.copy())

        def run():
            output = w.torch_reference(*tensors, **w.hyper)
            return torch.autograd.grad(output, tensors, grad_output, allow_unused=True)

        return run
