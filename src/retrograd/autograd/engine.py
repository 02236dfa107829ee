"""The backward pass: topological order, one backward call per node, gradients reduced to each
input's shape (the only place broadcasting is undone), accumulated, and the graph freed."""
from __future__ import annotations

import threading
from typing import Sequence

from ..tensor import Tensor
from . import grad_mode
from .broadcast import SumTo
from .function import _anomaly
from .quiet import quiet

_FREED = ("Trying to backward through the graph a second time (or to use its saved values after "
          "they were freed). Pass retain_graph=True to the first backward() if you need to go "
          "through the graph again.")


def _topological_order(roots):
    """Nodes reachable from ``roots``, consumers before producers (iterative: no recursion)."""
    order, visited = [], set()
    stack = [(r, False) for r in roots]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        if node.inputs is None:
            raise RuntimeError(_FREED)
        stack.append((node, True))
        for x in node.inputs:
            if isinstance(x, Tensor) and x.grad_fn is not None and x.grad_fn not in visited:
                stack.append((x.grad_fn, False))
    order.reverse()
    return order


def _reduce_to_shape(grad, shape):
    """Sum a gradient over the dimensions its input was broadcast along."""
    if grad.array.shape == shape:
        return grad
    return SumTo.apply(grad, shape=tuple(shape))  # the one place broadcasting is undone


def _owner(array):
    while getattr(array, "base", None) is not None:
        array = array.base
    return id(array)


class _Passes(threading.local):
    queued: list  # per backward pass running in this thread (innermost last): end callbacks

    def __init__(self) -> None:
        self.queued = []


_passes = _Passes()


def queue_callback(callback) -> None:
    """Call ``callback()`` when the backward pass now running (in this thread) ends, after every
    gradient has been accumulated, before ``backward()`` returns; e.g. to wait for the
    communication that gradient hooks started."""
    if not _passes.queued:
        raise RuntimeError("queue_callback: no backward pass is running")
    _passes.queued[-1].append(callback)


def run_backward(roots: Sequence, grad_roots: Sequence, retain_graph: bool, create_graph: bool,
                 inputs: Sequence | None = None, allow_unused: bool = False):
    """Backpropagate from ``roots``. With ``inputs`` given, return their gradients instead of
    accumulating into ``.grad`` (``autograd.grad``)."""
    callbacks: list = []
    _passes.queued.append(callbacks)
    try:
        result = _run_backward(roots, grad_roots, retain_graph, create_graph, inputs, allow_unused)
        while callbacks:
            callbacks.pop(0)()
        return result
    finally:
        _passes.queued.pop()


