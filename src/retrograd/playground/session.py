"""One browser tab's training run: the data, the network, the optimizer, and what the page is
sent (frames of heat maps, weights, curves; step records from ``explain.record_step``).

>>> s = Session(Config(task="circle"))
>>> s.train(10); frame = s.frame(); record = s.inspect()
"""
from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..explain import layer_groups, record_step, to_dict, to_json, to_markdown
from ..explain.worked_example import default_network, half_sse
from ..io.safetensors_io import to_bytes
from ..nn import functional as F
from ..optim.lr_scheduler import LambdaLR
from ..tensor import Tensor
from .config import Config
from .images import image_description, image_frame, lenet, load_digits, record_summary
from .tasks import grid, make_task

MAP_SIZE, NEURON_MAP_SIZE = 48, 20  # heat map resolutions (points per side)
_ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU}


def encode_map(values: np.ndarray) -> str:
    """Values in [-1, 1] (clipped) as base64 bytes, 0 for -1 and 255 for +1."""
    v = np.clip(np.nan_to_num(np.asarray(values, np.float64)), -1, 1)
    return base64.b64encode(np.round((v + 1) * 127.5).astype(np.uint8).tobytes()).decode("ascii")


def _finite(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def _initialise(linear: nn.Linear, init: str, activation: str, rng: np.random.Generator) -> None:
    if init == "random":  # PyTorch's default for Linear, from this run's own generator
        nn.init.kaiming_uniform_(linear.weight, a=math.sqrt(5), generator=rng)
        bound = 1 / math.sqrt(linear.weight.shape[1])
        nn.init.uniform_(linear.bias, -bound, bound, generator=rng)
        return
    if init == "xavier":
        gain = nn.init.calculate_gain(activation if activation != "relu" else "relu")
        nn.init.xavier_uniform_(linear.weight, gain=gain, generator=rng)
    else:  # he
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu", generator=rng)
    nn.init.zeros_(linear.bias)


class Session:
    """A run that the page drives: ``train(n)`` steps, ``frame()`` to draw, ``inspect()`` the
    last step's record, ``export(what)`` files."""

    def __init__(self, config: Config):
        self.reset(config)

    # ----- building -------------------------------------------------------------------------
    def reset(self, config: Config) -> None:
        """A fresh run of ``config``: new data, new weights, step 0."""
        self.config, self.step, self.record = config, 0, None
        self.grad_norms: list[float] = []
        self.rng = np.random.default_rng(config.seed)
        if config.preset == "worked_example":
            self._build_worked_example()
        else:
            self._build(config)
        self.optimizer = self._optimizer()
        warm = self.config.warmup
        self.scheduler = LambdaLR(self.optimizer, lambda s: min(1.0, (s + 1) / warm)) if warm else None
        self.order, self.cursor = self.rng.permutation(len(self.x_train)), 0
        self.grid, self.neuron_grid = grid(MAP_SIZE), grid(NEURON_MAP_SIZE)

    def _build(self, c: Config) -> None:
        self.regression, self.images = c.task == "regression", c.task == "mnist"
        if self.images:
            self.x_train, self.y_train, self.x_test, self.y_test = load_digits(c.model == "mlp")
        else:
            x, y = make_task(c.task, c.points, c.noise, c.seed)
            n_test = max(1, int(round(c.points * c.test_fraction)))
            self.x_train, self.x_test = x[n_test:], x[:n_test]
            self.y_train, self.y_test = y[n_test:], y[:n_test]
        self.classes = 10 if self.images else 2
        if c.model == "lenet5":
            self.model, self.blocks = lenet(c.activation), []
            self.loss_fn = self._loss_fn()
            return
        inputs = self.x_train.shape[1]
        sizes = [inputs, *c.hidden, 1 if self.regression else self.classes]
        self.blocks: list[list[nn.Module]] = []
        for i in range(len(sizes) - 1):
            linear = nn.Linear(sizes[i], sizes[i + 1])
            _initialise(linear, c.init, c.activation, self.rng)
            block: list[nn.Module] = [linear]
            if i < len(sizes) - 2:
                block.append(_ACTIVATIONS[c.activation]())
                if c.dropout > 0:
                    block.append(nn.Dropout(c.dropout))
            self.blocks.append(block)
        self.model = nn.Sequential(*[m for b in self.blocks for m in b])
        self.loss_fn = self._loss_fn()

    def _build_worked_example(self) -> None:
        """The 2-2-2-2 sigmoid network, x = [1, 2], y = [3, 4], 1/2 * sum of squares, plain
        gradient descent with lr 0.1: the numbers `retrograd explain` prints."""
        model, x, y = default_network()
        self.config = Config(**{**self.config.to_dict(), "optimizer": "sgd", "lr": 0.1,
                                "warmup": 0, "l2": 0.0, "batch_size": 1, "hidden": [2, 2],
                                "activation": "sigmoid", "loss": "mse", "dropout": 0.0,
                                "task": "regression"})
        self.model, self.regression, self.images = model, True, False
        mods = list(model)
        self.blocks = [mods[i:i + 2] for i in range(0, len(mods), 2)]
        self.x_train, self.y_train = x, y
        self.x_test, self.y_test = x[:0], y[:0]
        self.loss_fn = half_sse

    def _loss_fn(self):
        if self.regression:
            return lambda out, y: F.mse_loss(out.reshape(-1), y)
        if self.config.loss == "cross_entropy":
            return F.cross_entropy
        return lambda out, y: F.mse_loss(out, F.one_hot(y, self.classes).to(out.dtype))

    def _optimizer(self):
        c, params = self.config, self.model.parameters()
        if c.optimizer in ("sgd", "momentum", "nesterov"):
            momentum = 0.0 if c.optimizer == "sgd" else 0.9
            return optim.SGD(params, lr=c.lr, momentum=momentum, nesterov=c.optimizer == "nesterov",
                             weight_decay=c.l2)
        kind = {"adagrad": optim.Adagrad, "rmsprop": optim.RMSprop, "adam": optim.Adam}[c.optimizer]
        return kind(params, lr=c.lr, weight_decay=c.l2)

    # ----- training -------------------------------------------------------------------------
    def _next_batch(self) -> tuple[Tensor, Tensor]:
        n, size = len(self.x_train), self.config.batch_size
        if size == 0 or size >= n:
            return Tensor(self.x_train), Tensor(self.y_train)
        if self.cursor + size > n:
            self.order, self.cursor = self.rng.permutation(n), 0
        idx = self.order[self.cursor:self.cursor + size]
        self.cursor += size
        return Tensor(self.x_train[idx]), Tensor(self.y_train[idx])

    def _linears(self) -> list[nn.Linear]:
        return [b[0] for b in self.blocks]

    @property
    def param_layers(self) -> list[nn.Module]:
        """The modules with parameters, in order (Linear, Conv2d)."""
        return [m for _, m, _ in layer_groups(self.model)]

    def train(self, steps: int) -> None:
        """``steps`` training steps; the last one through ``explain.record_step``, so a paused
        page can open every number of the step it shows."""
        self.model.train()
        for i in range(steps):
            x, y = self._next_batch()
            if i == steps - 1:
                self.record = record_step(self.model, x, y, self.loss_fn, self.optimizer)
                self.record.notes = [f"step {self.step + 1} of the playground"]
            else:
                self.optimizer.zero_grad()
                self.loss_fn(self.model(x), y).backward()
                self.optimizer.step()
            self.grad_norms = [float(np.linalg.norm(m.weight.grad.array)) for m in self.param_layers]
            if self.scheduler is not None:
                self.scheduler.step()
            self.step += 1

    # ----- what the page draws ----------------------------------------------------------------
    def _evaluate(self, x: np.ndarray, y: np.ndarray) -> tuple[float | None, float | None]:
        if len(x) == 0:
            return None, None
        with no_grad():
            out = self.model(Tensor(x))
            loss = float(self.loss_fn(out, Tensor(y)).item())
        if self.regression:
            return _finite(loss), None
        return _finite(loss), float((out.array.argmax(1) == y).mean())

    def _layer_outputs(self, points: np.ndarray) -> list[np.ndarray]:
        """Each layer's output (after its activation) at ``points``, in eval mode."""
        outs, h = [], Tensor(points.astype(self.x_train.dtype))
        with no_grad():
            for block in self.blocks:
                for m in block:
                    h = m(h)
                outs.append(h.array)
        return outs

    def _output_map(self, out: np.ndarray) -> np.ndarray:
        if self.regression:
            return out[:, 0]
        p = np.exp(out - out.max(1, keepdims=True))
        return 2 * p[:, 1] / p.sum(1) - 1  # p(class 1), from -1 to +1

    def frame(self) -> dict[str, Any]:
        """The numbers of one picture: losses and accuracies, the output over the plane, each
        neuron's output over the plane (scaled to its largest magnitude), weights, gradient norms."""
        if self.images:
            return image_frame(self)
        self.model.eval()
        try:
            train_loss, train_acc = self._evaluate(self.x_train, self.y_train)
            test_loss, test_acc = self._evaluate(self.x_test, self.y_test)
            decision = self._output_map(self._layer_outputs(self.grid)[-1])
            neurons = []
            for out in self._layer_outputs(self.neuron_grid):
                scale = np.abs(out).max(0)
                scale[scale == 0] = 1
                neurons.append([encode_map(out[:, j] / scale[j]) for j in range(out.shape[1])])
        finally:
            self.model.train()
        def shown(a):  # JSON has no NaN: a diverged weight is drawn as 0
            return np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0).round(4).tolist()

        weights = [shown(m.weight.array) for m in self._linears()]
        biases = [shown(m.bias.array) for m in self._linears()]
        return {"type": "frame", "step": self.step, "lr": self.optimizer.param_groups[0]["lr"],
                "train_loss": train_loss, "test_loss": test_loss, "train_acc": train_acc,
                "test_acc": test_acc, "map": encode_map(decision), "map_size": MAP_SIZE,
                "neurons": neurons, "neuron_map_size": NEURON_MAP_SIZE, "weights": weights,
                "biases": biases, "grad_norms": [_finite(g) for g in self.grad_norms]}

    def describe(self) -> dict[str, Any]:
        """Sent after a reset: the settings, the layer sizes and the data points."""
        if self.images:
            return image_description(self)
        linears = self._linears()
        sizes = [linears[0].weight.shape[1]] + [m.weight.shape[0] for m in linears]
        return {"type": "reset", "config": self.config.to_dict(), "sizes": sizes,
                "regression": self.regression,
                "train": {"x": self.x_train.round(4).tolist(), "y": self.y_train.tolist()},
                "test": {"x": self.x_test.round(4).tolist(), "y": self.y_test.tolist()}}

    def inspect(self) -> dict[str, Any]:
        """The last step's record (``explain.record_step``) at full precision."""
        if self.record is None:
            raise ValueError("no step has run yet: press 'step' or 'play' first")
        if self.images:
            return record_summary(self)
        return {"type": "record", "step": self.step, "record": to_dict(self.record)}

    def export(self, what: str) -> tuple[str, str, bytes]:
        """(file name, MIME type, contents) of 'model' (safetensors), 'record_json' or
        'record_markdown'."""
        if what == "model":
            meta = {"config": json.dumps(self.config.to_dict()), "step": str(self.step)}
            return "playground.safetensors", "application/octet-stream", to_bytes(
                self.model.state_dict(), meta)
        if what in ("record_json", "record_markdown"):
            if self.record is None:
                raise ValueError("no step has run yet: there is no step record to export")
            if what == "record_json":
                return "step.json", "application/json", to_json(self.record, None).encode()
            return "step.md", "text/markdown", to_markdown(self.record).encode()
        raise ValueError(f"unknown export {what!r}; choose model, record_json or record_markdown")
