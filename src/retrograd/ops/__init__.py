"""Differentiable operations, one family per file. Each op: forward on arrays, backward on
Tensors (differentiable), and a lowercase functional wrapper."""
