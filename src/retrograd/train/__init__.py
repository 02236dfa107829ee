"""Training workflow: Trainer, callbacks, History, plots."""
from .callbacks import Callback, CSVLogger, EarlyStopping, LRSchedulerCallback, ModelCheckpoint
from .history import History
from .trainer import Trainer
from .tensorboard import TensorBoard  # writes with the optional tensorboard package, on use

__all__ = ["Trainer", "History", "Callback", "EarlyStopping", "ModelCheckpoint",
           "LRSchedulerCallback", "CSVLogger", "TensorBoard"]
