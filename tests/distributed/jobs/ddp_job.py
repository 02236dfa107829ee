"""DistributedDataParallel against one process training on the union of the ranks' batches
(float64, 1e-10), for two bucket sizes; no_sync accumulation; the module. prefix; unused
parameters (run with mpiexec -n 2)."""
import copy

import numpy as np

import retrograd as rg
import retrograd.distributed as dist
from retrograd import nn, optim
from retrograd.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
rank, size = dist.get_rank(), dist.get_world_size()
rg.set_default_dtype(rg.float64)
BATCH, STEPS = 4, 3


def make_model(seed):
    rg.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))


def batches(step):
    """Every rank's batch of this step: (size * BATCH, 5) inputs and class labels."""
    g = np.random.default_rng(100 + step)
    return g.standard_normal((size * BATCH, 5)), g.integers(0, 3, size * BATCH)


def mine(array):
    return rg.tensor(array[rank * BATCH:(rank + 1) * BATCH])


def same_on_all_ranks(model):
    for name, p in model.state_dict().items():
        everyone = [rg.zeros(*p.shape) for _ in range(size)]
        dist.all_gather(everyone, rg.tensor(np.ascontiguousarray(p.numpy())))
        for other in everyone[1:]:
            np.testing.assert_array_equal(other.numpy(), everyone[0].numpy(), err_msg=name)


def check_against_union(bucket_cap_mb, accumulate):
    model = make_model(seed=rank)  # different initial weights on every rank
    ddp = DDP(model, bucket_cap_mb=bucket_cap_mb)
    same_on_all_ranks(model)  # rank 0's weights everywhere
    reference = copy.deepcopy(model)
    opt = optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    ref_opt = optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for step in range(STEPS):
        opt.zero_grad()
        ref_opt.zero_grad()
        micro = [batches(10 * step + k) for k in range(accumulate)]
        for k, (x, y) in enumerate(micro):
            if k < accumulate - 1:
                with ddp.no_sync():
                    loss_fn(ddp(mine(x)), mine(y)).backward()
                if k == 0 and size > 1:  # unsynced: this rank's gradient only
                    grads = [rg.zeros(3) for _ in range(size)]
                    dist.all_gather(grads, rg.tensor(model[-1].bias.grad.numpy().copy()))
                    assert not np.allclose(grads[0].numpy(), grads[1].numpy())
            else:
                loss_fn(ddp(mine(x)), mine(y)).backward()
            loss_fn(reference(rg.tensor(x)), rg.tensor(y)).backward()
        opt.step()
        ref_opt.step()
    same_on_all_ranks(model)
    for (name, p), q in zip(model.named_parameters(), reference.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=0, atol=1e-10, err_msg=name)
    return ddp


ddp = check_against_union(bucket_cap_mb=25, accumulate=1)
assert len(ddp.reducer.buckets) == 1
assert list(ddp.state_dict())[:2] == ["module.0.weight", "module.0.bias"]
ddp = check_against_union(bucket_cap_mb=1e-4, accumulate=1)  # 104 bytes: a bucket per parameter
assert len(ddp.reducer.buckets) == 6
# Rebuilt after the first pass in the order gradients became final: a layer's weight, then its
# bias (registration order reversed would put the bias first).
assert [b.names for b in ddp.reducer.buckets[:2]] == [["4.weight"], ["4.bias"]]
assert ddp.reducer.launched_early >= 5 * STEPS  # started by hooks while backward still ran
check_against_union(bucket_cap_mb=1e-3, accumulate=2)


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk, self.a, self.b = nn.Linear(3, 4), nn.Linear(4, 2), nn.Linear(4, 2)

    def forward(self, x, head):
        return (self.a if head == "a" else self.b)(self.trunk(x))


x = rg.randn(2, 3)
ddp = DDP(TwoHeads(), bucket_cap_mb=1e-4)
try:
    ddp(x, "a").sum().backward()
except RuntimeError as e:
    assert "no gradient in this backward pass: b.weight, b.bias." in str(e), e
    assert "find_unused_parameters=True" in str(e), e
else:
    raise AssertionError("an unused parameter went unnoticed")
model = TwoHeads()
ddp = DDP(model, find_unused_parameters=True, bucket_cap_mb=1e-4)
ddp(x, "a").sum().backward()
assert model.a.weight.grad is not None
np.testing.assert_array_equal(model.b.weight.grad.numpy(), 0)

# Buffers: rank 0's at construction and at the start of every training forward.
bn = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
with rg.no_grad():
    bn[1].running_mean.fill_(float(rank))
ddp = DDP(bn)
assert bn[1].running_mean.tolist() == [0.0, 0.0]
with rg.no_grad():
    bn[1].running_mean.fill_(float(rank + 5))  # drifted apart
ddp(rg.ones(4, 3))  # the same batch everywhere: statistics from rank 0's buffers
expected = (0.9 * 5 + 0.1 * bn[0](rg.ones(4, 3)).detach().numpy().mean(0)).tolist()
np.testing.assert_allclose(bn[1].running_mean.numpy(), expected, rtol=1e-12)

if size > 1:
    frozen = nn.Linear(3, 4)
    frozen.bias.requires_grad_(rank == 0)
    try:
        DDP(frozen)
    except RuntimeError as e:
        assert "frozen parameter" in str(e), e
    else:
        raise AssertionError("a parameter trained on rank 0 only went unnoticed")
    try:
        DDP(nn.Linear(3, 4 + rank))
    except RuntimeError as e:
        assert "differs between ranks" in str(e) and "rank 1" in str(e), e
    else:
        raise AssertionError("different models on different ranks went unnoticed")
print(f"rank {rank}: ok")
