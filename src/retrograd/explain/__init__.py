"""Glass-box tools: every number of a training step, worked examples, graph export, gradient
diagnostics.

- ``record_step(model, x, y, loss_fn, optimizer) -> StepRecord`` with ``to_markdown()``,
  ``to_latex()``, ``to_json()``: Z, A, delta, gradients and updated parameters per layer.
- ``to_mermaid(tensor)`` / ``to_dot(tensor)``: the op graph behind a tensor;
  ``layer_graph(model, record)``: a layer-level view with errors and updates.
- ``GradientNormRecorder(model)`` and ``plot_gradient_norms(history, path)``.
- ``retrograd explain`` (``cli.main``): the worked example of backpropagation.
- ``record_bptt`` (``record_step`` on a model holding an nn.RNN) and ``unrolled_graph``:
  backpropagation through time step by step (``retrograd explain --model rnn``).
"""
from __future__ import annotations

from .diagnostics import GradientNormRecorder, plot_gradient_norms
from .graph import build_graph, layer_graph, to_dot, to_mermaid
from .record import LayerRecord, StepRecord, layer_groups, record_step
from .bptt import BPTTRecord, TimeStepRecord, record_bptt, unrolled_graph
from .render import to_dict, to_json, to_latex, to_markdown

__all__ = ["GradientNormRecorder", "LayerRecord", "StepRecord", "build_graph", "layer_graph",
           "layer_groups", "plot_gradient_norms", "record_step", "to_dict", "to_dot", "to_json",
           "to_latex", "to_markdown", "to_mermaid", "BPTTRecord", "TimeStepRecord", "record_bptt",
           "unrolled_graph"]
