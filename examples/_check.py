"""``--check``: an example compares the figures it just measured with those its docstring states,
so the text cannot drift away from what the code does.

Each example keeps its stated figures in a ``STATED`` dict (name -> the figure exactly as the
docstring writes it); ``check`` prints every measured figure beside the stated one and returns
exit status 1 if one is off by more than its tolerance, or if the docstring does not show it.
"""
from __future__ import annotations


def check(measured: dict[str, float], stated: dict[str, str], tolerance: dict[str, float] | float,
          doc: str) -> int:
    """0 if every ``stated[name]`` appears in ``doc`` and is within ``tolerance`` (one number, or
    one per name) of ``measured[name]``; 1 otherwise. Prints one line per figure."""
    failed = 0
    print(f"\nchecking the {len(stated)} figures stated in the docstring:")
    for name, text in stated.items():
        tol = tolerance if isinstance(tolerance, (int, float)) else tolerance[name]
        got = measured.get(name)
        problems = []
        if text not in doc:
            problems.append(f"{text} is not in the docstring")
        if got is None:
            problems.append("not measured")
        elif not abs(got - float(text)) <= tol:
            problems.append(f"differs by more than {tol:g}")
        failed += bool(problems)
        shown = "-" if got is None else f"{got:.8g}"
        print(f"  {name:<36} stated {text:>10}  measured {shown:>10}  "
              + ("; ".join(problems) if problems else "OK"))
    print("check: " + (f"{failed} figure(s) differ" if failed else "all figures as stated"))
    return 1 if failed else 0
