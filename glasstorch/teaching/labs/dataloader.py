"""The DataLoader: how samples are grouped into batches, with and without shuffling.

A ``TensorDataset`` of 10 samples (each carries its own index, so every batch says which
samples it holds) is read for 3 epochs by a real ``DataLoader(batch_size=4)``:

* ``shuffle=False``: the same order 0..9 every epoch; batches [0-3], [4-7], [8, 9]: the last
  batch is short, because 10 is not a multiple of 4;
* ``shuffle=True``: a new random permutation every epoch (drawn from the loader's generator),
  so every sample is still seen exactly once per epoch, in different company;
* ``shuffle=True, drop_last=True``: the short last batch is dropped; 2 batches of 4 per epoch,
  and each epoch different samples miss out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import glasstorch as torch
from glasstorch.labs._common import pyplot, save, table
from glasstorch.utils.data import DataLoader, TensorDataset

N, BATCH, EPOCHS = 10, 4, 3
CONFIGS = {
    "shuffle=False": {"shuffle": False, "drop_last": False},
    "shuffle=True": {"shuffle": True, "drop_last": False},
    "shuffle=True, drop_last=True": {"shuffle": True, "drop_last": True},
}


def epochs_of(loader: DataLoader, epochs: int) -> list[list[list[int]]]:
    """For each epoch, the list of batches, each the list of sample indices it holds."""
    out = []
    for _ in range(epochs):
        # Each `for` over the loader is one epoch; a shuffling loader draws a new order here.
        out.append([index.tolist() for _features, index in loader])
    return out


def run(out_dir: str, seed: int = 0, quick: bool = False) -> dict[str, Any]:
    torch.manual_seed(seed)
    dataset = TensorDataset(torch.randn(N, 3), torch.arange(N))
    results = {}
    for name, cfg in CONFIGS.items():
        loader = DataLoader(dataset, batch_size=BATCH, generator=torch.Generator().manual_seed(
            seed), **cfg)
        results[name] = {"epochs": epochs_of(loader, EPOCHS), "len": len(loader)}

    summary: dict[str, Any] = {"samples": N, "batch_size": BATCH, "epochs": EPOCHS,
                               "configs": {}}
    rows = []
    for name, r in results.items():
        eps = r["epochs"]
        seen = [sorted(i for b in ep for i in b) for ep in eps]
        entry = {
            "batches_per_epoch": len(eps[0]),
            "len_loader": r["len"],
            "batch_sizes": [len(b) for b in eps[0]],
            "last_batch_size": len(eps[0][-1]),
            "every_epoch_a_permutation": all(s == list(range(N)) for s in seen),
            "no_repeats_within_epoch": all(len(set(s)) == len(s) for s in seen),
            "orders_differ_between_epochs": len({tuple(i for b in ep for i in b)
                                                 for ep in eps}) > 1,
            "dropped_per_epoch": [sorted(set(range(N)) - set(s)) for s in seen],
            "batches": eps,
        }
        summary["configs"][name] = entry
        rows.append([name, entry["batches_per_epoch"], entry["last_batch_size"],
                     str(entry["every_epoch_a_permutation"]),
                     str(entry["orders_differ_between_epochs"]),
                     " ".join(str(d) for d in entry["dropped_per_epoch"]) if CONFIGS[name][
                         "drop_last"] else "-"])
    print(f"TensorDataset of {N} samples, DataLoader(batch_size={BATCH}), {EPOCHS} epochs")
    print(table(["DataLoader", "batches", "last batch", "permutation", "order changes",
                 "dropped"], rows))
    for name, r in results.items():
        print(f"\n{name}:")
        for e, ep in enumerate(r["epochs"], 1):
            print(f"  epoch {e}: " + "  ".join(str(b) for b in ep))

    plt = pyplot()
    cmap = plt.get_cmap("tab10")
    fig, axes = plt.subplots(len(CONFIGS), 1, figsize=(9, 2.2 * len(CONFIGS) + 0.6))
    for ax, (name, r) in zip(axes, results.items()):
        for e, ep in enumerate(r["epochs"]):
            pos = 0
            for b, batch in enumerate(ep):
                for i in batch:
                    ax.add_patch(plt.Rectangle((pos, e), 0.95, 0.9, color=cmap(b), alpha=0.75))
                    ax.text(pos + 0.47, e + 0.45, str(i), ha="center", va="center",
                            fontsize=12, color="white", weight="bold")
                    pos += 1
                pos += 0.3  # a gap between batches
            dropped = sorted(set(range(N)) - {i for bb in ep for i in bb})
            for i in dropped:
                ax.add_patch(plt.Rectangle((pos, e), 0.95, 0.9, facecolor="white",
                                           edgecolor="0.5", hatch="//"))
                ax.text(pos + 0.47, e + 0.45, str(i), ha="center", va="center", fontsize=12,
                        color="0.4")
                pos += 1
        ax.set_xlim(-0.2, N + 1.5)
        ax.set_ylim(EPOCHS, -0.1)
        ax.set_yticks([e + 0.45 for e in range(EPOCHS)])
        ax.set_yticklabels([f"epoch {e + 1}" for e in range(EPOCHS)])
        ax.set_xticks([])
        ax.set_title(f"DataLoader(batch_size={BATCH}, {name}): {r['len']} batches"
                     + (" (hatched: dropped)" if CONFIGS[name]["drop_last"] else ""))
        for s in ax.spines.values():
            s.set_visible(False)
    fig.suptitle("sample indices in the order the loader yields them; colour = batch")
    plots = [save(fig, out_dir, "dataloader_batches.png")]

    # Which batch each sample fell into, epoch by epoch (-1: dropped).
    fig, axes = plt.subplots(1, len(CONFIGS), figsize=(12, 4.2), sharey=True)
    for ax, (name, r) in zip(axes, results.items()):
        where = np.full((N, EPOCHS), -1)
        for e, ep in enumerate(r["epochs"]):
            for b, batch in enumerate(ep):
                where[batch, e] = b
        colors = np.ones((N, EPOCHS, 3))
        for i in range(N):
            for e in range(EPOCHS):
                if where[i, e] >= 0:
                    colors[i, e] = cmap(where[i, e])[:3]
        ax.imshow(colors, aspect="auto")
        for i in range(N):
            for e in range(EPOCHS):
                ax.text(e, i, "dropped" if where[i, e] < 0 else f"batch {where[i, e]}",
                        ha="center", va="center", fontsize=8)
        ax.set_xticks(range(EPOCHS))
        ax.set_xticklabels([f"epoch {e + 1}" for e in range(EPOCHS)])
        ax.set_title(name, fontsize=10)
    axes[0].set_yticks(range(N))
    axes[0].set_ylabel("sample index")
    fig.suptitle("which batch each sample lands in")
    plots.append(save(fig, out_dir, "dataloader_assignment.png"))
    return {"summary": summary, "plots": plots}
