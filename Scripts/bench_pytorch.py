#!/usr/bin/env python3
"""Reference throughput of PyTorch and Opacus training steps, for comparison with Tacit.

Measures training-step throughput (examples per second) on the CPU for
  * "mlp": the MLP 784-256-256-10 (flatten of a 28x28 input, ReLU, cross-entropy), and
  * "cnn": the Tramer-Boneh CNN (conv 16 8x8 stride 2 pad 2, tanh, maxpool 2 stride 1,
    conv 32 4x4 stride 2, tanh, maxpool 2 stride 1, flatten, dense 32, tanh, dense 10),
on Fashion-MNIST-shaped random data (float32 inputs [256, 1, 28, 28], labels 0..9), batch
size 256, SGD lr 0.05 momentum 0.9, in three modes:
  * pytorch_plain: ordinary step (zero_grad, forward, mean cross-entropy, backward, step);
  * opacus_ghost:  Opacus DP-SGD with fast gradient clipping, grad_sample_mode="ghost"
                   (max_grad_norm 1.0, noise_multiplier 1.0);
  * opacus_hooks:  Opacus DP-SGD with materialised per-sample gradients,
                   grad_sample_mode="hooks" (same parameters).
Every step is fed the same fixed batch (the Poisson data loader returned by
PrivacyEngine.make_private is deliberately not iterated, so no data loading and no
variable batch size enters the timing). One repetition is --steps steps timed with
time.perf_counter; the reported figure is the median over --repetitions repetitions of
steps * 256 / elapsed. Repetitions of the different modes are interleaved so that load
drift on the machine affects all modes alike.

Notes on the Opacus API (opacus 1.6):
  * Ghost clipping needs the criterion wrapped: make_private(..., criterion=...,
    grad_sample_mode="ghost") returns (model, optimizer, criterion, data_loader). The
    wrapped criterion returns a DPTensorFastGradientClipping whose backward() runs two
    backward passes: one on the mean loss (hooks collect per-sample gradient norms), then
    one on sum_i(clip_coef_i * loss_i). p.grad therefore holds the SUM of clipped
    per-sample gradients; the optimizer adds N(0, (noise_multiplier*max_grad_norm)^2) noise
    and divides by optimizer.expected_batch_size (loss_reduction="mean").
  * make_private sets expected_batch_size = int(len(dataset) / len(data_loader)); with a
    256-example TensorDataset and batch_size 256 that is 256, matching the fixed batch.
    The script also sets and checks it explicitly.
  * Opacus has ghost norm samplers only for nn.Linear and nn.Embedding; in ghost mode the
    Conv2d layers of the CNN fall back to "fast gradient clipping" (per-sample gradients
    are materialised per layer to compute their norms, then discarded).

Install (any machine with Python 3.9+):
    python3 -m venv venv && venv/bin/pip install torch opacus

Run (from the repository root):
    venv/bin/python Scripts/bench_pytorch.py --threads 2 --repetitions 7 --steps 20 \\
        --warmup 3 --models mlp,cnn [--json]

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on the benchmark machine for Tacit; they
do not matter here, as torch uses its own MKL / oneDNN kernels.

This script is a manual reference benchmark; CI never runs it.
"""
import argparse
import json
import math
import statistics
import sys
import time
import warnings

import torch
import torch.nn as nn

BATCH_SIZE = 256
LEARNING_RATE = 0.05
MOMENTUM = 0.9
MAX_GRAD_NORM = 1.0
NOISE_MULTIPLIER = 1.0
MODES = ("pytorch_plain", "opacus_ghost", "opacus_hooks")


def make_mlp() -> nn.Module:
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 256),
        nn.ReLU(),
        nn.Linear(256, 256),
        nn.ReLU(),
        nn.Linear(256, 10),
    )


def make_cnn() -> nn.Module:
    # 28 -> conv(8, s2, p2) 13 -> pool(2, s1) 12 -> conv(4, s2) 5 -> pool(2, s1) 4; 32*4*4 = 512
    return nn.Sequential(
        nn.Conv2d(1, 16, 8, stride=2, padding=2),
        nn.Tanh(),
        nn.MaxPool2d(2, stride=1),
        nn.Conv2d(16, 32, 4, stride=2),
        nn.Tanh(),
        nn.MaxPool2d(2, stride=1),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 32),
        nn.Tanh(),
        nn.Linear(32, 10),
    )


MODELS = {"mlp": make_mlp, "cnn": make_cnn}


