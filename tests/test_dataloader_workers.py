"""DataLoader with worker processes: same batches as num_workers=0 (and as torch), PyTorch's
per-worker seeding, IterableDataset sharding, errors from workers, dead and slow workers,
and no process left behind.

Kept small and fast: few workers, tiny datasets. Every test checks at the end that no child
process of the test process is still running (``no_orphans`` fixture).
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import random
import signal
import time

import numpy as np
import pytest
import torch
import torch.utils.data as tud
from test_data import assert_same, batches  # tests/ is on sys.path under pytest
from torch.utils.data._utils.worker import _generate_state as torch_generate_state

import glasstorch
import glasstorch.utils.data as gud
from glasstorch.utils.data._utils.worker import _generate_state


def _children(pid: int) -> list[int]:
    """Live (non-zombie) child processes of ``pid``, from /proc (no psutil)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may contain spaces, so split after the last ")".
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            kids.append(int(entry))
    return kids


@pytest.fixture(autouse=True)
def no_orphans():
    before = set(_children(os.getpid()))
    yield
    gc.collect()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        # reap finished children so they do not linger as zombies
        multiprocessing.active_children()
        extra = set(_children(os.getpid())) - before
        if not extra:
            break
        time.sleep(0.05)
    assert not extra, f"worker processes outlived the test: {sorted(extra)}"
    assert not [p for p in multiprocessing.active_children() if p.pid not in before]


# ----------------------------------------------------------------------------- datasets
class Squares:
    """Map-style: sample i is (tensor of i and i*i, int label)."""

    def __init__(self, lib, n: int) -> None:
        self.lib, self.n = lib, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        return self.lib.tensor([float(i), float(i * i)]), i % 3


class BlockStream:
    """Iterable: worker k yields the blocks k, k+W, k+2W... of ``block`` consecutive numbers,
    so round-robin collection reproduces 0, 1, 2, ... exactly."""

    def __init__(self, data, n: int, block: int) -> None:
        self.data, self.n, self.block = data, n, block

    def __iter__(self):
        info = self.data.get_worker_info()
        wid, nw = (0, 1) if info is None else (info.id, info.num_workers)
        for start in range(wid * self.block, self.n, nw * self.block):
            yield from range(start, min(start + self.block, self.n))


def block_stream(data, n, block):
    cls = type("Stream", (BlockStream, data.IterableDataset), {})
    return cls(data, n, block)


class Sharded:
    """Iterable sharded the textbook way: worker k takes range(k*n/W, (k+1)*n/W)."""

    def __init__(self, data, n: int) -> None:
        self.data, self.n = data, n

    def __iter__(self):
        info = self.data.get_worker_info()
        if info is None:
            return iter(range(self.n))
        per = math.ceil(self.n / info.num_workers)
        return iter(range(info.id * per, min(self.n, (info.id + 1) * per)))


def sharded(data, n):
    return type("ShardedDS", (Sharded, data.IterableDataset), {})(data, n)


class SeedProbe:
    """Reports what the worker's generators and WorkerInfo look like."""

    def __init__(self, lib, data, n: int) -> None:
        self.lib, self.data, self.n = lib, data, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        info = self.data.get_worker_info()
        return {
            "i": i,
            "id": info.id,
            "num_workers": info.num_workers,
            "seed": info.seed,
            "same_dataset": info.dataset is self,
            "py": random.random(),
            "np": float(np.random.random()),
            "init": getattr(self, "init_value", -1.0),
        }


class Failing:
    def __init__(self, bad: int) -> None:
        self.bad = bad

    def __len__(self) -> int:
        return 8

    def __getitem__(self, i):
        if i == self.bad:
            raise ValueError(f"sample {i} is broken")
        return i


class KeyFailing(Failing):
    def __getitem__(self, i):
        return {}["missing"] if i == self.bad else i


class Slow:
    def __init__(self, delay: float, n: int = 100) -> None:
        self.delay, self.n = delay, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if i > 0:
            time.sleep(self.delay)
        return i


def record_init(worker_id):
    info = gud.get_worker_info() or tud.get_worker_info()
    info.dataset.init_value = float(np.random.random())


