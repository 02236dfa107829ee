"""Record golden_trajectories.json from torch.optim: python tests/optim/make_golden_trajectories.py
(with PyTorch installed). test_optimizers_extra.py compares retrograd with it."""
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_optimizers_extra as T  # noqa: E402

out = {}
for (cls, kw), case_id in zip(T.CASES, T.IDS):
    history, opt = T._torch_history(torch, cls, kw)
    states = opt.state_dict()["state"]
    final_state = {name: np.concatenate([states[i][name].numpy().ravel()
                                         for i in sorted(states)]).tolist()
                   for name in states[0] if states[0][name].ndim > 0}
    out[case_id] = {"params": [[float(v) for v in np.concatenate([a.ravel() for a in step])]
                               for step in history], "state": final_state}


def as_torch(a, requires_grad):
    return torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad)


for ls in (None, "strong_wolfe"):
    x, w, losses, _ = T._rosenbrock_run(torch.optim, as_torch, ls)
    out[f"LBFGS-{ls}"] = {"x": x.tolist(), "w": w.ravel().tolist(), "evaluations": len(losses)}
lines = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in out.items()]
with open(os.path.join(HERE, "golden_trajectories.json"), "w") as f:
    f.write("{\n" + ",\n".join(lines) + "\n}\n")
print(len(out), "cases")
