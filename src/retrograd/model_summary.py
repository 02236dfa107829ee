"""``summary(model, input_size)``: a table of layers with output shapes and parameter counts,
totals (trainable and frozen), multiply-adds and estimated memory, shaped as torchinfo's."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

WIDTH = 90


@dataclass
class LayerInfo:
    """One call of a module: its class, depth in the module tree, index among its depth's
    calls, output shape, parameters held directly (trainable ones too) and multiply-adds."""

    name: str
    class_name: str
    depth: int
    depth_index: int
    output_shape: list[int] | None = None
    params: int = 0
    trainable: int = 0
    is_leaf: bool = True
    params_below: int = 0  # its own parameters and its submodules'
    macs: int = 0
    output_bytes: int = 0


@dataclass
class ModelStatistics:
    """What ``summary`` measured; ``str()`` is the table it prints."""

    model_name: str
    layers: list[LayerInfo]
    total_params: int
    trainable_params: int
    total_mult_adds: int
    input_bytes: int
    total_output_bytes: int
    total_param_bytes: int
    output_shape: list[int] = field(default_factory=list)
    root_params: int = 0  # parameters the model holds itself (not in a submodule)
    depth: int = 3  # rows deeper than this are folded into their parent's count

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def __str__(self) -> str:
        thick = "=" * WIDTH
        root = f"{self.root_params:,}" if self.root_params else "--"
        lines = [thick, f"{'Layer (type:depth-idx)':<40}{'Output Shape':<26}{'Param #':>24}", thick,
                 f"{self.model_name:<40}{str(self.output_shape):<26}{root:>24}"]
        for layer in self.layers:
            tree = ("│    " * (layer.depth - 1) + "└─") if layer.depth > 1 else "├─"
            label = f"{tree}{layer.class_name}: {layer.depth}-{layer.depth_index}"
            shown = layer.params_below if layer.depth == self.depth else layer.params
            count = f"{shown:,}" if shown else "--"
            shape = str(layer.output_shape) if layer.output_shape is not None else "--"
            lines.append(f"{label:<40}{shape:<26}{count:>24}")
        mb = 1e6
        lines += [thick, f"Total params: {self.total_params:,}",
                  f"Trainable params: {self.trainable_params:,}",
                  f"Non-trainable params: {self.non_trainable_params:,}",
                  f"Total mult-adds (M): {self.total_mult_adds / 1e6:.2f}", thick,
                  f"Input size (MB): {self.input_bytes / mb:.2f}",
                  f"Forward/backward pass size (MB): {self.total_output_bytes / mb:.2f}",
                  f"Params size (MB): {self.total_param_bytes / mb:.2f}",
                  f"Estimated Total Size (MB): "
                  f"{(self.input_bytes + self.total_output_bytes + self.total_param_bytes) / mb:.2f}",
                  thick]
        return "\n".join(lines)

    __repr__ = __str__


def _mult_adds(module, output) -> int:
    """Multiply-adds of a Linear or convolution call (the layers that dominate the count)."""
    from . import nn

    weight = getattr(module, "weight", None)
    if weight is None or output is None:
        return 0
    if isinstance(module, nn.Linear):
        return int(weight.numel() * np.prod(output.shape[:-1], dtype=np.int64))
    if isinstance(module, (nn.Conv1d, nn.Conv2d)):
        return int(weight.numel() * np.prod(output.shape[:1] + output.shape[2:], dtype=np.int64))
    if type(module).__name__.startswith("ConvTranspose"):
        x_spatial = np.prod(output.shape[2:], dtype=np.int64) // max(np.prod(module.stride), 1)
        return int(weight.numel() * output.shape[0] * x_spatial)
    return 0


def _first_tensor(output):
    from .tensor import Tensor

    if isinstance(output, Tensor):
        return output
    if isinstance(output, (tuple, list)):
        return next((o for o in output if isinstance(o, Tensor)), None)
    return None


def _inputs(input_size, input_data, dtypes):
    from .tensor import Tensor

    if input_data is not None:
        data = input_data if isinstance(input_data, (tuple, list)) else [input_data]
        return [d if isinstance(d, Tensor) else Tensor(np.asarray(d)) for d in data]
    if input_size is None:
        raise ValueError("summary: give input_size (e.g. (1, 1, 28, 28)) or input_data")
    sizes = [input_size] if isinstance(input_size[0], int) else list(input_size)
    dtypes = list(dtypes) if dtypes is not None else [None] * len(sizes)
    from . import backend

    return [Tensor(np.zeros(tuple(s), dtype=dt or backend.get_default_dtype())) for s, dt in zip(sizes, dtypes)]


def summary(model, input_size: Sequence[int] | Sequence[Sequence[int]] | None = None,
            input_data=None, depth: int = 3, dtypes=None, verbose: int = 1) -> ModelStatistics:
    """Run ``model`` once (eval mode, no grad) on zeros of ``input_size`` (batch dim
    included, e.g. ``(1, 1, 28, 28)``) or on ``input_data``, and tabulate each layer's output
    shape and parameter count down to ``depth`` levels. Prints the table when ``verbose``;
    returns it as ``ModelStatistics``.

    >>> import retrograd as rg
    >>> stats = rg.summary(rg.nn.Linear(4, 3), (2, 4), verbose=0)
    >>> stats.total_params, stats.output_shape
    (15, [2, 3])
    """
    from .autograd.grad_mode import no_grad

    inputs = _inputs(input_size, input_data, dtypes)
    names = {id(m): n for n, m in model.named_modules()}
    layers: list[LayerInfo] = []
    per_depth: dict[int, int] = {}
    open_calls: list[LayerInfo] = []

    def before(module, args):
        d = names[id(module)].count(".") + 1
        per_depth[d] = per_depth.get(d, 0) + 1
        own = list(module.parameters(recurse=False))
        info = LayerInfo(names[id(module)], type(module).__name__, d, per_depth[d],
                         params=sum(p.numel() for p in own),
                         trainable=sum(p.numel() for p in own if p.requires_grad),
                         is_leaf=not any(True for _ in module.children()),
                         params_below=sum(p.numel() for p in module.parameters()))
        open_calls.append(info)
        if d <= depth:
            layers.append(info)

    def after(module, args, output):
        info = open_calls.pop()
        out = _first_tensor(output)
        if out is not None:
            info.output_shape = list(out.shape)
            info.output_bytes = out.numel() * out.dtype.itemsize if info.is_leaf else 0
        info.macs = _mult_adds(module, out)
        every.append(info)

    every: list[LayerInfo] = []
    handles = []
    for name, m in model.named_modules():
        if name:
            handles += [m.register_forward_pre_hook(before), m.register_forward_hook(after)]
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with no_grad():
            output = model(*inputs)
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes:
            m.training = mode
    params = {id(p): p for p in model.parameters()}.values()
    out = _first_tensor(output)
    stats = ModelStatistics(
        model_name=type(model).__name__, layers=layers,
        total_params=sum(p.numel() for p in params),
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
        total_mult_adds=sum(i.macs for i in every),
        input_bytes=sum(x.numel() * x.dtype.itemsize for x in inputs),
        total_output_bytes=2 * sum(i.output_bytes for i in every),  # forward values + gradients
        total_param_bytes=sum(p.numel() * p.dtype.itemsize for p in params),
        output_shape=list(out.shape) if out is not None else [],
        root_params=sum(p.numel() for p in model.parameters(recurse=False)), depth=depth)
    if verbose:
        print(stats)
    return stats