# ----------------------------------------------------------------------------- same batches
@pytest.mark.parametrize("num_workers", [1, 2])
def test_map_dataset_workers_match_single_process(num_workers):
    ds = Squares(glasstorch, 29)
    ref = batches(gud.DataLoader(ds, batch_size=4))
    got = batches(gud.DataLoader(ds, batch_size=4, num_workers=num_workers))
    assert_same(ref, got)
    t_ref = batches(tud.DataLoader(Squares(torch, 29), batch_size=4))
    assert_same(got, t_ref)


def test_tensor_dataset_fast_path_in_workers_and_shuffle():
    x = glasstorch.from_numpy(np.arange(60, dtype=np.float32).reshape(30, 2))
    y = glasstorch.arange(30)
    ds = gud.TensorDataset(x, y)
    outs = []
    for workers in (0, 2):
        loader = gud.DataLoader(ds, batch_size=7, shuffle=True, num_workers=workers,
                                generator=glasstorch.Generator().manual_seed(5))
        outs.append([batches(loader) for _ in range(2)])
    assert_same(outs[0], outs[1])


def test_global_seed_shuffle_workers_match_single_process():
    ds = Squares(glasstorch, 17)
    outs = []
    for workers in (0, 2):
        glasstorch.manual_seed(21)
        loader = gud.DataLoader(ds, batch_size=5, shuffle=True, num_workers=workers)
        outs.append([batches(loader) for _ in range(2)] + [glasstorch.rand(2)])
    assert_same(outs[0], outs[1])
    torch.manual_seed(21)
    loader = tud.DataLoader(Squares(torch, 17), batch_size=5, shuffle=True, num_workers=2)
    assert_same(outs[1], [batches(loader) for _ in range(2)] + [torch.rand(2)])


def test_out_of_order_delivery_yields_every_batch():
    ds = Squares(glasstorch, 21)
    ref = list(gud.DataLoader(ds, batch_size=4))
    got = list(gud.DataLoader(ds, batch_size=4, num_workers=2, in_order=False))
    key = lambda b: float(b[0][0, 0])  # noqa: E731  first value of the batch
    assert len(got) == len(ref)
    for a, b in zip(sorted(ref, key=key), sorted(got, key=key)):
        assert_same(a, b)


def test_batch_size_none_and_drop_last_with_workers():
    ds = Squares(glasstorch, 11)
    for kwargs in (dict(batch_size=None), dict(batch_size=3, drop_last=True)):
        ref = batches(gud.DataLoader(ds, **kwargs))
        assert_same(ref, batches(gud.DataLoader(ds, num_workers=2, **kwargs)))


def test_iterable_block_sharding_matches_single_process_and_torch():
    for bs in (4, None):
        ref = batches(gud.DataLoader(block_stream(gud, 22, bs or 1), batch_size=bs))
        got = batches(gud.DataLoader(block_stream(gud, 22, bs or 1), batch_size=bs,
                                     num_workers=2))
        assert_same(ref, got)
        t = batches(tud.DataLoader(block_stream(tud, 22, bs or 1), batch_size=bs,
                                   num_workers=2))
        assert_same(got, t)


def test_iterable_range_sharding_matches_torch():
    got = batches(gud.DataLoader(sharded(gud, 13), batch_size=3, num_workers=2))
    ref = batches(tud.DataLoader(sharded(tud, 13), batch_size=3, num_workers=2))
    assert_same(got, ref)


def test_persistent_workers_keep_processes_and_batches():
    ds = Squares(glasstorch, 13)
    loader = gud.DataLoader(ds, batch_size=4, num_workers=2, persistent_workers=True)
    first_it = iter(loader)
    first = list(first_it)
    pids = [w.pid for w in first_it._workers]
    second_it = iter(loader)
    second = list(second_it)
    assert second_it is first_it and [w.pid for w in second_it._workers] == pids
    assert_same(first, second)
    # an epoch abandoned half-way, then a full one
    it = iter(loader)
    next(it)
    assert_same(first, batches(loader))
    stream = gud.DataLoader(block_stream(gud, 10, 2), batch_size=2, num_workers=2,
                            persistent_workers=True)
    assert_same(batches(stream), batches(stream))
    del loader, first_it, second_it, it, stream


