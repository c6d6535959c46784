"""A PyTorch course script, unchanged except for the import line, which the test swaps.

Seeds the RNG, builds a Sequential MLP with default initialisation and Dropout, shuffles with
a DataLoader, trains with CrossEntropyLoss and SGD with momentum, and prints the losses.
"""

import sys

if sys.argv[1:] == ["torch"]:
    import torch
else:
    import glasstorch as torch

nn = torch.nn  # `from torch import nn` would import the real torch: keep to `torch.` names

torch.manual_seed(0)
X = torch.randn(256, 20)
true_w = torch.randn(20, 4)
y = (X @ true_w).argmax(dim=1)

dataset = torch.utils.data.TensorDataset(X, y)
loader = torch.utils.data.DataLoader(dataset, batch_size=32, shuffle=True)

model = nn.Sequential(
    nn.Linear(20, 64),
    nn.ReLU(),
    nn.Dropout(p=0.2),
    nn.Linear(64, 4),
)
print(model)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

for epoch in range(5):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        acc = (model(X).argmax(1) == y).float().mean().item()
    print(f"epoch {epoch}: loss {total / len(dataset):.4f} accuracy {acc:.4f}")
print(model[0].bias[:4])
