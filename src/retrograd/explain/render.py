"""Render a StepRecord as Markdown tables, LaTeX (tabular + bmatrix) or JSON.

Numbers are printed with ``digits`` significant digits (6 by default) and are the record's own
values: the renderers format, they never compute.
"""
from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .record import LayerRecord, StepRecord


def fmt(v: float, digits: int = 6) -> str:
    """``v`` with ``digits`` significant digits, trailing zeros dropped (``0.6``, ``1.23457e-07``)."""
    v = float(v)
    if v == 0:
        return "0"
    return f"{v:.{digits}g}"


def format_array(a, digits: int = 6) -> str:
    """A nested-list rendering such as ``[[0.1, 0.2], [0.3, 0.4]]``."""
    a = np.asarray(a)
    if a.ndim == 0:
        return fmt(a.item(), digits)
    return "[" + ", ".join(format_array(s, digits) for s in a) + "]"


def _shape(a: np.ndarray) -> str:
    return "(" + ", ".join(map(str, a.shape)) + ("," if a.ndim == 1 else "") + ")"


_PARAM_SYMBOLS = {"weight": "W", "bias": "b"}


def _rows(layer: LayerRecord) -> list[tuple[str, str, np.ndarray]]:
    """(symbol, description, value) for every number of a layer, in reading order."""
    l, f = layer.index, " ∘ ".join(reversed(layer.activation)) or "identity"
    w = layer.params.get("weight")
    op = "⋆" if w is not None and w.ndim > 2 else ""  # ⋆: convolution
    rows = [(f"A_{l - 1}", "input of the layer", layer.a_prev),
            (f"Z_{l}", f"pre-activation W_{l} {op}{' ' if op else ''}A_{l - 1} + b_{l}", layer.z),
            (f"A_{l}", f"activation {f}(Z_{l})", layer.a),
            (f"delta_{l}", f"error dL/dZ_{l}", layer.delta)]
    for name in layer.params:
        s = _PARAM_SYMBOLS.get(name, name) + f"_{l}"
        rows += [(s, f"{name} before the step", layer.params[name]),
                 (f"dL/d{s}", f"gradient of {name}", layer.grads[name]),
                 (f"{s}'", f"{name} after the step", layer.params_after[name])]
    return rows


def _title(layer: LayerRecord) -> str:
    act = ", then " + " → ".join(layer.activation) if layer.activation else ""
    return f"Layer {layer.index}: `{layer.name}` {layer.module}{act}"


def _header(record: StepRecord) -> str:
    lr = f", lr = {fmt(record.lr)}" if record.lr is not None else ""
    return f"One training step ({record.optimizer or 'optimizer'}{lr})"


# ----- Markdown -----------------------------------------------------------------------------
def to_markdown(record: StepRecord, digits: int = 6) -> str:
    """Markdown: a heading and a ``| symbol | meaning | shape | value |`` table per layer."""
    out = [f"## {_header(record)}", ""]
    for note in record.notes:
        out += [f"> {note}", ""]
    out += [f"- input `x`: {format_array(record.x, digits)}",
            f"- target `y`: {format_array(record.y, digits)}",
            f"- output: {format_array(record.output, digits)}",
            f"- loss before the step: **{fmt(record.loss_before, digits)}**",
            f"- loss after the step (new forward pass): **{fmt(record.loss_after, digits)}**", ""]
    for layer in record.layers:
        out += [f"### {_title(layer)}", "", "| symbol | meaning | shape | value |",
                "|---|---|---|---|"]
        for sym, meaning, value in _rows(layer):
            out.append(f"| `{sym}` | {meaning} | {_shape(value)} | {format_array(value, digits)} |")
        out.append("")
    return "\n".join(out)


