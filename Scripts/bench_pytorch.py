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

GPT-2 language model ("lm", issue 13; matches `tacit bench --models lm`). Not in the
default --models; run it with --models lm:
  * GPT2LMHeadModel from transformers: n_embd 128, n_layer 4, n_head 4, n_positions 128,
    vocab 258 (256 bytes + BOS 256 + EOS 257), gelu_new, layer_norm_epsilon 1e-5, head tied
    to the token embedding, dropout 0 (Tacit has none), 842,752 parameters;
  * a fixed batch of 64 records of 128 tokens (BOS then random bytes, seeded); the loss is
    the next-token cross-entropy averaged over each record's 127 predictions, then over the
    64 records (all records are full, so this is also the mean over all 64 x 127 tokens);
  * AdamW (lr 1e-3, weight decay 0.01); DP: max_grad_norm 1.0, noise_multiplier 1.0,
    loss_reduction "mean", make_private(poisson_sampling=False): fixed batches of 64 for
    timing (expected_batch_size checked = 64), the same batch fed every step;
  * modes (--lm-modes): pytorch_plain (forward, backward, AdamW); opacus_hooks
    (grad_sample_mode="hooks": Opacus' grad samplers for nn.Embedding, nn.LayerNorm and the
    tied nn.Linear head, whose two per-sample gradients are summed before the norm, and
    torch.func per-sample gradients for transformers' Conv1D, which Opacus has no sampler
    for); opacus_functorch (grad_sample_mode="functorch": torch.func for every layer);
    opacus_ghost (grad_sample_mode="ghost": fails, Opacus refuses a tied parameter with
    "Parameter tying is not supported with Ghost Clipping"); opacus_ew
    (grad_sample_mode="ew", torch's ExpandedWeights: fails, see below); and
    opacus_ghost_untied: ghost clipping on the same configuration with an untied head
    (33,024 more parameters; a different model, so reported beside, not as, the best
    mode). Under ghost clipping Opacus has ghost norms only for nn.Linear and nn.Embedding:
    the Conv1D layers (almost all of GPT-2's weights) fall back to per-layer materialised
    per-sample gradients ("fast gradient clipping", functorch).
  * position_ids [64, 128] are passed explicitly (and contiguous). transformers' default is
    a [1, T] tensor broadcast over the batch, with which Opacus' hooks silently compute a
    wrong per-sample gradient for the position embedding (norms 6% off a batch-of-one
    oracle in a test), ExpandedWeights stops ("Expected ExpandedWeights to have batch size
    matching input but got input batch size of 1"; its GradSampleModule.forward(x) takes no
    keyword inputs, so position_ids cannot be given), and ghost clipping's embedding norm
    sampler needs a contiguous tensor (it calls .view; an .expand()ed one fails).
  * --lm-check first compares every DP mode's per-record gradient norms with a batch-of-one
    oracle on a small GPT-2 (4 records of 16 tokens), so that no mode is timed that computes
    something else.
  * each timed step is timed alone (time.perf_counter); modes are interleaved step by step;
    the figure is the median over --lm-steps steps after --warmup warm-up steps, in ms,
    beside the median process CPU time per step (all threads; with one thread, a figure
    less inflated by other processes on a shared machine) and the load average.
    A mode that raises while being built or in its first step is reported as failed, with
    the exception, and the others go on.
Run:
    venv/bin/python Scripts/bench_pytorch.py --models lm --threads 1 --lm-steps 12 --lm-check
    venv/bin/python Scripts/bench_pytorch.py --models lm --threads 2 --lm-steps 12
    (install: venv/bin/pip install torch transformers opacus; torch 2.13.0+cpu,
    transformers 5.25.0, opacus 1.6.0 were used for docs/performance.md)

This script is a manual reference benchmark; CI never runs it.
"""
import argparse
import json
import math
import os
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
LM = "lm"  # the GPT-2 language model: its own trainer and table (ms per step)


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


# ------------------------------------------------------------------------------------------
# GPT-2 language model (issue 13): `tacit bench --models lm`'s configuration.

LM_BATCH, LM_CONTEXT, LM_VOCAB = 64, 128, 258  # 256 bytes + BOS 256 + EOS 257
LM_WIDTH, LM_LAYERS, LM_HEADS = 128, 4, 4
LM_LEARNING_RATE, LM_WEIGHT_DECAY = 1e-3, 0.01
LM_MODES = (
    "pytorch_plain",
    "opacus_hooks",
    "opacus_functorch",
    "opacus_ghost",
    "opacus_ew",
    "opacus_ghost_untied",
)
LM_GRAD_SAMPLE_MODE = {
    "opacus_hooks": "hooks",
    "opacus_functorch": "functorch",
    "opacus_ghost": "ghost",
    "opacus_ew": "ew",
    "opacus_ghost_untied": "ghost",
}


def make_gpt2(tied: bool, attention: str, width=LM_WIDTH, layers=LM_LAYERS, heads=LM_HEADS,
              context=LM_CONTEXT) -> nn.Module:
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(
        n_embd=width, n_layer=layers, n_head=heads, n_positions=context, vocab_size=LM_VOCAB,
        activation_function="gelu_new", layer_norm_epsilon=1e-5, tie_word_embeddings=tied,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, use_cache=False,
        bos_token_id=256, eos_token_id=257,
    )
    return GPT2LMHeadModel._from_config(config, attn_implementation=attention)


def lm_tokens(batch: int, length: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (batch, length), generator=g, dtype=torch.int64)
    x[:, 0] = 256  # BOS
    return x


def lm_position_ids(batch: int, length: int) -> torch.Tensor:
    # [B, T] and contiguous: see the module docstring for why not transformers' [1, T].
    return torch.arange(length, dtype=torch.int64).repeat(batch, 1)


def lm_record_losses(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Per-record next-token loss: mean over the record's T-1 predictions, shape [B]."""
    b, t, v = logits.shape
    per_token = nn.functional.cross_entropy(
        logits[:, :-1].reshape(-1, v), x[:, 1:].reshape(-1), reduction="none"
    )
    return per_token.view(b, t - 1).mean(dim=1)


def make_private_lm(model, optimizer, x, mode, batch):
    """make_private with fixed batches; returns (model, optimizer, criterion or None)."""
    from opacus import PrivacyEngine

    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x), batch_size=batch)
    engine = PrivacyEngine(accountant="rdp")
    common = dict(
        module=model, optimizer=optimizer, data_loader=loader,
        noise_multiplier=NOISE_MULTIPLIER, max_grad_norm=MAX_GRAD_NORM, loss_reduction="mean",
        grad_sample_mode=LM_GRAD_SAMPLE_MODE[mode], poisson_sampling=False,
    )
    if LM_GRAD_SAMPLE_MODE[mode] == "ghost":
        criterion = nn.CrossEntropyLoss()  # reduction "mean"; the wrapper asks for "none"
        model, optimizer, criterion, _ = engine.make_private(criterion=criterion, **common)
    else:
        model, optimizer, _ = engine.make_private(**common)
        criterion = None
    if optimizer.expected_batch_size != batch:
        raise RuntimeError(f"expected_batch_size {optimizer.expected_batch_size} != {batch}")
    return model, optimizer, criterion