class Trainer:
    """One model + optimizer (+ criterion) in one mode; step() runs one training step."""

    def __init__(self, model_name: str, mode: str, x: torch.Tensor, y: torch.Tensor):
        self.name = f"{model_name}/{mode}"
        self.x, self.y = x, y
        torch.manual_seed(0)  # identical initial weights in every mode
        model = MODELS[model_name]()
        optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
        criterion = nn.CrossEntropyLoss()  # reduction="mean"
        if mode == "pytorch_plain":
            self.model, self.optimizer, self.criterion = model, optimizer, criterion
        else:
            from opacus import PrivacyEngine

            # A one-batch dataset, only so that make_private derives sample_rate = 1 and
            # expected_batch_size = BATCH_SIZE; the returned loader is never iterated.
            loader = torch.utils.data.DataLoader(
                torch.utils.data.TensorDataset(x, y), batch_size=BATCH_SIZE
            )
            engine = PrivacyEngine(accountant="rdp")
            common = dict(
                module=model,
                optimizer=optimizer,
                data_loader=loader,
                noise_multiplier=NOISE_MULTIPLIER,
                max_grad_norm=MAX_GRAD_NORM,
                loss_reduction="mean",
                grad_sample_mode="ghost" if mode == "opacus_ghost" else "hooks",
            )
            if mode == "opacus_ghost":
                self.model, self.optimizer, self.criterion, _ = engine.make_private(
                    criterion=criterion, **common
                )
            else:
                self.model, self.optimizer, _ = engine.make_private(**common)
                self.criterion = criterion
            if self.optimizer.expected_batch_size != BATCH_SIZE:
                raise RuntimeError(
                    f"{self.name}: expected_batch_size {self.optimizer.expected_batch_size}"
                    f" != {BATCH_SIZE}"
                )
            self.optimizer.expected_batch_size = BATCH_SIZE
        self.model.train()
        self.last_loss = float("nan")

    def step(self) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        logits = self.model(self.x)
        loss = self.criterion(logits, self.y)  # ghost: DPTensorFastGradientClipping
        loss.backward()  # ghost: both backward passes + clipping coefficients
        self.optimizer.step()  # DP modes: (clip,) add noise, divide by 256, SGD step
        self._loss = loss

    def finish(self) -> float:
        self.last_loss = self._loss.item()
        return self.last_loss

    def time_steps(self, steps: int) -> float:
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - start


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    p.add_argument("--repetitions", type=int, default=7, help="timed repetitions (default 7)")
    p.add_argument("--steps", type=int, default=20, help="steps per repetition (default 20)")
    p.add_argument("--warmup", type=int, default=3, help="untimed warm-up steps (default 3)")
    p.add_argument("--models", default="mlp,cnn", help="comma-separated subset of mlp,cnn")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = p.parse_args()
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    for m in args.models:
        if m not in MODELS:
            p.error(f"unknown model {m!r}; choose from {', '.join(MODELS)}")
    if min(args.threads, args.repetitions, args.steps) < 1 or args.warmup < 0:
        p.error("--threads, --repetitions, --steps must be >= 1 and --warmup >= 0")
    return args


def main() -> int:
    args = parse_args()
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError as e:  # only possible before any inter-op parallel work
        print(f"warning: set_num_interop_threads(1) failed: {e}", file=sys.stderr)
    # Opacus warns about secure_mode=False and about the unused Poisson loader's dataset.
    warnings.filterwarnings("ignore", module=r"opacus(\..*)?")
    warnings.filterwarnings("ignore", message=r".*[Ss]ecure RNG.*")
    # Opacus' hooks on the first layer (whose input needs no grad) trigger this torch warning.
    warnings.filterwarnings("ignore", message=r"Full backward hook is firing.*")

    import opacus

    torch.manual_seed(0)
    x = torch.randn(BATCH_SIZE, 1, 28, 28, dtype=torch.float32)
    y = torch.randint(0, 10, (BATCH_SIZE,), dtype=torch.int64)

    trainers = {(m, mode): Trainer(m, mode, x, y) for m in args.models for mode in MODES}
    for t in trainers.values():
        torch.manual_seed(0)  # same noise stream in every DP mode
        for _ in range(args.warmup):
            t.step()
    times = {key: [] for key in trainers}
    for _ in range(args.repetitions):
        for key, t in trainers.items():  # interleaved: drift hits every mode alike
            times[key].append(t.time_steps(args.steps))
    for t in trainers.values():
        if not math.isfinite(t.finish()):
            print(f"warning: {t.name}: final loss is {t.last_loss}", file=sys.stderr)

    result = {"threads": args.threads, "torch": torch.__version__, "opacus": opacus.__version__}
    for m in args.models:
        result[m] = {
            f"{mode}_examples_per_second": round(
                statistics.median(args.steps * BATCH_SIZE / s for s in times[(m, mode)]), 1
            )
            for mode in MODES
        }

    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    threads_lines = [
        line.strip()
        for line in torch.__config__.parallel_info().splitlines()
        if "threads" in line.lower()
    ]
    print(f"torch {torch.__version__}, opacus {opacus.__version__}; " + "; ".join(threads_lines))
    print(
        f"batch {BATCH_SIZE}, {args.repetitions} repetitions x {args.steps} steps "
        f"(+{args.warmup} warm-up), median examples/s"
    )
    print(f"{'model':<6} " + " ".join(f"{mode:>14}" for mode in MODES) + f" {'ghost/plain':>12}")
    for m in args.models:
        r = result[m]
        vals = [r[f"{mode}_examples_per_second"] for mode in MODES]
        ratio = vals[1] / vals[0]
        print(f"{m:<6} " + " ".join(f"{v:>14.1f}" for v in vals) + f" {ratio:>12.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
