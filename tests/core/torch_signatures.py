"""PyTorch's parameter names for a function, for the keyword-name tests: from
``inspect.signature`` for its Python functions; for builtins from the signature lines of the
docstring (``exp(input, *, out=None) -> Tensor``, overloads as ``.. function:: max(input, dim,
...)``) and the ATen schemas (``self`` read as ``input``)."""
from __future__ import annotations

import inspect
import re

# Parameters that never take part in the comparison: out= is not supported (README), the rest
# are layout/memory options retrograd does not have, or the private ones of PyTorch's functions.
IGNORED = frozenset({"out", "layout", "pin_memory", "memory_format", "requires_grad", "device",
                     "dtype", "generator"})


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


def _parse_line(line: str, name: str) -> list[tuple[str, bool]] | None:
    """[(parameter, keyword_only)] from ``name(a, b=1, *, c=None) -> T``; None if no match."""
    match = re.match(r"\s*(?:\.\. function:: )?(?:torch\.)?(?:linalg\.)?" + re.escape(name) + r"\(", line)
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
        if part.startswith("*"):
            keyword_only = True  # *tensors / *size: what follows is keyword-only
            params.append(("*" + ident.group(1), False))
            continue
        params.append((ident.group(1), keyword_only))
    return params


def torch_signatures(fn, name: str, aten: str | None = None) -> list[list[tuple[str, bool]]]:
    """Every signature PyTorch documents for ``fn`` (``aten``: its ATen name when not ``name``,
    ``linalg_det``): lists of (name, keyword_only). ATen's overloads for Python numbers,
    strings and lists (``add(int a, int b)``) are left out: only those taking a Tensor first."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        sig = None
    if sig is not None:
        return [[(("*" if p.kind is p.VAR_POSITIONAL else "") + p.name, p.kind is p.KEYWORD_ONLY)
                 for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]]
    found = [parsed for line in (fn.__doc__ or "").splitlines()
             if (parsed := _parse_line(line, name)) is not None]
    try:
        import torch

        schemas = torch._C._jit_get_schemas_for_operator("aten::" + (aten or name))
    except (ImportError, RuntimeError, AttributeError):
        schemas = []
    for schema in schemas:
        args = [("input" if a.name == "self" else a.name, a.kwarg_only) for a in schema.arguments]
        if args and not any(n == "out" for n, _ in args) and \
                str(schema.arguments[0].type).startswith("Tensor"):
            found.append(args)
    return found


def our_parameters(fn) -> list[tuple[str, bool]]:
    """(name, keyword_only) of ``fn``'s parameters; *args as "*name"; **kwargs left out."""
    out = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind is p.VAR_KEYWORD:
            continue
        out.append((("*" if p.kind is p.VAR_POSITIONAL else "") + p.name, p.kind is p.KEYWORD_ONLY))
    return out


def positional_names(params: list[tuple[str, bool]]) -> list[str]:
    """The names that may be passed by position, up to the first *args."""
    names = []
    for name, keyword_only in params:
        if keyword_only or name.startswith("*"):
            break
        names.append(name)
    return names


def name_mismatches(ours: list[tuple[str, bool]], theirs: list[list[tuple[str, bool]]]) -> str | None:
    """None when our positional names agree with one of PyTorch's signatures where both have a
    parameter (out= and the other ``IGNORED`` left out), and every keyword-only parameter of
    that signature that we take by another position is named alike; else what differs."""
    our_pos = [n for n in positional_names(ours) if n not in IGNORED]
    our_names = {n for n, _ in ours}
    problems = []
    for signature in theirs:
        their_pos = [n for n in positional_names(signature) if n not in IGNORED]
        common = min(len(our_pos), len(their_pos))
        if our_pos[:common] == their_pos[:common]:
            return None
        problems.append(f"{their_pos}")
    del our_names
    return f"ours {our_pos}, PyTorch's {' or '.join(problems)}"
