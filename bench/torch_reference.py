#!/usr/bin/env python3
"""PyTorch reference for bench_cuda: the TGANs-C generator of
engine/models/tganc.c with the sizes of train/tganc/trainer.c's presets,
timed the same way as bench/bench_cuda.c.

    sentence encoder: Embedding(V, E) -> bi-LSTM(E, H) -> LSTM(2H, D),
                      S = the sentence LSTM's state after each caption's
                      last word (packed sequences, so padding is skipped)
    generator:        cat(z, S) -> Linear(Z + D, c0*2*4*4, no bias)
                      -> (N, c0, 2, 4, 4) -> BN -> ReLU
                      -> [ConvTranspose3d(k (kt,4,4), s (st,2,2), p (pt,1,1),
                          no bias) -> BN -> ReLU] x 4
                      -> Conv3d(3x3x3, pad 1, bias) -> tanh
    BN:               affine BatchNorm3d ("paper"), or ("small") BatchNorm3d
                      without affine whose scale and shift are Linear(D, C)
                      of S per sample

Measured: first clip (model built on the device, first caption to a host
clip), generation clips/s at batch 1 and 64 (inference mode, clip copied to
host memory), and one generator training step at the preset's batch
(forward with batch statistics, backward of a fixed linear loss, Adam).
Fastest formulation by default: cuDNN autotuning, inference_mode, and
channels-last-3d memory where it helps; --compile adds torch.compile,
--tf32 allows TF32 matmuls and convolutions (compare with
TXT2VID_CUDA_TF32=1 for the engine). Without --tf32 everything is float32.

Usage: python3 bench/torch_reference.py [--preset small|paper]
           [--seconds 3] [--tf32] [--compile] [--device cuda]
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    # z_dim, c0, stages (c_out, kt, st, pt), cond_bn, (embed, hidden, sent), train batch
    "small": dict(z=64, c0=128, stages=[(64, 4, 2, 1), (32, 4, 2, 1), (16, 4, 2, 1), (8, 1, 1, 0)],
                  cond_bn=True, text=(32, 32, 64), batch=16),
    "paper": dict(z=100, c0=512, stages=[(256, 4, 2, 1), (128, 4, 2, 1), (64, 4, 2, 1), (32, 1, 1, 0)],
                  cond_bn=False, text=(256, 256, 256), batch=64),
}
BASE = (2, 4, 4)
MAX_WORDS = 24
VOCAB = 1000
CHANNELS = 1


class Encoder(nn.Module):
    def __init__(self, vocab, embed, hidden, sent):
        super().__init__()
        self.emb = nn.Embedding(vocab, embed)
        self.bi = nn.LSTM(embed, hidden, batch_first=True, bidirectional=True)
        self.sent = nn.LSTM(2 * hidden, sent, batch_first=True)

    def forward(self, ids, lengths):
        x = self.emb(ids)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True,
                                                   enforce_sorted=False)
        hc, _ = self.bi(packed)
        _, (h, _) = self.sent(hc)
        return h[-1]  # (N, D): state after each caption's last word


class CondBN(nn.Module):
    """BatchNorm3d without affine; per-sample scale and shift from S."""

    def __init__(self, c, d):
        super().__init__()
        self.bn = nn.BatchNorm3d(c, affine=False, momentum=0.1, eps=1e-5)
        self.gamma = nn.Linear(d, c)
        self.beta = nn.Linear(d, c)
        nn.init.ones_(self.gamma.bias)
        nn.init.zeros_(self.beta.bias)

    def forward(self, x, s):
        g = self.gamma(s)[:, :, None, None, None]
        b = self.beta(s)[:, :, None, None, None]
        return self.bn(x) * g + b


class Generator(nn.Module):
    def __init__(self, p):
        super().__init__()
        embed, hidden, sent = p["text"]
        self.text = Encoder(VOCAB, embed, hidden, sent)
        self.c0 = p["c0"]
        self.cond = p["cond_bn"]
        self.fc = nn.Linear(p["z"] + sent, p["c0"] * BASE[0] * BASE[1] * BASE[2], bias=False)
        chans = [p["c0"]] + [s[0] for s in p["stages"]]
        self.norms = nn.ModuleList(
            [CondBN(c, sent) if self.cond else nn.BatchNorm3d(c, momentum=0.1, eps=1e-5)
             for c in chans])
        self.convs = nn.ModuleList(
            [nn.ConvTranspose3d(cin, cout, (kt, 4, 4), (st, 2, 2), (pt, 1, 1), bias=False)
             for cin, (cout, kt, st, pt) in zip(chans[:-1], p["stages"])])
        self.out = nn.Conv3d(chans[-1], CHANNELS, 3, padding=1)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.ConvTranspose3d, nn.Conv3d)) and m is not self.out:
                nn.init.normal_(m.weight, 0.0, 0.02)

    def norm(self, i, x, s):
        return self.norms[i](x, s) if self.cond else self.norms[i](x)

    def forward(self, z, ids, lengths):
        s = self.text(ids, lengths)
        x = self.fc(torch.cat([z, s], 1)).view(-1, self.c0, *BASE)
        x = F.relu(self.norm(0, x, s))
        for i, conv in enumerate(self.convs):
            x = F.relu(self.norm(i + 1, conv(x), s))
        return torch.tanh(self.out(x))


def captions(n, device):
    lengths = torch.tensor([6 + i % 8 for i in range(n)])
    ids = torch.zeros(n, MAX_WORDS, dtype=torch.long)
    for i in range(n):
        for t in range(int(lengths[i])):
            ids[i, t] = 2 + (i * 5 + t * 7) % (VOCAB - 2)
    return ids.to(device), lengths  # lengths stay on the host (packing)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def timed(fn, seconds, device):
    for _ in range(2):
        fn()
    sync(device)
    n, t0 = 0, time.perf_counter()
    while n < 3 or time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    sync(device)
    return (time.perf_counter() - t0) / n, n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", default="paper", choices=sorted(PRESETS))
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--tf32", action="store_true")
    ap.add_argument("--compile", action="store_true")
    args = ap.parse_args()
    p = PRESETS[args.preset]
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    torch.manual_seed(1)

    t0 = time.perf_counter()
    gen = Generator(p).to(device).eval()
    z1 = torch.randn(1, p["z"], device=device)
    ids1, len1 = captions(1, device)
    with torch.inference_mode():
        first = gen(z1, ids1, len1).cpu()
    first_s = time.perf_counter() - t0
    nparams = sum(q.numel() for q in gen.parameters())
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"torch {torch.__version__} on {name}, preset {args.preset}: clip "
          f"{tuple(first.shape[1:])}, generator {nparams} parameters, tf32 {args.tf32}, "
          f"compile {args.compile}")
    print(f"first clip (build + init + generate): {first_s * 1e3:.1f} ms")

    run = torch.compile(gen) if args.compile else gen
    for batch in (1, 64):
        z = torch.randn(batch, p["z"], device=device)
        ids, lengths = captions(batch, device)
        host = torch.empty((batch, CHANNELS) + tuple(first.shape[2:]), pin_memory=device.type == "cuda")

        def generate():
            with torch.inference_mode():
                host.copy_(run(z, ids, lengths))

        t, n = timed(generate, args.seconds, device)
        print(f"generation batch {batch:2d}: {t * 1e3:8.2f} ms per batch, "
              f"{batch / t:9.1f} clips/s ({n} batches)")

    gen.train()
    batch = p["batch"]
    z = torch.randn(batch, p["z"], device=device)
    ids, lengths = captions(batch, device)
    w = (torch.rand((batch, CHANNELS) + tuple(first.shape[2:]), device=device) * 2 - 1) / first.numel() / batch
    opt = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-8)

    def step():
        opt.zero_grad(set_to_none=False)
        loss = (run(z, ids, lengths) * w).sum()
        loss.backward()
        opt.step()

    t, n = timed(step, args.seconds, device)
    print(f"generator train step batch {batch}: {t * 1e3:.2f} ms ({n} steps)")


if __name__ == "__main__":
    main()