# ----- LaTeX --------------------------------------------------------------------------------
def _latex_symbol(sym: str) -> str:
    """``A_0`` -> ``A_{0}``, ``delta_2`` -> ``\\delta_{2}``, ``dL/dW_1`` -> a fraction."""
    prime = sym.endswith("'")
    sym = sym.rstrip("'")
    frac = sym.startswith("dL/d")
    base, _, idx = sym[4:].rpartition("_") if frac else sym.rpartition("_")
    base = {"delta": r"\delta"}.get(base, base if len(base) == 1 else rf"\mathrm{{{base}}}")
    s = f"{base}_{{{idx}}}" + ("'" if prime else "")
    return rf"\frac{{\partial L}}{{\partial {s}}}" if frac else s


def bmatrix(a, digits: int = 6) -> str:
    """A LaTeX ``bmatrix``: vectors as columns, matrices as they are, >2-D arrays as
    (first dim) x (the rest flattened)."""
    a = np.asarray(a)
    if a.ndim == 0:
        return fmt(a.item(), digits)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    elif a.ndim > 2:
        a = a.reshape(a.shape[0], -1)
    body = r" \\ ".join(" & ".join(fmt(v, digits) for v in row) for row in a)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def _latex_value(sym: str, value: np.ndarray, digits: int) -> str:
    # activations and errors are (N, features): show the columns as samples, as in z = W a + b
    if sym[0] in "AZd" and not sym.startswith("dL") and value.ndim == 2:
        value = value.T
    return bmatrix(value, digits)


def to_latex(record: StepRecord, digits: int = 6) -> str:
    """LaTeX (needs ``amsmath``): one ``tabular`` per layer of symbol, shape and ``bmatrix``
    value. Activations and errors are shown as column vectors, one column per sample."""
    out = [f"% {_header(record)}; needs \\usepackage{{amsmath}}",
           rf"\paragraph{{{_header(record)}}}"]
    out += [f"% {n}" for n in record.notes]
    out += [(rf"Loss before the step: ${fmt(record.loss_before, digits)}$; after the step "
            rf"(new forward pass): ${fmt(record.loss_after, digits)}$."), ""]
    for layer in record.layers:
        title = (_title(layer).replace("`", "").replace("_", r"\_").replace("→", r"$\to$")
                 .replace("->", r"$\to$"))
        out += [rf"\subparagraph{{{title}}}", r"\begin{tabular}{lll}", r"\hline",
                r"symbol & shape & value \\", r"\hline"]
        for sym, _, value in _rows(layer):
            out.append(rf"${_latex_symbol(sym)}$ & {_shape(value)} & "
                       rf"${_latex_value(sym, value, digits)}$ \\")
        out += [r"\hline", r"\end{tabular}", ""]
    return "\n".join(out)


# ----- JSON ---------------------------------------------------------------------------------
def _json_value(a, digits: int | None) -> Any:
    if isinstance(a, np.ndarray) and a.ndim > 0:
        return [_json_value(s, digits) for s in a]
    v = float(a)
    if not math.isfinite(v):
        return str(v)  # JSON has no NaN/Infinity
    return float(fmt(v, digits)) if digits is not None else v


def to_dict(record: StepRecord, digits: int | None = None) -> dict[str, Any]:
    """The record as plain Python data (nested lists of floats), rounded to ``digits``
    significant digits when given."""
    def j(a):
        return _json_value(np.asarray(a), digits)

    return {
        "optimizer": record.optimizer, "lr": record.lr, "notes": record.notes,
        "x": j(record.x), "y": j(record.y), "output": j(record.output),
        "loss_before": j(record.loss_before), "loss_after": j(record.loss_after),
        "layers": [{
            "index": l.index, "name": l.name, "module": l.module, "activation": l.activation,
            "A_prev": j(l.a_prev), "Z": j(l.z), "A": j(l.a), "delta": j(l.delta),
            "params": {n: {"before": j(l.params[n]), "grad": j(l.grads[n]),
                           "after": j(l.params_after[n])} for n in l.params},
        } for l in record.layers],
    }


def to_json(record: StepRecord, digits: int | None = 6, indent: int | None = 2) -> str:
    """JSON of ``to_dict`` (``digits=None`` keeps full precision)."""
    return json.dumps(to_dict(record, digits), indent=indent, ensure_ascii=False)
