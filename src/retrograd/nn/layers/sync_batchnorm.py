"""SyncBatchNorm: batch norm over the global batch of a data-parallel job, and the conversion of
a model's BatchNorm layers to it."""
from __future__ import annotations

from ...autograd.grad_mode import no_grad
from ...tensor import Tensor
from ..module import Module
from .norm import _BatchNorm


class SyncBatchNorm(_BatchNorm):
    """Batch norm over input (N, C, *) whose training statistics are the global batch's: the
    samples of every rank of ``process_group`` (default: all) together, so it equals BatchNorm
    over the union of the ranks' batches (which may differ in size). In eval mode, or in a single
    process, it is BatchNorm. Running statistics use the global count, as PyTorch's.

    >>> # model = nn.SyncBatchNorm.convert_sync_batchnorm(model)   # then DistributedDataParallel
    """

    _dims, _layout = tuple(range(2, 33)), "at least 2D (N, C, *)"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, process_group=None,
                 device=None, dtype=None) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _group(self):
        from ... import distributed as dist

        if not dist.is_initialized():
            return None
        group = dist.process_group.group_of(self.process_group)
        return group if group.size() > 1 else None

    def forward(self, input: Tensor) -> Tensor:
        group = self._group() if self.training else None
        if group is None:
            return super().forward(input)
        from ...distributed.sync_batch_norm import sync_batch_norm

        self._check_input_dim(input)
        factor = self._count_batch()
        y, mean, var, count = sync_batch_norm(input, self.weight, self.bias, self.eps, group)
        if self.track_running_stats:
            with no_grad():
                self.running_mean.array *= 1 - factor
                self.running_mean.array += factor * mean
                self.running_var.array *= 1 - factor
                self.running_var.array += (factor * count / (count - 1)) * var
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """``module`` with every BatchNorm1d/2d/3d inside replaced by a SyncBatchNorm that keeps
        its parameters, running statistics and train/eval mode (the same tensors)."""
        converted = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats, process_group)
            for name in ("weight", "bias"):
                if getattr(module, name) is not None:
                    setattr(converted, name, getattr(module, name))
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                converted.register_buffer(name, getattr(module, name))
            converted.training = module.training
        for name, child in module.named_children():
            converted.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return converted