class LMTrainer:
    """GPT-2 + AdamW in one mode; step() is one training step on the fixed batch."""

    def __init__(self, mode: str, x: torch.Tensor, attention: str):
        self.name = f"lm/{mode}"
        self.x, self.pos = x, lm_position_ids(*x.shape)
        torch.manual_seed(0)  # identical initial weights in every mode
        model = make_gpt2(tied=(mode != "opacus_ghost_untied"), attention=attention)
        self.parameters = sum(p.numel() for p in model.parameters())
        optimizer = torch.optim.AdamW(
            model.parameters(), lr=LM_LEARNING_RATE, weight_decay=LM_WEIGHT_DECAY
        )
        self.criterion = None
        if mode == "pytorch_plain":
            self.model, self.optimizer = model, optimizer
        else:
            self.model, self.optimizer, self.criterion = make_private_lm(
                model, optimizer, x, mode, x.shape[0]
            )
        self.model.train()
        self._loss = None

    def step(self) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        logits = self.model(input_ids=self.x, position_ids=self.pos).logits  # [B, T, V]
        if self.criterion is None:
            loss = lm_record_losses(logits, self.x).mean()
        else:  # ghost: per-token losses, averaged per record by the wrapper (shape=)
            b, t, v = logits.shape
            loss = self.criterion(
                logits[:, :-1].reshape(-1, v), self.x[:, 1:].reshape(-1), shape=(b, t - 1, v)
            )
        loss.backward()  # ghost: two backward passes
        self.optimizer.step()  # DP: clip, add noise, divide by 64, AdamW
        self._loss = loss

    def time_step(self) -> tuple:
        """(wall seconds, process CPU seconds) of one step."""
        start, cpu = time.perf_counter(), time.process_time()
        self.step()
        return time.perf_counter() - start, time.process_time() - cpu

    def finish(self) -> float:
        return float(self._loss.item())


