"""mynn: a small NumPy framework, the example of a project that checks its layers with trigrad."""
