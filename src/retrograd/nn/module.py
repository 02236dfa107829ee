"""Module: the base class of layers and models. Attributes that are Parameters, buffers or Modules
are registered on assignment; parameters(), state_dict(), train()/eval(), to() and hooks walk the
tree of sub-modules with PyTorch's names and semantics."""
from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Any, Callable, Iterator

import numpy as np

from ..autograd.grad_mode import no_grad
from ..backend import array_module
from ..tensor import Tensor
from .module_utils import RemovableHandle, _addindent, _as_array, _IncompatibleKeys, _parse_to
from .parameter import Parameter


class Module:
    """Base class of all layers and models. Subclasses call ``super().__init__()`` first, assign
    sub-modules and Parameters as attributes, and define ``forward``; call the module itself.

    >>> import retrograd as rg
    >>> from retrograd import nn
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = nn.Linear(4, 3)
    ...     def forward(self, x):  # x: (N, 4) -> (N, 3)
    ...         return self.fc(x).relu()
    >>> net = Net()
    >>> net(rg.randn(2, 4)).shape
    (2, 3)
    >>> [name for name, _ in net.named_parameters()]
    ['fc.weight', 'fc.bias']
    """

    training: bool

    def __init__(self) -> None:
        for name in ("_parameters", "_buffers", "_modules", "_forward_hooks", "_forward_pre_hooks"):
            object.__setattr__(self, name, OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_hook_kwargs", set())
        object.__setattr__(self, "training", True)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"Module [{self._get_name()}] is missing the required "
                                  '"forward" function')

    def __call__(self, *args, **kwargs):
        for hid, hook in list(self._forward_pre_hooks.items()):
            if hid in self._hook_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hid, hook in list(self._forward_hooks.items()):
            result = (hook(self, args, kwargs, output) if hid in self._hook_kwargs
                      else hook(self, args, output))
            if result is not None:
                output = result
        return output

    # ----- registration --------------------------------------------------------------------
    _KINDS = {"_parameters": ("parameter", Parameter), "_buffers": ("buffer", Tensor),
              "_modules": ("module", None)}  # store -> (what, type; None means Module)

    def _register(self, store: str, name: str, value, check_exists: bool = True) -> None:
        what, kind = self._KINDS[store]
        kind = kind or Module
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {what} before Module.__init__() call")
        if not isinstance(name, str) or "." in name or name == "":
            raise KeyError(f'{what} name must be a string without "." and not empty, got {name!r}')
        if check_exists and hasattr(self, name) and name not in self.__dict__[store]:
            raise KeyError(f"attribute {name!r} already exists")
        if value is not None and not isinstance(value, kind):
            raise TypeError(f"cannot assign '{type(value).__name__}' object as {what} '{name}' "
                            f"({kind.__name__} or None expected)")
        self.__dict__[store][name] = value

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None: a declared but absent parameter, e.g. ``bias=False``)."""
        self._register("_parameters", name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add state that is not learnable (e.g. running_mean); saved in state_dict if persistent."""
        self._register("_buffers", name, tensor)
        (self._non_persistent_buffers.discard if persistent else self._non_persistent_buffers.add)(name)

    def add_module(self, name: str, module: "Module | None") -> None:
        self._register("_modules", name, module)

    register_module = add_module

    def __setattr__(self, name: str, value: Any) -> None:
        """Parameters and Modules are registered; assigning to a registered name keeps it in its
        store (None allowed; a buffer also takes any Tensor); anything else is a plain attribute."""
        d = self.__dict__
        if isinstance(value, (Parameter, Module)):
            store = "_parameters" if isinstance(value, Parameter) else "_modules"
            if "_parameters" in d:
                self._forget(name, keep=store)
            self._register(store, name, value, check_exists=False)
            return
        for store in self._KINDS:
            if store in d and name in d[store]:
                self._register(store, name, value, check_exists=False)
                return
        object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str) -> None:
        """Drop ``name`` from every store but ``keep`` (whose order is preserved)."""
        self.__dict__.pop(name, None)
        for store in ("_parameters", "_buffers", "_modules"):
            if store != keep:
                self.__dict__[store].pop(name, None)
        self._non_persistent_buffers.discard(name)

    def __getattr__(self, name: str):
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def get_submodule(self, target: str) -> "Module":
        """The sub-module at a dotted path such as ``'features.0'``."""
        module = self
        for item in target.split(".") if target else []:
            if item not in module._modules:
                raise AttributeError(f"{module._get_name()} has no submodule {item!r} (path {target!r})")
            module = module._modules[item]
        return module

    # ----- iteration -----------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """(dotted name, module) for this module and every descendant, depth first."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, prefix + ("." if prefix else "") + name,
                                                remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        return (m for _, m in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        return (m for _, m in self.named_children())

    def _named_members(self, store: str, prefix: str, recurse: bool, remove_duplicate: bool):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for mod_prefix, module in modules:
            for name, value in getattr(module, store).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter), each shared parameter once, e.g. ``('0.weight', p)``."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        return (b for _, b in self.named_buffers(recurse=recurse))

    # ----- modes and bulk updates ----------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set training mode on this module and all descendants (Dropout, BatchNorm differ)."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {mode!r}")
        object.__setattr__(self, "training", mode)
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none or p.grad.requires_grad or not p.grad.array.flags.writeable:
                p.grad = None if set_to_none else Tensor(array_module(p.array).zeros_like(p.array))
            else:
                p.grad.array[...] = 0

    def apply(self, fn: Callable[["Module"], None]) -> "Module":
        """Call ``fn`` on every sub-module (children first), then on this module."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs) -> "Module":
        """Cast floating parameters and buffers in place (``to(retrograd.float64)``); the
        Parameter objects stay the same, so optimizers keep working. ``to('cpu')`` is a no-op."""
        dtype = _parse_to(args, kwargs)
        if dtype is None:
            return self
        if dtype.kind not in "fc":
            raise TypeError(f"to(): modules can only be cast to floating dtypes, got {dtype}")
        for t in itertools.chain(self.parameters(), self.buffers()):
            if t.dtype.kind in "fc" and t.dtype != dtype:
                t.array = t.array.astype(dtype)
                if t.grad is not None:
                    t.grad = Tensor(t.grad.array.astype(dtype))
        return self

    def float(self) -> "Module":
        return self.to(np.float32)

    def double(self) -> "Module":
        return self.to(np.float64)

    def half(self) -> "Module":
        return self.to(np.float16)

    def cpu(self) -> "Module":
        return self

    def cuda(self, device=None) -> "Module":
        """Raises: retrograd has no GPU backend yet (the error says so)."""
        from ..device import check_device

        check_device("cuda" if device is None else device, "cuda()")
        return self

    # ----- state_dict ----------------------------------------------------------------------
    def _local_state(self) -> Iterator[tuple[str, Tensor]]:
        """This module's own (name, tensor) pairs that belong in its state_dict."""
        yield from ((n, p) for n, p in self._parameters.items() if p is not None)
        yield from ((n, b) for n, b in self._buffers.items()
                    if b is not None and n not in self._non_persistent_buffers)

    def state_dict(self, *, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """Parameters and persistent buffers by dotted name ('0.weight', 'bn.running_mean'),
        as Tensors sharing memory with the module (detached unless ``keep_vars``)."""
        destination = OrderedDict() if destination is None else destination
        for name, t in self._local_state():
            destination[prefix + name] = t if keep_vars else t.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def _load_from_state_dict(self, state_dict, prefix: str, missing: list, errors: list) -> None:
        for name, t in self._local_state():
            key = prefix + name
            if key not in state_dict:
                missing.append(key)
                continue
            value = _as_array(state_dict[key])
            if value.shape != t.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{tuple(value.shape)} from checkpoint, the shape in current model is "
                              f"{tuple(t.shape)}.")
                continue
            with no_grad():
                xp = array_module(t.array)
                xp.copyto(t.array, xp.asarray(value), casting="unsafe")

    def load_state_dict(self, state_dict, strict: bool = True) -> _IncompatibleKeys:
        """Copy values (Tensors or NumPy arrays) into parameters and buffers in place.

        Shape mismatches always raise RuntimeError; with ``strict`` missing and unexpected keys
        do too. Returns ``(missing_keys, unexpected_keys)``.
        """
        missing, errors = [], []
        expected = set()
        for prefix, module in self.named_modules(remove_duplicate=False):
            prefix = prefix + "." if prefix else ""
            module._load_from_state_dict(state_dict, prefix, missing, errors)
            expected.update(prefix + name for name, _ in module._local_state())
        unexpected = [k for k in state_dict if k not in expected]
        if strict:
            for label, keys in (("Unexpected", unexpected), ("Missing", missing)):
                if keys:
                    errors.insert(0, f"{label} key(s) in state_dict: "
                                  + ", ".join(f'"{k}"' for k in keys) + ".")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {self._get_name()}:\n\t"
                               + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)

    # ----- hooks ---------------------------------------------------------------------------
    def _add_hook(self, store: dict, hook, prepend: bool, with_kwargs: bool) -> RemovableHandle:
        handle = RemovableHandle(store)
        store[handle.id] = hook
        if with_kwargs:
            self._hook_kwargs.add(handle.id)
        if prepend:
            store.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every forward (``hook(module, args, kwargs,
        output)`` with ``with_kwargs``); a non-None result replaces the output."""
        return self._add_hook(self._forward_hooks, hook, prepend, with_kwargs)

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before every forward; a non-None result replaces args."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    # ----- repr ----------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The layer's own settings, shown inside its repr's parentheses."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(m), 2) for name, m in self._modules.items()]
        lines = extra_lines + child_lines
        if len(extra_lines) == 1 and not child_lines:
            return f"{self._get_name()}({extra_lines[0]})"
        return f"{self._get_name()}(" + ("\n  " + "\n  ".join(lines) + "\n" if lines else "") + ")"