# ----------------------------------------------------------------------------- seeding
def test_worker_seeding_follows_torch():
    ds = SeedProbe(glasstorch, gud, 6)
    loader = gud.DataLoader(ds, batch_size=None, num_workers=2, worker_init_fn=record_init,
                            generator=glasstorch.Generator().manual_seed(0))
    rows = list(loader)
    seeds = {r["id"]: r["seed"] for r in rows}
    base = seeds[0]
    assert seeds[1] == base + 1
    for r in rows:
        assert r["num_workers"] == 2 and r["same_dataset"] and r["i"] % 2 == r["id"]
    for wid in (0, 1):
        mine = [r for r in rows if r["id"] == wid]
        py = random.Random(base + wid)
        np_rng = np.random.RandomState(torch_generate_state(base, wid))
        assert mine[0]["init"] == np_rng.random_sample()  # init_fn ran after seeding
        for r in mine:
            assert r["py"] == py.random()
            assert r["np"] == np_rng.random_sample()
    # a new epoch draws a new base seed
    assert {r["seed"] for r in loader} != set(seeds.values())


def test_worker_seeds_and_streams_same_as_torch():
    """Same generator seed -> same base_seed -> every worker's seed, Python, NumPy and
    worker_init_fn draws equal PyTorch's."""

    def run(lib, data):
        ds = SeedProbe(lib, data, 6)
        loader = data.DataLoader(ds, batch_size=None, num_workers=2, worker_init_fn=record_init,
                                 generator=lib.Generator().manual_seed(3))
        rows = list(loader)
        lib.manual_seed(4)  # and with the global generator
        rows += list(data.DataLoader(ds, batch_size=None, num_workers=2))
        return rows

    t, g = run(torch, tud), run(glasstorch, gud)
    assert t == g


def test_numpy_worker_state_is_torchs_hash():
    rng = random.Random(0)
    for _ in range(200):
        base, wid = rng.getrandbits(63), rng.randrange(16)
        assert _generate_state(base, wid) == torch_generate_state(base, wid)


def test_worker_glasstorch_generator_seeded_with_base_plus_id():
    class Draw:
        def __len__(self):
            return 2

        def __getitem__(self, i):
            info = gud.get_worker_info()
            return info.seed, float(glasstorch.rand(1)[0])

    for seed, value in gud.DataLoader(Draw(), batch_size=None, num_workers=2):
        glasstorch.manual_seed(seed)
        assert value == float(glasstorch.rand(1)[0])


# ----------------------------------------------------------------------------- failures
def test_worker_exception_reraised_with_traceback():
    errors = []
    for data in (tud, gud):
        it = iter(data.DataLoader(Failing(5), batch_size=2, num_workers=2))
        try:
            with pytest.raises(ValueError) as info:
                list(it)
        finally:
            it._shutdown_workers()  # do not wait for the garbage collector
        errors.append(str(info.value))
    t, g = errors
    assert g.splitlines()[0] == t.splitlines()[0] == (
        "Caught ValueError in DataLoader worker process 0."
    )
    assert g.splitlines()[1] == "Original Traceback (most recent call last):"
    assert "in __getitem__" in g and g.rstrip().endswith("ValueError: sample 5 is broken")


def test_worker_key_error_stays_readable():
    with pytest.raises(KeyError) as info:
        list(gud.DataLoader(KeyFailing(1), batch_size=None, num_workers=1))
    assert "Caught KeyError in DataLoader worker process 0." in str(info.value)


def test_worker_init_fn_error_surfaces():
    def bad_init(worker_id):
        raise RuntimeError(f"init {worker_id} failed")

    with pytest.raises(RuntimeError, match="Caught RuntimeError in DataLoader worker process"):
        list(gud.DataLoader(Squares(glasstorch, 4), num_workers=1, worker_init_fn=bad_init))


