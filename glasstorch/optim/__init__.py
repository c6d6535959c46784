"""glasstorch.optim: optimizers that update parameters in place from their gradients, and
learning-rate schedulers (``glasstorch.optim.lr_scheduler``)."""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "LBFGS",
           "lr_scheduler"]
