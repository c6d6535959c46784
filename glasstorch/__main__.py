"""``python -m glasstorch``: the same as the ``glasstorch`` command (glasstorch/teaching/cli/)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    # the command is a teaching add-on; this file only lets `python -m glasstorch` reach it
    from glasstorch.teaching.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
