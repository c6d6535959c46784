"""A PyTorch script exactly as a course writes it: `import torch`, `from torch import nn`."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

print("backend", torch.__name__)
torch.manual_seed(1)
X, y = torch.randn(64, 3), torch.randint(0, 2, (64,))
model = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 2))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(3):
    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True):
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(f"epoch {epoch} loss {loss.item():.4f}")
print(model)