def lm_norm_check(modes, attention: str) -> dict:
    """Max relative error of each DP mode's per-record gradient norms against a batch-of-one
    oracle, on a small GPT-2 (4 records of 16 tokens, width 32, 2 layers)."""
    import copy

    from opacus.grad_sample import GradSampleModule, GradSampleModuleFastGradientClipping

    b, t = 4, 16
    x = lm_tokens(b, t)
    x[:, 5] = x[:, 3]  # a repeated token: the embedding's rows interact
    out = {}
    for mode in modes:
        if mode == "pytorch_plain":
            continue
        tied = mode != "opacus_ghost_untied"
        torch.manual_seed(1)
        base = make_gpt2(tied, attention, width=32, layers=2, heads=4, context=t)
        oracle = []
        for i in range(b):
            m = copy.deepcopy(base)
            lm_record_losses(m(input_ids=x[i:i + 1], position_ids=lm_position_ids(1, t)).logits,
                             x[i:i + 1]).sum().backward()
            oracle.append(torch.sqrt(sum((p.grad ** 2).sum() for p in m.parameters())))
        oracle = torch.stack(oracle)
        try:
            kind = LM_GRAD_SAMPLE_MODE[mode]
            if kind == "ghost":
                gm = GradSampleModuleFastGradientClipping(
                    copy.deepcopy(base), batch_first=True, loss_reduction="mean",
                    max_grad_norm=MAX_GRAD_NORM, use_ghost_clipping=True)
            elif kind == "ew":
                from opacus.grad_sample import GradSampleModuleExpandedWeights

                gm = GradSampleModuleExpandedWeights(copy.deepcopy(base), batch_first=True,
                                                     loss_reduction="mean")
            else:
                gm = GradSampleModule(copy.deepcopy(base), batch_first=True, loss_reduction="mean",
                                      force_functorch=(kind == "functorch"))
            if kind == "ew":  # its forward takes one positional input only
                logits = gm(x).logits
            else:
                logits = gm(input_ids=x, position_ids=lm_position_ids(b, t)).logits
            lm_record_losses(logits, x).mean().backward()
            if kind == "ghost":
                norms = gm.get_norm_sample()
            else:  # loss_reduction "mean": Opacus rescales grad_sample by the batch size
                norms = torch.sqrt(sum((p.grad_sample.reshape(b, -1) ** 2).sum(1)
                                       for p in gm._module.parameters()))
            out[mode] = float(((norms - oracle).abs() / oracle).max())
        except Exception as e:  # noqa: BLE001 - reported
            out[mode] = f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"
    return out


