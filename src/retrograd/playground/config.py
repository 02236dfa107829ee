"""The playground's settings: defaults, and the check that turns a page's JSON into a Config or
a ``ConfigError`` naming the field that was wrong."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

TASKS = ("circle", "xor", "spirals", "gaussian", "regression", "mnist")
MODELS = ("mlp", "lenet5")  # lenet5: MNIST only
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
INITS = ("random", "xavier", "he")
LOSSES = ("mse", "cross_entropy")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
MAX_LAYERS, MAX_WIDTH, MAX_POINTS = 6, 16, 5000


class ConfigError(ValueError):
    """A setting from the page that cannot be used; the message names the field."""


@dataclass
class Config:
    """Everything that defines a run: the data, the network, the optimizer."""

    task: str = "circle"
    points: int = 400  # train + test
    noise: float = 0.1  # 0..1
    test_fraction: float = 0.5
    hidden: list[int] = field(default_factory=lambda: [8, 8])
    activation: str = "tanh"
    init: str = "xavier"
    loss: str = "cross_entropy"
    l2: float = 0.0
    dropout: float = 0.0
    optimizer: str = "adam"
    lr: float = 0.03
    warmup: int = 0  # steps of linear learning-rate warm-up
    batch_size: int = 16  # 1: stochastic; 0 or >= the train set: full batch
    steps_per_frame: int = 5
    seed: int = 0
    model: str = "mlp"
    preset: str = ""  # "worked_example": the 2-2-2-2 network of `retrograd explain`

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _number(name: str, value: Any, kind: type, low: float, high: float) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    if kind is int and value != int(value):
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return kind(value)


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _hidden(value: Any) -> list[int]:
    if not isinstance(value, list) or len(value) > MAX_LAYERS:
        raise ConfigError(f"hidden must be a list of at most {MAX_LAYERS} layer widths, got {value!r}")
    return [_number(f"hidden[{i}] (a layer's width)", w, int, 1, MAX_WIDTH)
            for i, w in enumerate(value)]


_RULES = {
    "task": lambda v: _choice("task", v, TASKS),
    "points": lambda v: _number("points", v, int, 20, MAX_POINTS),
    "noise": lambda v: _number("noise", v, float, 0, 1),
    "test_fraction": lambda v: _number("test_fraction", v, float, 0.1, 0.9),
    "hidden": _hidden,
    "activation": lambda v: _choice("activation", v, ACTIVATIONS),
    "init": lambda v: _choice("init", v, INITS),
    "loss": lambda v: _choice("loss", v, LOSSES),
    "l2": lambda v: _number("l2", v, float, 0, 1),
    "dropout": lambda v: _number("dropout", v, float, 0, 0.9),
    "optimizer": lambda v: _choice("optimizer", v, OPTIMIZERS),
    "lr": lambda v: _number("lr (learning rate)", v, float, 1e-6, 10),
    "warmup": lambda v: _number("warmup", v, int, 0, 100_000),
    "batch_size": lambda v: _number("batch_size", v, int, 0, MAX_POINTS),
    "steps_per_frame": lambda v: _number("steps_per_frame", v, int, 1, 1000),
    "seed": lambda v: _number("seed", v, int, 0, 2**31 - 1),
    "model": lambda v: _choice("model", v, MODELS),
    "preset": lambda v: _choice("preset", v, ("", "worked_example")),
}
assert set(_RULES) == {f.name for f in fields(Config)}


def parse_config(data: Any, base: Config | None = None) -> Config:
    """``base`` (default: the defaults) with the fields in ``data`` replaced, each checked."""
    if not isinstance(data, dict):
        raise ConfigError(f"the settings must be a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(_RULES))
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r}; known: {', '.join(_RULES)}")
    values = (base or Config()).to_dict()
    values.update({k: _RULES[k](v) for k, v in data.items()})
    if values["task"] == "regression" and values["loss"] == "cross_entropy" and not values["preset"]:
        raise ConfigError("the regression task needs the mse loss (cross_entropy is for classes)")
    if values["model"] == "lenet5" and values["task"] != "mnist":
        raise ConfigError("the lenet5 model is for the mnist task (the 2-D tasks use the mlp)")
    return Config(**values)
