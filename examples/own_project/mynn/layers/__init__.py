"""mynn's layers: ``forward(*inputs, **hyper) -> (y, cache)`` and ``backward(g, cache)``."""