def lm_benchmark(args: argparse.Namespace, result: dict) -> None:
    import opacus
    import transformers

    x = lm_tokens(LM_BATCH, LM_CONTEXT)
    check = lm_norm_check(args.lm_modes, args.lm_attention) if args.lm_check else {}
    trainers, failed = {}, {}
    for mode in args.lm_modes:
        try:
            t = LMTrainer(mode, x, args.lm_attention)
            torch.manual_seed(0)  # same noise stream in every DP mode
            for _ in range(max(args.warmup, 1)):  # at least one: a failing mode fails here
                t.step()
            trainers[mode] = t
        except Exception as e:  # noqa: BLE001 - reported, the other modes go on
            failed[mode] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    times = {mode: [] for mode in trainers}
    cpu_times = {mode: [] for mode in trainers}
    for _ in range(args.lm_steps):
        for mode, t in trainers.items():  # interleaved: drift hits every mode alike
            wall, cpu = t.time_step()
            times[mode].append(wall)
            cpu_times[mode].append(cpu)
    ms = {mode: round(1000 * statistics.median(v), 1) for mode, v in times.items()}
    cpu_ms = {mode: round(1000 * statistics.median(v), 1) for mode, v in cpu_times.items()}
    for mode, t in trainers.items():
        if not math.isfinite(t.finish()):
            print(f"warning: {t.name}: final loss is {t.finish()}", file=sys.stderr)
    same_model = [m for m in ms if m not in ("pytorch_plain", "opacus_ghost_untied")]
    best = min(same_model, key=ms.get) if same_model else None
    result[LM] = {
        "attention": args.lm_attention,
        "transformers": transformers.__version__,
        "parameters": {m: t.parameters for m, t in trainers.items()},
        **{f"{m}_ms_per_step": v for m, v in ms.items()},
        **{f"{m}_ms_per_step_all": [round(1000 * s, 1) for s in times[m]] for m in times},
        **{f"{m}_cpu_ms_per_step": v for m, v in cpu_ms.items()},
        "load_average": list(os.getloadavg()),
        "failed": failed,
        "best_dp_mode": best,
        "norm_check_max_relative_error": check,
    }
    if args.json:
        return
    threads_lines = [
        line.strip()
        for line in torch.__config__.parallel_info().splitlines()
        if "threads" in line.lower()
    ]
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, "
          f"opacus {opacus.__version__}; " + "; ".join(threads_lines))
    print(f"lm: GPT-2 d={LM_WIDTH} L={LM_LAYERS} H={LM_HEADS} T={LM_CONTEXT} V={LM_VOCAB}, "
          f"batch {LM_BATCH} records (fixed, poisson_sampling=False), attention "
          f"{args.lm_attention}; median of {args.lm_steps} steps (+{max(args.warmup, 1)} "
          f"warm-up), ms per step")
    if check:
        print("per-record norms vs batch-of-one oracle (max relative error): " + "; ".join(
            f"{m} {v:.1e}" if isinstance(v, float) else f"{m} FAILED ({v})"
            for m, v in check.items()))
    plain = ms.get("pytorch_plain")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} (1, 5, 15 min); cpu "
          f"ms = process CPU time per step (all threads), less sensitive to other load")
    print(f"{'mode':<20} {'ms/step':>9} {'x plain':>8} {'records/s':>10} {'cpu ms':>9}")
    for mode in args.lm_modes:
        if mode in ms:
            ratio = f"{ms[mode] / plain:>8.2f}" if plain else f"{'-':>8}"
            note = "  (untied head: another model)" if mode == "opacus_ghost_untied" else ""
            print(f"{mode:<20} {ms[mode]:>9.1f} {ratio} {1000 * LM_BATCH / ms[mode]:>10.1f} "
                  f"{cpu_ms[mode]:>9.1f}{note}")
        else:
            print(f"{mode:<20} {'FAILED':>9}  {failed[mode]}")
    if best:
        print(f"best Opacus mode on the tied model: {best} ({ms[best]:.1f} ms per step)")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    p.add_argument("--repetitions", type=int, default=7, help="timed repetitions (default 7)")
    p.add_argument("--steps", type=int, default=20, help="steps per repetition (default 20)")
    p.add_argument("--warmup", type=int, default=3, help="untimed warm-up steps (default 3)")
    p.add_argument("--models", default="mlp,cnn", help="comma-separated subset of mlp,cnn,lm")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--lm-steps", type=int, default=10,
                   help="lm: timed steps per mode, each timed alone (default 10)")
    p.add_argument("--lm-modes", default=",".join(LM_MODES),
                   help=f"lm: comma-separated subset of {','.join(LM_MODES)}")
    p.add_argument("--lm-attention", default="sdpa", choices=("sdpa", "eager"),
                   help="lm: transformers attention implementation (default sdpa)")
    p.add_argument("--lm-check", action="store_true",
                   help="lm: first check each DP mode's per-record norms against batch-of-one")
    args = p.parse_args()
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    for m in args.models:
        if m not in MODELS and m != LM:
            p.error(f"unknown model {m!r}; choose from {', '.join([*MODELS, LM])}")
    args.lm_modes = [m.strip() for m in args.lm_modes.split(",") if m.strip()]
    for m in args.lm_modes:
        if m not in LM_MODES:
            p.error(f"unknown lm mode {m!r}; choose from {', '.join(LM_MODES)}")
    if min(args.threads, args.repetitions, args.steps, args.lm_steps) < 1 or args.warmup < 0:
        p.error("--threads, --repetitions, --steps, --lm-steps must be >= 1 and --warmup >= 0")
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

    lm = LM in args.models
    args.models = [m for m in args.models if m != LM]
    result = {"threads": args.threads, "torch": torch.__version__, "opacus": opacus.__version__}
    if args.models:
        image_models(args, result)
    if lm:
        lm_benchmark(args, result)
    if args.json:
        print(json.dumps(result, indent=2))
    return 0


def image_models(args: argparse.Namespace, result: dict) -> None:
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

    for m in args.models:
        result[m] = {
            f"{mode}_examples_per_second": round(
                statistics.median(args.steps * BATCH_SIZE / s for s in times[(m, mode)]), 1
            )
            for mode in MODES
        }

    if args.json:
        return
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


if __name__ == "__main__":
    sys.exit(main())
