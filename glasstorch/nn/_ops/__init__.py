"""The nodes of ``nn.functional``: forward and backward side by side, one file per family as in
ATen (activation, loss, normalization, padding, embedding, rnn, attention), plus
``binary_ops``: the few Tensor-and-number operations PyTorch's C++ composites record that the
core does not have yet.

Only Node classes live here; the public functions that run them are in ``nn/functional.py`` and
their argument checks in ``nn/_checks.py``.
"""
