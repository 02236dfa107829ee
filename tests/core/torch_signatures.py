"""PyTorch's parameter names for a function, for the keyword-name tests: from
``inspect.signature`` for its Python functions; for builtins from the signature lines of the
docstring (``exp(input, *, out=None) -> Tensor``, overloads as ``.. function:: max(input, dim,
...)``) and the ATen schemas (``self`` read as ``input``)."""
from __future__ import annotations

import inspect
import re
from typing import NamedTuple

# Left out of the comparison: out= (not supported, README), options retrograd takes elsewhere
# or not at all (layout, memory format, pinning) and the keyword-only factory options.
IGNORED = frozenset({"out", "layout", "pin_memory", "memory_format", "requires_grad", "device",
                     "dtype", "generator"})


class Param(NamedTuple):
    name: str  # "*name" for *args
    keyword_only: bool
    optional: bool  # has a default


def _split_top_level(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_signature_line(line: str, name: str) -> list[Param] | None:
    """The parameters of ``name(a, b=1, *, c=None) -> T``; None when the line is not one."""
    match = re.match(r"\s*(?:\.\. function:: )?(?:torch\.)?(?:linalg\.)?" + re.escape(name) + r"\(",
                     line)
    if not match:
        return None
    depth, end = 1, None
    for i in range(match.end(), len(line)):
        depth += {"(": 1, ")": -1}.get(line[i], 0)
        if depth == 0:
            end = i
            break
    if end is None:
        return None
    params, keyword_only = [], False
    for part in _split_top_level(line[match.end():end].replace("\\", "")):
        if part == "*":
            keyword_only = True
            continue
        ident = re.match(r"\**([A-Za-z_]\w*)", part)
        if ident is None:
            return None
        if part.startswith("*"):  # *tensors / *size: what follows is keyword-only
            params.append(Param("*" + ident.group(1), False, True))
            keyword_only = True
            continue
        params.append(Param(ident.group(1), keyword_only, "=" in part))
    return params


def _from_inspect(fn) -> list[Param]:
    return [Param(("*" if p.kind is p.VAR_POSITIONAL else "") + p.name, p.kind is p.KEYWORD_ONLY,
                  p.default is not p.empty or p.kind is p.VAR_POSITIONAL)
            for p in inspect.signature(fn).parameters.values() if p.kind is not p.VAR_KEYWORD]


def torch_signatures(fn, name: str, aten: str | None = None) -> list[list[Param]]:
    """Every signature PyTorch gives ``fn``. ``aten``: its ATen name when not ``name``
    (``linalg_det``). ATen's overloads for Python numbers, strings and lists (``add(int a, int
    b)``) and its out= forms are left out."""
    try:
        return [_from_inspect(fn)]
    except (TypeError, ValueError):
        pass
    found = [parsed for line in (fn.__doc__ or "").splitlines()
             if (parsed := parse_signature_line(line, name)) is not None]
    import torch

    try:
        schemas = torch._C._jit_get_schemas_for_operator("aten::" + (aten or name))
    except RuntimeError:
        schemas = []
    for schema in schemas:
        args = schema.arguments
        if args and not any(a.name == "out" for a in args) and str(args[0].type).startswith("Tensor"):
            found.append([Param("input" if a.name == "self" else a.name, a.kwarg_only,
                                a.has_default_value()) for a in args])
    return found


def our_signature(fn) -> list[Param]:
    return _from_inspect(fn)


def positional_names(params: list[Param]) -> list[str]:
    """The names that may be passed by position (up to the first *args), IGNORED left out."""
    names = []
    for p in params:
        if p.keyword_only or p.name.startswith("*"):
            break
        names.append(p.name)
    return [n for n in names if n not in IGNORED]


def name_mismatch(ours: list[Param], theirs: list[list[Param]]) -> str | None:
    """None when our positional parameters have the names of one of PyTorch's signatures where
    both have a parameter; else what differs."""
    mine = positional_names(ours)
    longest = max(min(len(mine), len(positional_names(s))) for s in theirs)
    for signature in theirs:  # those that share the most positions with ours: where(condition)
        names = positional_names(signature)  # alone does not excuse where(condition, a, b)
        common = min(len(mine), len(names))
        if common == longest and mine[:common] == names[:common]:
            return None
    return f"ours {mine}, PyTorch's " + " or ".join(str(positional_names(s)) for s in theirs)
