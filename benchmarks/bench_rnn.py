"""Recurrent training steps beside PyTorch, in one process on one thread, timed in CPU seconds.

    python benchmarks/bench_rnn.py [lstm gru rnn] [--rounds 10] [--batch 64] [--steps 28]

The workload of bench_train.py's LSTM (batch 64, 28 steps of 28 inputs, hidden 128, the last
step's output into Linear(128, 10), cross-entropy, SGD with momentum), also with a GRU or a tanh
RNN in its place. Both frameworks run on one thread and take turns, block by block, in the same
process; each block is timed with ``time.process_time()``, the CPU time this process used, so
that on a machine shared with other work the load counts less than in wall-clock time
(bench_train.py's figures). Prints samples per CPU second, the median ratio of the rounds and
their range.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench_train import _train_step, recurrent_classifier


def _step(lib, kind, batch, steps, hidden):
    lib.manual_seed(0)
    return _train_step(lib, recurrent_classifier(lib, kind, steps, hidden), (steps, steps), batch)


def _rate(step, calls, batch):
    t0 = time.process_time()
    for _ in range(calls):
        step()
    return calls * batch / (time.process_time() - t0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*", default=["lstm", "gru", "rnn"])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--calls", type=int, default=10, help="training steps per timed block")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=28)
    parser.add_argument("--hidden", type=int, default=128)
    args = parser.parse_args()
    import retrograd as rg

    try:
        import torch
    except ImportError:
        sys.exit("bench_rnn.py compares with PyTorch: pip install torch")
    rg.set_num_threads(1)
    torch.set_num_threads(1)
    print(f"one thread each, CPU time; batch {args.batch}, {args.steps} steps of {args.steps}, "
          f"hidden {args.hidden}; {args.rounds} rounds of {args.calls} steps each")
    print(f"{'model':6s} {'retrograd/s':>12s} {'PyTorch/s':>10s} {'ratio':>6s} {'rounds':>10s}")
    for kind in args.kinds:
        name = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}[kind]
        ours = _step(rg, name, args.batch, args.steps, args.hidden)
        theirs = _step(torch, name, args.batch, args.steps, args.hidden)
        for _ in range(3):
            ours(), theirs()
        pairs = [(_rate(ours, args.calls, args.batch), _rate(theirs, args.calls, args.batch))
                 for _ in range(args.rounds)]
        ratios = sorted(a / b for a, b in pairs)
        print(f"{kind:6s} {statistics.median(p[0] for p in pairs):12.0f} "
              f"{statistics.median(p[1] for p in pairs):10.0f} {statistics.median(ratios):5.2f}x "
              f"{ratios[0]:5.2f}-{ratios[-1]:.2f}", flush=True)


if __name__ == "__main__":
    main()
