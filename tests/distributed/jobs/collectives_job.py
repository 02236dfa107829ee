"""Every collective against NumPy, on every rank (run with mpiexec -n 2 or 3)."""
import numpy as np

import retrograd as rg
import retrograd.distributed as dist

dist.init_process_group("mpi")
rank, size = dist.get_rank(), dist.get_world_size()
ranks = np.arange(size)


def data(r, dtype=np.float64):
    """Rank r's input: distinct per rank, shape (2, 3)."""
    return (np.arange(6).reshape(2, 3) + 10 * r + 1).astype(dtype)


every = np.stack([data(r) for r in ranks])
expected = {dist.ReduceOp.SUM: every.sum(0), dist.ReduceOp.AVG: every.mean(0),
            dist.ReduceOp.PRODUCT: every.prod(0), dist.ReduceOp.MIN: every.min(0),
            dist.ReduceOp.MAX: every.max(0)}
for op, want in expected.items():
    t = rg.tensor(data(rank))
    assert dist.all_reduce(t, op=op) is None
    np.testing.assert_allclose(t.numpy(), want, rtol=1e-12, err_msg=op)
    t = rg.tensor(data(rank))
    dist.reduce(t, dst=size - 1, op=op)
    np.testing.assert_allclose(t.numpy(), want if rank == size - 1 else data(rank), rtol=1e-12)

t = rg.tensor(data(rank, np.int64))
work = dist.all_reduce(t, async_op=True)
work.wait()
assert work.is_completed() and t.dtype == np.int64
np.testing.assert_array_equal(t.numpy(), every.sum(0).astype(np.int64))

t = rg.tensor(data(rank, np.float32))
dist.broadcast(t, src=1)
np.testing.assert_array_equal(t.numpy(), data(1, np.float32))

out = [rg.zeros(2, 3, dtype=rg.float64) for _ in ranks]
dist.all_gather(out, rg.tensor(data(rank)), async_op=True).wait()
np.testing.assert_array_equal(np.stack([o.numpy() for o in out]), every)

out = [rg.zeros(2, 3, dtype=rg.float64) for _ in ranks] if rank == 0 else None
dist.gather(rg.tensor(data(rank)), out, dst=0)
if rank == 0:
    np.testing.assert_array_equal(np.stack([o.numpy() for o in out]), every)

t = rg.zeros(2, 3, dtype=rg.float64)
dist.scatter(t, [rg.tensor(data(r)) for r in ranks] if rank == 1 else None, src=1)
np.testing.assert_array_equal(t.numpy(), data(rank))

objects = [None] * size
dist.all_gather_object(objects, {"rank": rank, "name": f"r{rank}"})
assert objects == [{"rank": r, "name": f"r{r}"} for r in ranks]
objects = ["mine", rank] if rank == 0 else [None, None]
dist.broadcast_object_list(objects, src=0)
assert objects == ["mine", 0]

try:
    dist.reduce(rg.tensor(data(rank, np.int64)), op=dist.ReduceOp.AVG)
except TypeError as e:
    assert "floating-point" in str(e)
else:
    raise AssertionError("an integer average was accepted")
try:
    dist.all_reduce(rg.tensor(data(rank)).T)
except ValueError as e:
    assert "contiguous" in str(e)
else:
    raise AssertionError("a non-contiguous tensor was accepted")
try:
    dist.broadcast(rg.zeros(2), src=size)
except ValueError as e:
    assert f"rank {size}" in str(e)
else:
    raise AssertionError("a rank outside the group was accepted")

# The differentiable all_reduce: its gradient is the sum of every rank's output gradients.
from retrograd.distributed.autograd_ops import all_reduce as all_reduce_grad  # noqa: E402

x = rg.tensor(data(rank), requires_grad=True)
y = all_reduce_grad(x)
(y * (rank + 1)).sum().backward()
np.testing.assert_allclose(y.detach().numpy(), every.sum(0))
np.testing.assert_allclose(x.grad.numpy(), np.full((2, 3), (ranks + 1).sum()))

# A group of the first and the last rank: its collectives involve only its members.
group = dist.new_group([0, size - 1])
if rank in (0, size - 1):
    t = rg.tensor([float(rank + 1)])
    dist.all_reduce(t, group=group)
    assert t.item() == 1.0 + size and dist.get_world_size(group) == 2
else:
    assert group is None

# DistributedSampler takes rank and size from the group; the ranks' shares of an epoch cover
# the 10 samples once (padded to equal shares by repeating the first of the epoch's order).
from retrograd.data import DistributedSampler  # noqa: E402

sampler = DistributedSampler(range(10), seed=3)
sampler.set_epoch(2)
shares = [None] * size
dist.all_gather_object(shares, list(sampler))
every_index = [i for share in shares for i in share]
assert sorted(set(every_index)) == list(range(10)) and len(every_index) == -(-10 // size) * size
assert all(len(share) == len(sampler) for share in shares)

# Every rank runs on this machine, and by default takes its share of the cores (mpiexec
# does not pin ranks here); OMP_NUM_THREADS, when set, wins.
import os  # noqa: E402

assert dist.local_world_size() == size
os.environ["OMP_NUM_THREADS"] = "3"
assert dist.cores_per_rank() == 3
del os.environ["OMP_NUM_THREADS"]
assert dist.cores_per_rank() == max(1, os.cpu_count() // size), dist.cores_per_rank()

dist.barrier()
dist.destroy_process_group()
assert not dist.is_initialized()
print(f"rank {rank} of {size}: ok")
