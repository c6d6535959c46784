"""``python -m bench``: the whole benchmark suite (see bench/run.py for the options)."""

from bench.run import main

main()
