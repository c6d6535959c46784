"""The grad_fn names glasstorch borrows, in one table.

A node class is named after the ``grad_fn`` PyTorch records for the same operation
(``MulBackward0``), so ``print(y)`` reads the same in both. A few glasstorch nodes cannot carry
their PyTorch name as their Python class name (it is not a valid or a unique class name, or
one glasstorch class stands for several PyTorch names); they keep an honest Python name in the
source and this table gives the name they print. ``Node.__init_subclass__`` applies it when the
class is defined, so the table is the only place a borrowed name is written.
"""

from __future__ import annotations

# Python class name -> (the grad_fn name PyTorch prints, why glasstorch borrows it)
BORROWED: dict[str, tuple[str, str]] = {
    "FloorDivideBackward": (
        "NotImplemented",
        "PyTorch defines no derivative for floor_divide and records a node of this name, "
        "whose backward raises",
    ),
    "HistogramBackward": (
        "NotImplemented",
        "PyTorch defines no derivative for histogram and records a node of this name, whose "
        "backward raises",
    ),
}


def printed_name(class_name: str) -> str:
    """The name a node class of ``class_name`` prints as its grad_fn."""
    entry = BORROWED.get(class_name)
    return class_name if entry is None else entry[0]
