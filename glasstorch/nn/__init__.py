"""glasstorch.nn: modules (layers and models), parameters, functional forms and initialisers."""

from . import functional, init, utils
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter

__all__ = ["Parameter", "Buffer", "functional", "init", *_modules_all]
