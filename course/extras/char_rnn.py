# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Extra: a character-level language model that invents names
#
# **By the end of this notebook you can**
#
# 1. turn text into a sequence of integer *tokens* (one per character) and back;
# 2. build the classic recurrent language model: *Embedding* (token -> vector), *LSTM* (reads
#    the sequence, carrying a memory from step to step), *Linear* (memory -> scores for the
#    next character);
# 3. train it to predict every next character of random windows of text (cross-entropy at
#    every position, *backpropagation through time*);
# 4. *sample* new text from it one character at a time, and steer it with a *temperature*.
#
# The text is 29,910 first names (every name given to at least 5 babies born in the USA in
# 2017), bundled with glasstorch: `glasstorch.datasets.load_names()`. Training takes well
# under a minute on a laptop CPU.
#
# Runs on glasstorch; set `COURSE_BACKEND=torch` (or change the marked import line) for
# PyTorch. `CHAR_RNN_STEPS` sets the number of training steps (default 400) and
# `CHAR_RNN_CELL=gru` swaps the LSTM for a GRU.

# %%
import os
import time

if os.environ.get("COURSE_BACKEND") == "torch":
    import torch
else:
    import glasstorch as torch  # the only line to change to run on PyTorch: `import torch`

import glasstorch.datasets  # the bundled names (under either backend)

nn = torch.nn  # write `torch.nn...`: `from torch import nn` would always import real PyTorch
F = torch.nn.functional

STEPS = int(os.environ.get("CHAR_RNN_STEPS", "400"))
CELL = os.environ.get("CHAR_RNN_CELL", "lstm")
torch.set_num_threads(1)  # small models train fastest on one thread (less waiting on others)
print("running on", torch.__name__)

# %% [markdown]
# ## 1. From text to tokens
#
# A model computes with numbers, so every character gets an integer: its position in the
# sorted *vocabulary*. We add one more character, `.`, to mark where a name ends (and so where
# the next one starts): the model must learn that names end, too. The whole data set becomes
# one long stream `.emma.liam.olivia. ...` of 27 possible tokens.

# %%
names = glasstorch.datasets.load_names()
print(len(names), "names:", names[:8])

chars = ["."] + sorted(set("".join(names)))  # "." is token 0
stoi = {c: i for i, c in enumerate(chars)}  # string -> integer
itos = dict(enumerate(chars))  # integer -> string
vocab_size = len(chars)
print("vocabulary:", "".join(chars), f"({vocab_size} tokens)")


def encode(text):
    return [stoi[c] for c in text]


def decode(tokens):
    return "".join(itos[int(t)] for t in tokens)


print(encode(".emma."), "->", decode(encode(".emma.")))

# %% [markdown]
# Keep the last 10% of the names apart to measure, at the end, how well the model predicts
# names it never saw. (The list is sorted by popularity, so shuffle it first, with a fixed
# seed so that every run uses the same split.)

# %%
g = torch.Generator().manual_seed(0)
order = torch.randperm(len(names), generator=g).tolist()
shuffled = [names[i] for i in order]
cut = int(0.9 * len(shuffled))
train_ids = torch.tensor(encode("." + ".".join(shuffled[:cut]) + "."))
val_ids = torch.tensor(encode("." + ".".join(shuffled[cut:]) + "."))
print("training tokens:", train_ids.numel(), " validation tokens:", val_ids.numel())

# %% [markdown]
# ## 2. The training examples: windows of text
#
# One example is a window of `SEQ` consecutive tokens, and its target is the same window moved
# one token to the right: at every position the model must predict the next character. A batch
# is `BATCH` windows at random places in the stream: inputs `x` and targets `y` of shape
# (BATCH, SEQ).

# %%
SEQ, BATCH = 32, 32


def get_batch(ids, generator):
    start = torch.randint(0, ids.numel() - SEQ - 1, (BATCH,), generator=generator)
    x = torch.stack([ids[s:s + SEQ] for s in start.tolist()])
    y = torch.stack([ids[s + 1:s + SEQ + 1] for s in start.tolist()])
    return x, y


x, y = get_batch(train_ids, torch.Generator().manual_seed(1))
print(x.shape, y.shape)
print("x[0]:", decode(x[0]))
print("y[0]:", decode(y[0]))

