"""What the notebooks say: one family of layers per notebook, the matrix form of each layer in
prose, and the layer whose error-vs-step curve closes the notebook.  ``build.py`` turns this
into the ``.ipynb`` files; every layer in the registry must appear in one family."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    file: str
    title: str
    intro: str
    layers: tuple[str, ...]
    curve: str  # the layer of the closing error-vs-step plot
    chain: str | None = None  # curve of tanh(curve(...)): a bilinear layer has no truncation


CHAIN_NOTE = (
    "`{layer}` is linear in each input and bilinear in all of them together, so along any "
    "direction f(t) is a quadratic in t and the central difference is exact: only round-off "
    "is left, and the curve has no right branch. Feeding it into `tanh` — the chain rule, "
    "checked three ways below exactly like a layer — gives the full V."
)

FAMILIES = (
    Family(
        "dense_matmul",
        "Dense and matmul",
        "The two products every network is made of. Their index forms are a Kronecker delta "
        "times the other operand; contracting them with the upstream gradient g = ∂L/∂y turns "
        "each delta into a removed sum, which is the whole of the matrix form.",
        ("dense", "matmul"),
        "dense",
        chain="dense",
    ),
    Family(
        "activations",
        "Activations",
        "Element-wise functions y_i = f(x_i): the Jacobian is diagonal, δ(i,j) f'(x_i), so the "
        "backward is an element-wise product g ⊙ f'(x), never a matrix. The care goes into "
        "f'(x) in floating point: saving 1 - y instead of recomputing it, stable sigmoids, "
        "torch's convention at a kink.",
        ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "softplus"),
        "gelu",
    ),
    Family(
        "softmax_losses",
        "Softmax, log-softmax and the losses",
        "A softmax row mixes every input into every output: its Jacobian is a full block per "
        "row, and the backward is one dot product per row. The losses end in a scalar, so "
        "their Jacobian is a single row: the gradient itself.",
        (
            "softmax",
            "log_softmax",
            "mse_loss",
            "cross_entropy",
            "categorical_cross_entropy",
            "binary_cross_entropy_with_logits",
        ),
        "softmax",
    ),
    Family(
        "normalisation",
        "Normalisation",
        "Every value moves the statistics of its channel (batch norm) or its row (layer norm): "
        "the Jacobian has a δ for the direct path, and two dense terms, -1/M through the mean "
        "and -x̂x̂/M through the standard deviation.",
        ("batch_norm", "layer_norm"),
        "layer_norm",
    ),
    Family(
        "convolution_pooling",
        "Convolution and pooling",
        "Windows sliding over an image. The index form of a convolution names the weight that "
        "connects output (i, j) to input (u, v); summed over outputs it is the transposed "
        "convolution of the input gradient. Pooling routes the gradient to the window's "
        "maximum, or spreads it evenly.",
        ("conv2d", "max_pool2d", "avg_pool2d"),
        "conv2d",
        chain="conv2d",
    ),
    Family(
        "attention_embedding_dropout",
        "Attention, embedding and dropout",
        "Attention is three products and a softmax; its index forms are the chain rule written "
        "out. Embedding and dropout are selections: the Jacobian picks elements, and the "
        "backward scatters the gradient back to where they came from.",
        ("attention", "embedding", "dropout"),
        "attention",
    ),
)

MATRIX_FORM = {
    "dense": r"With $g_{b,o} = \partial L/\partial y_{b,o}$: $\partial L/\partial x_{c,q} = "
    r"\sum_{b,o} g_{b,o}\,\delta_{bc} W_{o,q} = (gW)_{c,q}$, $\partial L/\partial W_{p,q} = "
    r"\sum_b g_{b,p} x_{b,q} = (g^\top x)_{p,q}$, $\partial L/\partial b_p = \sum_b g_{b,p}$.",
    "matmul": r"$\partial L/\partial a_{i,j} = \sum_k g_{i,k} b_{j,k} = (g b^\top)_{i,j}$ and "
    r"$\partial L/\partial b = a^\top g$, each summed over the batch axes broadcasting made.",
    "relu": r"Diagonal: $\partial L/\partial x = g \odot 1[x > 0]$.",
    "leaky_relu": r"Diagonal: $\partial L/\partial x = g \odot (1[x > 0] + \alpha\,1[x \le 0])$.",
    "sigmoid": r"Diagonal: $\partial L/\partial x = g \odot y \odot (1 - y)$, from saved outputs.",
    "tanh": r"Diagonal: $\partial L/\partial x = g \odot (1 - y^2)$, from the saved output.",
    "gelu": r"Diagonal: $\partial L/\partial x = g \odot (\Phi(x) + x\,\varphi(x))$.",
    "softplus": r"Diagonal: $\partial L/\partial x = g \odot \sigma(\beta x)$ below the "
    r"threshold, $g$ above it.",
    "softmax": r"Per row $J = \mathrm{diag}(y) - y y^\top$, so $g^\top J = y \odot (g - g \cdot "
    r"y)$: one dot product per row instead of a $C \times C$ matrix.",
    "log_softmax": r"Per row $J = I - \mathbf{1} p^\top$ with $p = e^y$, so $g^\top J = g - p "
    r"\sum_i g_i$.",
    "mse_loss": r"A row: $\partial L/\partial \mathrm{pred} = \frac{2g}{N}(\mathrm{pred} - "
    r"\mathrm{target})$, $g$ the incoming scalar.",
    "cross_entropy": r"A row: $\frac{g}{N}(\mathrm{softmax}(x) - \mathrm{onehot}(t))$.",
    "categorical_cross_entropy": r"A row: $-\frac{g}{N}\, t \oslash p$ (element-wise).",
    "binary_cross_entropy_with_logits": r"A row: $\frac{g}{N}(\sigma(x) - t)$.",
    "batch_norm": r"Contract the three terms with $g$ per channel: $\partial L/\partial x = "
    r"\frac{\gamma}{\sigma}(g - \bar g - \hat x\,\overline{g \hat x})$, bars the channel means.",
    "layer_norm": r"The same per row with $h = \gamma \odot g$: $\partial L/\partial x = "
    r"\frac{1}{\sigma}(h - \bar h - \hat x\,\overline{h \hat x})$.",
    "conv2d": r"Summing $g_{n,o,i,j} W_{o,c,(u+p-is)/d,\dots}$ over every output whose window "
    r"covers $(u, v)$ is a transposed convolution of $g$ with $W$; $\partial L/\partial W$ "
    r"correlates $g$ with the padded input, $\partial L/\partial b$ sums $g$.",
    "max_pool2d": r"$A$ is 1 where $(u, v)$ is the window's first maximum: $g$ is routed to "
    r"the argmax, and accumulated where windows overlap.",
    "avg_pool2d": r"Each window spreads $g_{n,c,i,j} / (k_h k_w)$ over its positions, "
    r"accumulated where windows overlap, the padding cropped off.",
    "attention": r"$\partial L/\partial v = P^\top g$, $\partial L/\partial P = g v^\top$, the "
    r"softmax's row rule gives $\partial L/\partial S$, then $\partial L/\partial q = "
    r"(\partial L/\partial S)\, k / \sqrt d$ and $\partial L/\partial k = (\partial L/\partial "
    r"S)^\top q / \sqrt d$: the index forms above are these products written out.",
    "embedding": r"$\delta_{r, t_n}$ selects the looked-up rows: $\partial L/\partial W$ is a "
    r"scatter-add of $g$'s rows (zero for rows never used).",
    "dropout": r"Diagonal: $\partial L/\partial x = g \odot \mathrm{mask} / (1 - p)$, the "
    r"forward's own mask.",
}