def test_killed_worker_raises_promptly():
    loader = gud.DataLoader(Slow(0.02), batch_size=2, num_workers=2)
    it = iter(loader)
    next(it)
    victim = it._workers[1].pid
    os.kill(victim, signal.SIGKILL)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=rf"DataLoader worker \(pid\(s\) {victim}\) exited"):
        for _ in it:
            pass
    # a liveness bound, not a benchmark: without the check this would hang forever
    assert time.monotonic() - start < 10
    del it


def test_timeout_raises():
    loader = gud.DataLoader(Slow(1.0, n=4), batch_size=None, num_workers=1, timeout=0.3)
    it = iter(loader)
    next(it)  # sample 0 is instant
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.3 seconds$"):
        next(it)
    del it


# ----------------------------------------------------------------------------- cleanup
def test_break_and_delete_leave_no_processes():
    loader = gud.DataLoader(Squares(glasstorch, 40), batch_size=2, num_workers=2)
    for i, _ in enumerate(loader):
        if i == 2:
            break
    persistent = gud.DataLoader(Squares(glasstorch, 40), batch_size=2, num_workers=2,
                                persistent_workers=True)
    next(iter(persistent))
    pids = [w.pid for w in persistent._iterator._workers]
    del persistent
    gc.collect()
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"


def test_interpreter_exit_leaves_no_workers(tmp_path):
    script = tmp_path / "run.py"
    pidfile = tmp_path / "pids"
    script.write_text(
        "import glasstorch, glasstorch.utils.data as gud\n"
        "class D:\n"
        "    def __len__(self): return 100\n"
        "    def __getitem__(self, i): return i\n"
        "it = iter(gud.DataLoader(D(), batch_size=2, num_workers=2, persistent_workers=True))\n"
        "next(it)\n"
        f"open({str(pidfile)!r}, 'w').write(' '.join(str(w.pid) for w in it._workers))\n"
    )
    import subprocess
    import sys

    subprocess.run([sys.executable, str(script)], check=True, timeout=60,
                   cwd=os.path.dirname(os.path.dirname(__file__)))
    deadline = time.monotonic() + 10
    pids = [int(p) for p in pidfile.read_text().split()]
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{p}") for p in pids):
        time.sleep(0.05)
    assert not any(os.path.exists(f"/proc/{p}") and not _is_zombie(p) for p in pids)


@pytest.mark.parametrize("starting", [False, True])
def test_workers_exit_when_parent_is_killed(tmp_path, starting):
    """SIGKILL the main process: its workers notice the new parent and exit, also a worker
    still starting up (in worker_init_fn) when the main process dies. (That one used to read
    its parent's pid only after the parent had died, and then waited forever: on a busy
    machine any worker could be that late.)"""
    script = tmp_path / "run.py"
    pidfile = tmp_path / "pids"
    script.write_text(
        "import os, time, glasstorch, glasstorch.utils.data as gud\n"
        "class D:\n"
        "    def __len__(self): return 100\n"
        "    def __getitem__(self, i): return i\n"
        "def init(worker_id):\n"
        f"    if worker_id == 1 and {starting}: time.sleep(0.5)  # batch 0 comes from worker 0\n"
        "it = iter(gud.DataLoader(D(), batch_size=2, num_workers=2, worker_init_fn=init))\n"
        "next(it)\n"
        f"open({str(pidfile)!r}, 'w').write(' '.join(str(w.pid) for w in it._workers))\n"
        "os.kill(os.getpid(), 9)\n"
    )
    import subprocess
    import sys

    subprocess.run([sys.executable, str(script)], timeout=60,
                   cwd=os.path.dirname(os.path.dirname(__file__)))
    pids = [int(p) for p in pidfile.read_text().split()]
    # measured from the main process's death; a liveness bound (they take ~0.2 s), not a timing
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(
        os.path.exists(f"/proc/{p}") and not _is_zombie(p) for p in pids
    ):
        time.sleep(0.1)
    alive = [p for p in pids if os.path.exists(f"/proc/{p}") and not _is_zombie(p)]
    for p in alive:  # a failed run must not leave them behind (nothing else would end them)
        os.kill(p, signal.SIGKILL)
    assert not alive, "workers outlived their killed main process"