# %% [markdown]
# ## 3. The model: Embedding -> LSTM -> Linear
#
# * `nn.Embedding(vocab_size, EMB)` is a table with one learnable vector per token: looking up
#   the rows of the tokens (a (BATCH, SEQ) tensor of integers) gives (BATCH, SEQ, EMB).
# * `nn.LSTM(EMB, HIDDEN, batch_first=True)` reads each window left to right. At every step it
#   updates a *cell state* c and shows a *hidden state* h, with four gates computed from the
#   input and the previous h:
#
#       i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of (x W_ih^T + b_ih + h W_hh^T + b_hh)
#       c' = f * c + i * g        (forget some of the memory, write some new)
#       h' = o * tanh(c')         (show some of it)
#
#   It returns h at every step: (BATCH, SEQ, HIDDEN). (glasstorch: the cell is
#   `glasstorch/nn/modules/rnn.py`; the whole sequence runs as one node whose backward is
#   backpropagation through time, `glasstorch/nn/_ops/rnn.py`.)
# * `nn.Linear(HIDDEN, vocab_size)` turns each h into 27 scores (logits) for the next token.

# %%
EMB, HIDDEN = 32, 128


class CharModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, EMB)
        rnn = nn.GRU if CELL == "gru" else nn.LSTM
        self.rnn = rnn(EMB, HIDDEN, batch_first=True)
        self.head = nn.Linear(HIDDEN, vocab_size)

    def forward(self, x, state=None):
        out, state = self.rnn(self.embed(x), state)
        return self.head(out), state


torch.manual_seed(0)
model = CharModel()
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))

# %% [markdown]
# Before training every character is about equally likely, so the loss is close to
# -log(1/27) = 3.30.

# %%
logits, _ = model(x)
print("logits:", tuple(logits.shape))
loss = F.cross_entropy(logits.reshape(-1, vocab_size), y.reshape(-1))
print(f"loss before training: {loss.item():.4f}")

# %% [markdown]
# ## 4. Training
#
# The usual loop: a batch, the forward pass, the loss over every position
# (`cross_entropy` wants (N, classes) scores and (N,) targets, hence the reshapes), backward,
# a step of Adam. The gradient flows back through every step of the LSTM: backpropagation
# through time. Clipping the gradient's norm keeps a rare huge gradient from undoing the
# training.

# %%
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
batch_gen = torch.Generator().manual_seed(2)
start = time.perf_counter()
for step in range(1, STEPS + 1):
    x, y = get_batch(train_ids, batch_gen)
    logits, _ = model(x)
    loss = F.cross_entropy(logits.reshape(-1, vocab_size), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    if step % 100 == 0 or step == STEPS:
        print(f"step {step:4d}  loss {loss.item():.4f}")
print(f"{STEPS} steps in {time.perf_counter() - start:.1f} s")

# %% [markdown]
# ## 5. How well does it predict unseen names?
#
# The validation loss over the held-out names, in windows as in training. For comparison: a
# model that only knew how often each letter occurs would score about 2.9.

# %%
model.eval()
with torch.no_grad():
    val_gen = torch.Generator().manual_seed(3)
    losses = []
    for _ in range(20):
        x, y = get_batch(val_ids, val_gen)
        logits, _ = model(x)
        losses.append(F.cross_entropy(logits.reshape(-1, vocab_size), y.reshape(-1)).item())
print(f"validation loss: {sum(losses) / len(losses):.4f}")

# %% [markdown]
# ## 6. Sampling new names
#
# Start from `.` (a name begins), ask for the next-token probabilities, draw one token from
# them, feed it back in, and repeat until the model writes `.` again. The recurrent state
# carries everything read so far, so each step feeds only the newest token. Dividing the
# logits by a *temperature* below 1 sharpens the distribution (safer, more common names);
# above 1 flattens it (more inventive, more mistakes).


# %%
def sample_name(temperature=1.0, generator=None, max_len=20):
    token = torch.tensor([[stoi["."]]])
    state, out = None, []
    for _ in range(max_len):
        logits, state = model(token, state)
        probs = F.softmax(logits[0, -1] / temperature, dim=-1)
        nxt = torch.multinomial(probs, 1, generator=generator).item()
        if nxt == stoi["."]:
            break
        out.append(itos[nxt])
        token = torch.tensor([[nxt]])
    return "".join(out)


with torch.no_grad():
    g = torch.Generator().manual_seed(42)
    for temperature in (0.5, 1.0):
        samples = [sample_name(temperature, g) for _ in range(8)]
        print(f"temperature {temperature}: {', '.join(samples)}")
        seen = sum(s in set(names) for s in samples)
        print(f"  {seen} of 8 are real names from the data; the rest are new")

# %% [markdown]
# ## Try this
#
# * Train longer (`CHAR_RNN_STEPS=2000`): the validation loss goes down to about 2.0 and the
#   names get more plausible.
# * `CHAR_RNN_CELL=gru`: a GRU has two gates instead of three and no separate cell state
#   (`h' = (1 - z) * n + z * h`); compare the losses.
# * Make the LSTM two layers deep (`num_layers=2`, with `dropout=0.2` between them).
# * Replace the data with any text you like: `encode` needs every character in the
#   vocabulary.
