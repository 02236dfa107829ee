"""Rank 1 raises while the other ranks wait in a collective: under abort_on_error the job must
end at once with a non-zero exit, naming the rank and the error (argument "guarded"); plain
scripts get the same from ``python -m mpi4py`` (argument "plain"). With "interrupt PIDFILE",
rank 1 writes its process id and waits for a Ctrl-C (SIGINT) under abort_on_error."""
import os
import sys
import time

import retrograd as rg
import retrograd.distributed as dist

dist.init_process_group("mpi")


def body():
    if dist.get_rank() == 1 and sys.argv[1] == "interrupt":
        with open(sys.argv[2] + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.replace(sys.argv[2] + ".tmp", sys.argv[2])
        time.sleep(60)  # interrupted long before
    if dist.get_rank() == 1:
        time.sleep(0.2)  # the others are in the collective by now
        raise ZeroDivisionError("rank one cannot go on")
    dist.all_reduce(rg.zeros(3))


if sys.argv[1] in ("guarded", "interrupt"):
    with dist.abort_on_error():
        body()
else:
    body()
