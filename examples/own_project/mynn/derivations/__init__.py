"""mynn's layers in SymPy, one module per layer of the same name."""
