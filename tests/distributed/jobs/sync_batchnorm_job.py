"""SyncBatchNorm on every rank's share of a batch equals BatchNorm2d over the whole batch:
outputs, input and parameter gradients, running statistics (float64; run with mpiexec -n 3,
ranks holding 2, 3, 4, ... samples)."""
import numpy as np

import retrograd as rg
import retrograd.distributed as dist
from retrograd import nn

dist.init_process_group("mpi")
rank, size = dist.get_rank(), dist.get_world_size()
sizes = [2 + r for r in range(size)]
start = sum(sizes[:rank])
mine = slice(start, start + sizes[rank])
g = np.random.default_rng(0)
x_all = g.standard_normal((sum(sizes), 3, 4, 5)) * 3 + 1
w_all = g.standard_normal(x_all.shape)  # loss = sum(y * w): a different weight per output

reference = nn.BatchNorm2d(3, momentum=0.3).double()
sync = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm2d(3, momentum=0.3).double())
assert isinstance(sync, nn.SyncBatchNorm)
for bn in (reference, sync):
    with rg.no_grad():
        bn.weight.copy_(rg.tensor([0.5, 1.5, -2.0]))
        bn.bias.copy_(rg.tensor([0.1, 0.2, 0.3]))

for step in range(2):
    x_ref = rg.tensor(x_all + step, requires_grad=True)
    y_ref = reference(x_ref)
    (y_ref * rg.tensor(w_all)).sum().backward()
    x = rg.tensor(x_all[mine] + step, requires_grad=True)
    y = sync(x)
    (y * rg.tensor(w_all[mine])).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), y_ref.detach().numpy()[mine], atol=1e-10)
    np.testing.assert_allclose(x.grad.numpy(), x_ref.grad.numpy()[mine], atol=1e-10)
    for name in ("weight", "bias"):  # each rank holds its share of the parameter gradient
        total = rg.tensor(getattr(sync, name).grad.numpy().copy())
        dist.all_reduce(total)
        np.testing.assert_allclose(total.numpy(), getattr(reference, name).grad.numpy(),
                                   atol=1e-10)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(sync, name).numpy(), getattr(reference, name).numpy(),
                                   atol=1e-12, err_msg=name)

sync.eval()
with rg.no_grad():
    np.testing.assert_allclose(sync(rg.tensor(x_all[mine])).numpy(),
                               reference.eval()(rg.tensor(x_all)).numpy()[mine], atol=1e-12)
print(f"rank {rank}: ok")

# Under DistributedDataParallel (whose buckets travel on a communicator of their own, while
# SyncBatchNorm's all-reduces run inside the same backward pass): training equals one process
# with BatchNorm on the union. Each rank's loss is its share of the union's mean, times the
# world size, which DDP's averaging divides out again.
from retrograd import optim  # noqa: E402
from retrograd.nn.parallel import DistributedDataParallel as DDP  # noqa: E402


def convnet():
    rg.manual_seed(1)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 2 * 3, 2)).double()


plain = convnet()
model = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(convnet()), bucket_cap_mb=1e-4)
opts = [optim.SGD(m.parameters(), lr=0.1, momentum=0.9) for m in (plain, model)]
for step in range(2):
    for opt in opts:
        opt.zero_grad()
    x = x_all * (1 + step)
    (plain(rg.tensor(x)) ** 2).sum().div(len(x)).backward()
    (model(rg.tensor(x[mine])) ** 2).sum().mul(size / len(x)).backward()
    for opt in opts:
        opt.step()
for (name, p), q in zip(model.module.named_parameters(), plain.parameters()):
    np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), atol=1e-10, err_msg=name)
np.testing.assert_allclose(model.module[1].running_var.numpy(), plain[1].running_var.numpy(),
                           atol=1e-12)
print(f"rank {rank}: ddp ok")
