"""glasstorch.utils.data: datasets, samplers and the DataLoader (``torch.utils.data``).

Files, as in PyTorch: ``dataset.py`` (what a sample is), ``sampler.py`` (which indices, in
which order), ``dataloader.py`` (batches, shuffling, worker processes), ``_utils/collate.py``
(how samples become a batch), ``_utils/fetch.py`` (index -> batch, with the TensorDataset
fast path), ``_utils/worker.py`` (what runs inside a worker process).
"""

from .dataloader import (
    DataLoader,
    _DatasetKind,
    default_collate,
    default_convert,
    get_worker_info,
)
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "_DatasetKind",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]
