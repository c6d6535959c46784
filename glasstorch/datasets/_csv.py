"""A learner's own table as a dataset: ``load_csv("houses.csv", target="price")``.

Only the standard library's ``csv`` module and NumPy: the first row names the columns, every
other row is one example. All columns but the target must be numbers (they become float32
features); the target may be numbers or words. Class labels are numbered in sorted order, so
``["cat", "dog"]`` always maps cat -> 0 and dog -> 1, whatever order the rows come in.
Features are returned as they are; standardise them with :class:`Standardize` fitted on the
training split (``glasstorch train --csv`` does).
"""

from __future__ import annotations

import csv
import os

import numpy as np

from glasstorch.datasets._bundled import BundledDataset

__all__ = ["load_csv"]

# An integer target with at most this many distinct values is taken as class labels.
_MAX_INT_CLASSES = 20


class CSVError(ValueError):
    """A problem with the file's contents, said in one line."""


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _read_rows(path: str) -> tuple[list[str], list[list[str]]]:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such file: {path!r}")
    with open(path, newline="", encoding="utf-8-sig") as f:  # -sig: a BOM from spreadsheets
        rows = [row for row in csv.reader(f) if any(cell.strip() for cell in row)]
    if not rows:
        raise CSVError(f"{path}: the file is empty (the first row must name the columns)")
    header = [name.strip() for name in rows[0]]
    body = rows[1:]
    if not body:
        raise CSVError(f"{path}: there is a header but no data rows")
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise CSVError(f"{path}, line {line}: {len(row)} values but the header names "
                           f"{len(header)} columns")
    return header, body


def infer_task(values: list[str]) -> str:
    """``"regression"`` for numbers with many distinct values, otherwise classes
    (``"binary"`` for two of them, ``"multiclass"`` for more)."""
    numbers = [_number(v) for v in values]
    distinct = set(values)
    if all(n is not None for n in numbers):
        as_float = np.array(numbers, dtype=np.float64)
        integral = bool(np.all(as_float == np.round(as_float)))
        if not integral or len(set(as_float.tolist())) > _MAX_INT_CLASSES:
            return "regression"
        distinct = set(as_float.tolist())
    return "binary" if len(distinct) == 2 else "multiclass"


def load_csv(path: str, target: str, task: str | None = None) -> BundledDataset:
    """Read ``path`` into a dataset of ``(features, targets)``.

    ``target`` names the column to predict. ``task`` is ``"classification"``, ``"regression"``
    (or one of ``"binary"`` / ``"multiclass"``); if None it is guessed: words, or whole
    numbers with at most 20 distinct values, are classes; other numbers are a regression.
    Raises FileNotFoundError for a missing file and ValueError (one line, naming the column
    and line) for a missing column, a feature that is not a number or an empty cell.
    """
    header, body = _read_rows(path)
    if target not in header:
        raise CSVError(f"{path}: no column named {target!r}; the columns are "
                       f"{', '.join(header)}")
    t = header.index(target)
    targets = [row[t].strip() for row in body]
    for line, value in enumerate(targets, start=2):
        if value == "":
            raise CSVError(f"{path}, line {line}: the target column {target!r} is empty")
    names = [name for i, name in enumerate(header) if i != t]
    if not names:
        raise CSVError(f"{path}: the target {target!r} is the only column; there are no "
                       "features to learn from")
    features = np.empty((len(body), len(names)), dtype=np.float32)
    columns = [i for i in range(len(header)) if i != t]
    for r, row in enumerate(body):
        line = r + 2
        for j, i in enumerate(columns):
            value = _number(row[i].strip())
            if value is None:
                what = "is empty" if not row[i].strip() else f"is {row[i].strip()!r}"
                raise CSVError(f"{path}, line {line}: feature column {header[i]!r} {what}, "
                               "not a number (features must be numeric; drop or encode it)")
            features[r, j] = value

    kind = _resolve_task(task, targets)
    import glasstorch

    class_names = None
    if kind == "regression":
        numbers = [_number(v) for v in targets]
        bad = next((i for i, n in enumerate(numbers) if n is None), None)
        if bad is not None:
            raise CSVError(f"{path}, line {bad + 2}: the target {targets[bad]!r} is not a number "
                           "(a regression needs numeric targets; use --task classification)")
        y = glasstorch.from_numpy(np.array(numbers, dtype=np.float32).reshape(-1, 1))
    else:
        canonical = [_tidy(v) for v in targets]
        labels = sorted(set(canonical), key=_class_order)
        index = {label: k for k, label in enumerate(labels)}
        class_names = labels
        y = glasstorch.from_numpy(np.array([index[v] for v in canonical], dtype=np.int64))
        if len(labels) < 2:
            raise CSVError(f"{path}: the target {target!r} has only one class "
                           f"({class_names[0]!r}); there is nothing to tell apart")
        kind = "binary" if len(labels) == 2 else "multiclass"
    stem = os.path.splitext(os.path.basename(path))[0]
    return BundledDataset(glasstorch.from_numpy(features), y, name=stem, task=kind,
                          feature_names=names, class_names=class_names,
                          description=f"{path}: predict {target!r} from {len(names)} columns",
                          source=os.path.abspath(path))


def _resolve_task(task: str | None, targets: list[str]) -> str:
    if task is None:
        return infer_task(targets)
    if task in ("classification", "binary", "multiclass"):
        return "multiclass"  # the number of classes decides binary vs multiclass
    if task == "regression":
        return "regression"
    raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")


def _class_order(label: str) -> tuple[int, float, str]:
    """Numbers in numeric order (2 before 10), then words alphabetically."""
    n = _number(label)
    return (0, n, "") if n is not None else (1, 0.0, label)


def _tidy(label: str) -> str:
    """'1.0' and '1' name the same class: show whole numbers without a decimal point."""
    n = _number(label)
    if n is not None and n == round(n):
        return str(int(n))
    return label
