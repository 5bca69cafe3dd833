"""Parameters and gradients in dicts: ``self.params["W"]``, ``self.grads["W"]``."""


class Linear:
    def __init__(self, n_in, n_out, rng, bug=False):
        self.params = {"W": rng.standard_normal((n_in, n_out)), "b": rng.standard_normal(n_out)}
        self.grads = {}
        self.bug = bug

    def forward(self, x):
        self.cache = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        x = self.cache
        self.grads["W"] = x.T @ dout
        self.grads["b"] = dout.sum(axis=0) * (2 if self.bug else 1)  # the bug: counted twice
        return dout @ self.params["W"].T
