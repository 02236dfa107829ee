"""SyncBatchNorm: BatchNorm over the global batch of a data-parallel job."""
import numpy as np

import retrograd as rg
from retrograd import nn


def test_sync_batchnorm_equals_batchnorm_over_the_global_batch(mpi_run):
    out = mpi_run(3, "jobs/sync_batchnorm_job.py")  # uneven: 2, 3 and 4 samples
    assert all(f"rank {r}: ok" in out and f"rank {r}: ddp ok" in out for r in range(3))


def test_convert_keeps_parameters_buffers_and_mode():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2),
                          nn.Sequential(nn.Flatten(), nn.BatchNorm1d(18, momentum=None)))
    model[2].eval()
    weight, mean = model[1].weight, model[2][1].running_mean
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert isinstance(converted[1], nn.SyncBatchNorm)
    assert isinstance(converted[2][1], nn.SyncBatchNorm)
    assert converted[1].weight is weight and converted[2][1].running_mean is mean
    assert converted[2][1].momentum is None and not converted[2][1].training
    assert list(converted.state_dict()) == list(model.state_dict())


def test_single_process_is_batchnorm():
    x = rg.randn(4, 2, 3)
    sync, plain = nn.SyncBatchNorm(2), nn.BatchNorm1d(2)
    np.testing.assert_array_equal(sync(x).detach().numpy(), plain(x).detach().numpy())
    np.testing.assert_array_equal(sync.running_var.numpy(), plain.running_var.numpy())