def _run_backward(roots, grad_roots, retain_graph, create_graph, inputs, allow_unused):
    with grad_mode.enable_grad() if create_graph else grad_mode.no_grad(), quiet():
        wanted = None
        if inputs is not None:
            wanted = {}
            for i, t in enumerate(inputs):
                key = t.grad_fn if t.grad_fn is not None else id(t)
                wanted.setdefault(key, []).append(i)
            results = [None] * len(inputs)

        grads: dict = {}  # node -> gradient of its output
        leaf_grads: dict = {}  # id(leaf) -> [leaf, gradient]

        def add_leaf(t, g):
            entry = leaf_grads.get(id(t))
            if entry is None:
                leaf_grads[id(t)] = [t, g]
            else:
                entry[1] = entry[1] + g

        root_nodes = []
        for r, g in zip(roots, grad_roots):
            if r.grad_fn is None:
                add_leaf(r, g)
            else:
                grads[r.grad_fn] = grads[r.grad_fn] + g if r.grad_fn in grads else g
                root_nodes.append(r.grad_fn)

        order = _topological_order(root_nodes)
        seen: set = set()
        done_at = _leaves_done_at(order) if wanted is None and PostAccumulateHooks.in_use else {}
        for i, node in enumerate(order):
            for leaf in done_at.pop(i - 1, ()):  # no node left can add to its gradient
                entry = leaf_grads.pop(id(leaf), None)
                if entry is not None:
                    _accumulate(leaf, entry[1], create_graph, seen)
            g = grads.pop(node, None)
            if g is None:
                continue
            out = node.output()
            if out is not None:
                if out._hooks:
                    g = _run_hooks(out, g)
                if out._retains_grad and wanted is None:
                    out.grad = g if out.grad is None else out.grad + g
            if wanted is not None and node in wanted:
                for i in wanted[node]:
                    results[i] = g
            if create_graph or node.backward_arrays is None:
                in_grads = node.backward(g)
                if not isinstance(in_grads, tuple):
                    in_grads = (in_grads,)
            else:
                in_grads = _as_tensors(node.backward_arrays(g.array))
            if _anomaly.enabled:
                _anomaly.on_backward(node, in_grads)
            for x, gx in zip(node.inputs, in_grads):
                if gx is None or not isinstance(x, Tensor) or not x.requires_grad:
                    continue
                gx = _reduce_to_shape(gx, x.array.shape)
                if x.grad_fn is None:
                    add_leaf(x, gx)
                else:
                    prev = grads.get(x.grad_fn)
                    grads[x.grad_fn] = gx if prev is None else prev + gx

        if not retain_graph:  # freed at the end: a producer's backward may need its output
            for node in order:
                node.__dict__.clear()
                node.inputs = None

        if wanted is not None:
            for leaf, g in leaf_grads.values():
                for i in wanted.get(id(leaf), ()):
                    results[i] = _run_hooks(leaf, g) if leaf._hooks else g
            for i, (t, r) in enumerate(zip(inputs, results)):
                if r is None and not allow_unused:
                    raise RuntimeError(f"One of the differentiated tensors (input {i}, shape "
                                       f"{tuple(t.shape)}) was not used in the graph; pass "
                                       "allow_unused=True if this is expected.")
            return results

        for leaf, g in leaf_grads.values():
            _accumulate(leaf, g, create_graph, seen)
        return None


class PostAccumulateHooks:
    in_use = False  # set once any leaf registers a post-accumulate-grad hook


def _leaves_done_at(order) -> dict:
    """Leaves with post-accumulate-grad hooks, by the position in ``order`` of their last
    consumer: after it no gradient can reach them, so they are accumulated there, mid-pass."""
    last = {}
    for i, node in enumerate(order):
        for x in node.inputs:
            if getattr(x, "_post_accumulate_hooks", None) and x.grad_fn is None:
                last[id(x)] = (i, x)
    done_at: dict = {}
    for i, leaf in last.values():
        done_at.setdefault(i, []).append(leaf)
    return done_at


def _accumulate(leaf, g, create_graph: bool, seen: set) -> None:
    """Run the leaf's hooks on ``g``, add it to ``leaf.grad``, then run post-accumulate hooks."""
    if leaf._hooks:
        g = _run_hooks(leaf, g)
    if not create_graph:
        g = _own(g, seen)
    if leaf.grad is None:
        leaf.grad = g
    elif create_graph or leaf.grad.requires_grad:
        leaf.grad = leaf.grad + g
    elif leaf.grad.array.flags.writeable and leaf.grad.array.shape == g.array.shape:
        leaf.grad.array += g.array  # accumulate in place, as PyTorch does
    else:
        leaf.grad = Tensor(leaf.grad.array + g.array)
    for hook in leaf._post_accumulate_hooks or ():
        hook(leaf)


def _as_tensors(arrays):
    """A backward_arrays result as a tuple of Tensors (or None)."""
    if not isinstance(arrays, tuple):
        arrays = (arrays,)
    return tuple(None if a is None else Tensor._from_op(a, None) for a in arrays)


def _own(g, seen):
    """A leaf's first gradient must be a writable array no other gradient shares (in-place
    updates such as clip_grad_norm_ must not touch another tensor's gradient)."""
    arr = g.array
    owner = _owner(arr)
    if owner in seen or not arr.flags.writeable or g.requires_grad:
        arr = arr.copy()
        owner = id(arr)
    seen.add(owner)
    return Tensor(arr)


def _run_hooks(t, g):
    for hook in t._hooks:
        new = hook(g)
        if new is not None:
            g = new
    return g
