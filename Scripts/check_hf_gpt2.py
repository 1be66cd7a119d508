#!/usr/bin/env python3
"""Reference side of Tacit's Hugging Face GPT-2 import and export (issue 13, item 5).

Purpose
  Tacit reads and writes GPT-2 model folders in Hugging Face's layout (config.json,
  model.safetensors, tokenizer.json or vocab.json + merges.txt). This script is the
  `transformers` side of that round trip:

  make-fixture OUT_DIR [--untied] [--seed S]
      Builds a small random GPT-2 with `transformers` (GPT2Config(n_embd=32, n_layer=2,
      n_head=4, n_positions=64, vocab_size=V, activation_function="gelu_new",
      layer_norm_epsilon=1e-5)) and a GPT-2-style byte-level BPE tokenizer (~500 tokens:
      256 byte symbols + 243 merges + "<|endoftext|>" last, as in GPT-2) trained with
      `tokenizers` on the Debian fortune files in /usr/share/games/fortunes (package
      `fortunes`), and writes into OUT_DIR:
        config.json, generation_config.json, model.safetensors   (save_pretrained,
                     safe_serialization=True; tied lm_head, so lm_head.weight is NOT stored)
        tokenizer.json, tokenizer_config.json                     (transformers' GPT2Tokenizer)
        vocab.json, merges.txt                                    (tokenizers' BPE model.save)
        expected.jsonl   one JSON object per text: text, tokens (ids from the GPT-2 fast
                         tokenizer, no BOS added; truncated to n_positions, as the model
                         sees them), token_log_probs (natural log p(token_i | tokens_<i) for
                         i >= 1, float64 log-softmax of the float32 eval-mode logits), loss
                         (negated mean), perplexity (exp(loss)); the long text also has
                         untruncated_tokens and truncated_to.
        README.md        what the folder is and how it was made.
      The parameters are not GPT-2's N(0, 0.02) init (which makes every next-token
      distribution almost uniform, so that a wrong bias, LayerNorm or attention would move
      the log-probs by less than the 1e-4 tolerance): every weight matrix is redrawn
      N(0, 0.2), embeddings N(0, 0.4), biases N(0, 0.1), LayerNorm scales N(1, 0.2),
      LayerNorm offsets N(0, 0.1), from a seeded torch.Generator.
      The command checks, and fails otherwise: the tensor names and shapes in
      model.safetensors (transformer.wte.weight [V, d], transformer.h.0.attn.c_attn.weight
      [d, 3d] = Conv1D [in, out], ...; lm_head.weight only when untied); that the saved
      folder reloads to bit-identical log-probs; and that four tokenizers give the same ids
      on every text: transformers' AutoTokenizer on the folder, `tokenizers` on
      tokenizer.json, `tokenizers` on vocab.json + merges.txt, and a pure-Python copy of
      OpenAI's GPT-2 encoder.py (byte-to-unicode map, merge ranks, GPT-2's regex).
      Training the tokenizer twice must give the same vocabulary (determinism).

  check-export TACIT_HF_DIR SCORES_JSONL [--texts FILE] [--tolerance 1e-4]
      TACIT_HF_DIR is the hf/ folder a Tacit LM run wrote. Loads it with
      GPT2LMHeadModel.from_pretrained (failing on any missing, unexpected or mis-shaped
      tensor: from_pretrained would otherwise initialise a missing tensor at random) and
      its tokenizer, and compares with the JSON Lines printed by
      `tacit score TACIT_RUN TEXTS --json`: the ids of each text (re-tokenized here, with
      the tokenizer's own special-token rule, e.g. a byte-level tokenizer whose
      post-processor adds BOS/EOS; truncated to n_positions) must equal Tacit's `tokens`,
      and the log-probs transformers computes for Tacit's `tokens` must be within
      --tolerance of Tacit's `token_log_probs` (max |delta|). `loss` and `perplexity`,
      when present, are checked for consistency too. The texts come from each object's
      `text` field, or from --texts (one text per line, or .jsonl with a `text` field, in
      the same order); without either, only the log-probs are compared (and the summary
      says so). Prints a summary; exit 0 when everything matches, 1 on a mismatch, 2 on
      bad input.

  check-import HF_DIR SCORES_JSONL [--texts FILE] [--tolerance 1e-4]
      The same comparison for a Hugging Face folder Tacit imported (e.g. the fixture
      below, scored with `tacit score Tests/.../hf-gpt2-tiny expected.jsonl --json`).

Usage (from the repository root; CI never runs this script, the committed fixture is what
CI tests against):
    python3 -m venv /work/venv-lm
    /work/venv-lm/bin/pip install torch transformers tokenizers safetensors
    /work/venv-lm/bin/python Scripts/check_hf_gpt2.py make-fixture \\
        Tests/TacitPipelineTests/Fixtures/hf-gpt2-tiny
    tacit score Tests/TacitPipelineTests/Fixtures/hf-gpt2-tiny \\
        Tests/TacitPipelineTests/Fixtures/hf-gpt2-tiny/expected.jsonl --json > scores.jsonl
    /work/venv-lm/bin/python Scripts/check_hf_gpt2.py check-import \\
        Tests/TacitPipelineTests/Fixtures/hf-gpt2-tiny scores.jsonl
    tacit score RUN_DIR texts.txt --json > run-scores.jsonl
    /work/venv-lm/bin/python Scripts/check_hf_gpt2.py check-export RUN_DIR/hf \\
        run-scores.jsonl --texts texts.txt

Versions used to write the committed fixture: Python 3.11.7, torch 2.13.0+cpu,
transformers 5.25.0, tokenizers 0.23.3, safetensors 0.8.0, Debian fortunes 1:1.99.1-7.3.
Deterministic: torch.manual_seed / torch.Generator(seed), tokenizers' BPE trainer is
deterministic on the same files (checked by training twice). No network access is needed
(nothing is downloaded from the Hugging Face hub).
"""
import argparse
import glob
import json
import math
import os
import struct
import sys

SEED = 13
N_EMBD, N_LAYER, N_HEAD, N_POSITIONS = 32, 2, 4, 64
BPE_VOCAB = 499  # byte alphabet + merges; "<|endoftext|>" is added last, so V = 500
EOT = "<|endoftext|>"
FORTUNE_DIR = "/usr/share/games/fortunes"
TOLERANCE = 1e-4

LONG_TEXT = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it "
    "was the age of foolishness, it was the epoch of belief, it was the epoch of "
    "incredulity, it was the season of Light, it was the season of Darkness, it was the "
    "spring of hope, it was the winter of despair, we had everything before us, we had "
    "nothing before us, we were all going direct to Heaven, we were all going direct the "
    "other way -- in short, the period was so far like the present period, that some of "
    "its noisiest authorities insisted on its being received, for good or for evil, in the "
    "superlative degree of comparison only."
)

# Twelve texts: ASCII, contractions (GPT-2's regex matches 's 't 're 've 'm 'll 'd in lower
# case only), Unicode (precomposed and combining accents, CJK, emoji, Greek, Cyrillic),
# whitespace runs (spaces, tabs, newlines, CR LF, no-break space, trailing spaces), digits,
# punctuation, code, a two-token text and a long text truncated to n_positions.
TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "It's a fine day; isn't it? We'll see -- they've said I'd come, you're sure I'm late.",
    "I'M HERE, YOU'RE THERE: DON'T SHOUT'S",
    "Caf\u00e9 d\u00e9j\u00e0 vu: na\u00efve fa\u00e7ade, \u00c6r\u00f8sk\u00f8bing, Stra\u00dfe, "
    "e\u0301 (combining).",
    "\u65e5\u672c\u8a9e \U0001f642\U0001f44d \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac "
    "\u043a\u0438\u0440\u0438\u043b\u043b\u0438\u0446\u0430",
    "  two leading spaces,\ttab\t\tand  double  spaces   \n\nnew lines\r\nCRLF\u00a0nbsp   ",
    "In 1984, 3.14159 \u00d7 2 = 6.28318; call 555-0123 (x1000000).",
    "!!! ??? ... --- (a) [b] {c} <d> \"double\" 'single' `back` @#$%^&*_+=|\\/~",
    "def square(x):\n    return x ** 2  # four spaces of indent\n",
    "A fool and his money are soon parted.",
    "Hi",
    LONG_TEXT,
]


# ----------------------------------------------------------------------------------------
# A pure-Python GPT-2 BPE encoder (after OpenAI's gpt-2/src/encoder.py), used as an
# independent reference for the ids: this is the algorithm Tacit's GPT2Tokenizer implements.

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def bytes_to_unicode() -> dict:
    bs = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("\u00a1"), ord("\u00ac") + 1))
        + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


class ReferenceBPE:
    def __init__(self, vocab_path: str, merges_path: str):
        import regex

        with open(vocab_path, encoding="utf-8") as f:
            self.encoder = json.load(f)
        with open(merges_path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        merges = [tuple(line.split(" ")) for line in lines if line and not line.startswith("#version")]
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        self.byte_encoder = bytes_to_unicode()
        self.pattern = regex.compile(GPT2_PATTERN)

    def bpe(self, token: str) -> list:
        word = list(token)
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            merged, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        return word

    def encode(self, text: str) -> list:
        ids = []
        for piece in self.pattern.findall(text):
            mapped = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            ids.extend(self.encoder[t] for t in self.bpe(mapped))
        return ids


# ----------------------------------------------------------------------------------------
# Shared helpers


def fail(message: str, code: int = 2) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def safetensors_header(path: str) -> dict:
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n))


def load_model(hf_dir: str):
    """GPT2LMHeadModel in float32 eval mode, eager attention; refuses a partial load."""
    import torch
    from transformers import GPT2LMHeadModel

    try:
        model, info = GPT2LMHeadModel.from_pretrained(
            hf_dir, attn_implementation="eager", dtype=torch.float32, output_loading_info=True
        )
    except Exception as e:  # noqa: BLE001 - e.g. a tensor of the wrong shape
        fail(f"{hf_dir}: transformers cannot load it: {type(e).__name__}: {e}", 1)
    problems = {k: v for k, v in info.items() if v and k != "error_msgs"}
    if info.get("error_msgs"):
        problems["error_msgs"] = info["error_msgs"]
    if problems:
        fail(f"{hf_dir}: transformers did not load every tensor as is: {problems}", 1)
    model.eval()
    return model


def load_tokenizer(hf_dir: str):
    """(name, encode) with the folder's tokenizer: transformers' AutoTokenizer when it loads,
    else `tokenizers` on tokenizer.json, else on vocab.json + merges.txt."""
    try:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(hf_dir)
        return f"transformers {type(tok).__name__}", lambda t: tok(t, add_special_tokens=True)["input_ids"]
    except Exception as e:  # noqa: BLE001 - report and fall back
        print(f"note: AutoTokenizer failed on {hf_dir} ({type(e).__name__}: {e}); falling back",
              file=sys.stderr)
    from tokenizers import Tokenizer

    path = os.path.join(hf_dir, "tokenizer.json")
    if os.path.exists(path):
        tok = Tokenizer.from_file(path)
        return "tokenizers (tokenizer.json)", lambda t: tok.encode(t).ids
    vocab, merges = os.path.join(hf_dir, "vocab.json"), os.path.join(hf_dir, "merges.txt")
    if os.path.exists(vocab) and os.path.exists(merges):
        tok = byte_level_bpe_from_files(vocab, merges)
        return "tokenizers (vocab.json + merges.txt)", lambda t: tok.encode(t).ids
    return None, None


def byte_level_bpe_from_files(vocab: str, merges: str):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    tok = Tokenizer(models.BPE.from_file(vocab, merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.decoder = decoders.ByteLevel()
    return tok


def token_log_probs(model, ids: list) -> list:
    """log p(ids[i] | ids[:i]) for i >= 1: float64 log-softmax of the float32 logits."""
    import torch

    if len(ids) < 2:
        return []
    with torch.no_grad():
        logits = model(torch.tensor([ids], dtype=torch.long)).logits[0]  # [T, V] float32
        logp = torch.log_softmax(logits.double(), dim=-1)
        target = torch.tensor(ids[1:], dtype=torch.long)
        return logp[:-1].gather(1, target[:, None])[:, 0].tolist()


def read_texts(path: str) -> list:
    with open(path, encoding="utf-8") as f:
        data = f.read()
    if path.endswith(".jsonl"):
        return [json.loads(line)["text"] for line in data.splitlines() if line.strip()]
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# ----------------------------------------------------------------------------------------
# make-fixture


def fortune_files() -> list:
    files = sorted(
        p
        for p in glob.glob(os.path.join(FORTUNE_DIR, "*"))
        if os.path.isfile(p) and not p.endswith((".dat", ".u8"))
    )
    if not files:
        fail(f"no fortune files in {FORTUNE_DIR} (apt-get install fortunes)")
    return files


def train_tokenizer(files: list):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)  # GPT-2's regex
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=BPE_VOCAB,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),  # all 256 byte symbols
        special_tokens=[],
        show_progress=False,
    )
    tok.train(files, trainer)
    tok.add_special_tokens([EOT])  # id V-1, like GPT-2's 50256
    return tok


def randomise(model, seed: int) -> None:
    import torch

    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():  # tied lm_head.weight is wte: listed once
            noise = torch.randn(p.shape, generator=g, dtype=torch.float32)
            if ".ln_" in name or name.startswith("transformer.ln_f"):
                p.copy_(1 + 0.2 * noise if name.endswith("weight") else 0.1 * noise)
            elif name.endswith("bias"):
                p.copy_(0.1 * noise)
            elif name in ("transformer.wte.weight", "transformer.wpe.weight"):
                p.copy_(0.4 * noise)
            else:
                p.copy_(0.2 * noise)


def expected_names(vocab: int, tied: bool) -> dict:
    d = N_EMBD
    names = {"transformer.wte.weight": [vocab, d], "transformer.wpe.weight": [N_POSITIONS, d]}
    for i in range(N_LAYER):
        h = f"transformer.h.{i}."
        names.update({
            h + "ln_1.weight": [d], h + "ln_1.bias": [d],
            h + "attn.c_attn.weight": [d, 3 * d], h + "attn.c_attn.bias": [3 * d],
            h + "attn.c_proj.weight": [d, d], h + "attn.c_proj.bias": [d],
            h + "ln_2.weight": [d], h + "ln_2.bias": [d],
            h + "mlp.c_fc.weight": [d, 4 * d], h + "mlp.c_fc.bias": [4 * d],
            h + "mlp.c_proj.weight": [4 * d, d], h + "mlp.c_proj.bias": [d],
        })
    names["transformer.ln_f.weight"] = [d]
    names["transformer.ln_f.bias"] = [d]
    if not tied:
        names["lm_head.weight"] = [vocab, d]
    return names


README = """# hf-gpt2-tiny{suffix}

A tiny random GPT-2 in Hugging Face's folder layout, with the ids and log-probs `transformers`
computes for it: the reference for Tacit's GPT-2 import (`tacit score` on this folder must give
the `tokens` and, within 1e-4, the `token_log_probs` of `expected.jsonl`).

Made by `Scripts/check_hf_gpt2.py make-fixture{flag}` (seed {seed}) with torch {torch},
transformers {transformers}, tokenizers {tokenizers}, safetensors {safetensors}; the tokenizer was
trained on the Debian `fortunes` files. Do not edit by hand: re-run the script.

- `config.json`: GPT2Config(n_embd={d}, n_layer={L}, n_head={H}, n_positions={P}, vocab_size={V},
  activation_function="gelu_new", layer_norm_epsilon=1e-5, tie_word_embeddings={tied}).
- `model.safetensors`: float32, names `transformer.wte.weight` [V, d], `transformer.wpe.weight`
  [P, d], `transformer.h.{{i}}.attn.c_attn.weight` [d, 3d] (Conv1D: [in, out]), ...;
  {lm_head}. Weights are random with a large spread
  (not GPT-2's 0.02 init) so that a wrong bias, LayerNorm or attention moves the log-probs well
  past the tolerance.
- `tokenizer.json` (merges written as [a, b] pairs, the format of tokenizers >= 0.20; GPT-2's own
  file on the hub uses "a b" strings), `vocab.json` + `merges.txt` (the same BPE), `tokenizer_config.json`.
  Byte-level BPE, GPT-2's pre-tokenizer regex, no prefix space, `{eot}` = id {eot_id} (last).
- `expected.jsonl`: per text, `text`, `tokens` (no BOS; truncated to n_positions),
  `token_log_probs` (ln p(token_i | tokens_<i), i >= 1, float64 log-softmax of the float32
  logits, eager attention, eval mode), `loss` (negated mean), `perplexity`; the long text also
  has `untruncated_tokens` and `truncated_to`. Several texts hold newlines, so score this file
  itself as the TEXTS (`.jsonl`, field `text`), not a one-text-per-line file.
- Real GPT-2 checkpoints on the hub differ in names: `openai-community/gpt2` stores `wte.weight`,
  `h.0.attn.c_attn.weight`, ... without the `transformer.` prefix, plus `h.{{i}}.attn.bias`
  (the [1, 1, P, P] causal-mask buffer, not a parameter); some (e.g. DialoGPT) store the prefix and
  `attn.masked_bias`. transformers loads all three layouts.
"""


def make_fixture(out_dir: str, untied: bool, seed: int) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import safetensors
    import tokenizers
    import torch
    import transformers
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

    os.makedirs(out_dir, exist_ok=True)
    files = fortune_files()
    tok = train_tokenizer(files)
    again = train_tokenizer(files)
    if tok.to_str() != again.to_str():
        fail("tokenizers' BPE trainer gave two different vocabularies on the same files", 1)
    vocab_size = tok.get_vocab_size()
    eot_id = tok.token_to_id(EOT)
    assert eot_id == vocab_size - 1, (eot_id, vocab_size)

    hf_tok = GPT2TokenizerFast(tokenizer_object=tok, bos_token=EOT, eos_token=EOT, unk_token=EOT,
                               add_prefix_space=False)
    hf_tok.save_pretrained(out_dir)
    tok.model.save(out_dir)  # vocab.json + merges.txt (transformers 5 writes only tokenizer.json)
    for stale in ("special_tokens_map.json",):
        if os.path.exists(os.path.join(out_dir, stale)):
            os.remove(os.path.join(out_dir, stale))

    torch.manual_seed(seed)
    config = GPT2Config(
        n_embd=N_EMBD, n_layer=N_LAYER, n_head=N_HEAD, n_positions=N_POSITIONS,
        vocab_size=vocab_size, activation_function="gelu_new", layer_norm_epsilon=1e-5,
        bos_token_id=eot_id, eos_token_id=eot_id, tie_word_embeddings=not untied,
    )
    model = GPT2LMHeadModel(config)
    randomise(model, seed)
    tied = model.lm_head.weight.data_ptr() == model.transformer.wte.weight.data_ptr()
    if tied == untied:
        fail(f"lm_head tied = {tied}, asked for untied = {untied}", 1)
    model.save_pretrained(out_dir, safe_serialization=True)

    # The stored tensors: names, shapes, dtype, lm_head only when untied.
    header = safetensors_header(os.path.join(out_dir, "model.safetensors"))
    stored = {k: v["shape"] for k, v in header.items() if k != "__metadata__"}
    want = expected_names(vocab_size, not untied)
    if stored != want:
        extra = sorted(set(stored) - set(want))
        missing = sorted(set(want) - set(stored))
        shapes = sorted(k for k in set(stored) & set(want) if stored[k] != want[k])
        fail(f"model.safetensors: unexpected {extra}, missing {missing}, shapes differ {shapes}", 1)
    dtypes = {v["dtype"] for k, v in header.items() if k != "__metadata__"}
    print(f"model.safetensors: {len(stored)} tensors, dtypes {sorted(dtypes)}, metadata "
          f"{header.get('__metadata__')}, lm_head.weight stored: {'lm_head.weight' in stored}")

    # Four tokenizers must agree on every text.
    loaded = AutoTokenizer.from_pretrained(out_dir)
    from_json = tokenizers.Tokenizer.from_file(os.path.join(out_dir, "tokenizer.json"))
    from_files = byte_level_bpe_from_files(os.path.join(out_dir, "vocab.json"),
                                           os.path.join(out_dir, "merges.txt"))
    reference = ReferenceBPE(os.path.join(out_dir, "vocab.json"), os.path.join(out_dir, "merges.txt"))
    model.eval()
    model.config._attn_implementation = "eager"
    reloaded = load_model(out_dir)
    lines = []
    for text in TEXTS:
        ids = loaded(text, add_special_tokens=True)["input_ids"]
        others = {
            "tokenizers(tokenizer.json)": from_json.encode(text).ids,
            "tokenizers(vocab+merges)": from_files.encode(text).ids,
            "reference encoder.py": reference.encode(text),
        }
        for name, other in others.items():
            if other != ids:
                fail(f"{name} gives other ids than transformers for {text!r}:\n{other}\n{ids}", 1)
        if loaded.decode(ids) != text:
            fail(f"decode(encode(text)) != text for {text!r}", 1)
        record = {"text": text}
        scored = ids[:N_POSITIONS]
        record["tokens"] = scored
        logp = token_log_probs(model, scored)
        if token_log_probs(reloaded, scored) != logp:
            fail(f"the reloaded folder gives other log-probs for {text!r}", 1)
        loss = -sum(logp) / len(logp)
        record.update(token_log_probs=logp, loss=loss, perplexity=math.exp(loss))
        if len(ids) > N_POSITIONS:
            record.update(untruncated_tokens=ids, truncated_to=N_POSITIONS)
        lines.append(json.dumps(record, ensure_ascii=False))
    with open(os.path.join(out_dir, "expected.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")

    with open(os.path.join(out_dir, "README.md"), "w", encoding="utf-8") as f:
        f.write(README.format(
            suffix="-untied" if untied else "", flag=" --untied" if untied else "", seed=seed,
            torch=torch.__version__, transformers=transformers.__version__,
            tokenizers=tokenizers.__version__, safetensors=safetensors.__version__,
            d=N_EMBD, L=N_LAYER, H=N_HEAD, P=N_POSITIONS, V=vocab_size, tied=not untied,
            lm_head=("`lm_head.weight` [V, d] is stored (untied)" if untied else
                     "`lm_head.weight` is NOT stored (tied to `transformer.wte.weight`)"),
            eot=EOT, eot_id=eot_id,
        ))
    total = 0
    for name in sorted(os.listdir(out_dir)):
        size = os.path.getsize(os.path.join(out_dir, name))
        total += size
        print(f"  {size:>8}  {name}")
    print(f"  {total:>8}  total; V = {vocab_size}, {len(TEXTS)} texts, "
          f"{sum(len(json.loads(l)['tokens']) for l in lines)} tokens")
    return 0


# ----------------------------------------------------------------------------------------
# check-export / check-import


def check(hf_dir: str, scores_path: str, texts_path: str, tolerance: float, what: str) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    for required in ("config.json", "model.safetensors"):
        if not os.path.exists(os.path.join(hf_dir, required)):
            fail(f"{hf_dir}: no {required}")
    try:
        with open(scores_path, encoding="utf-8") as f:
            scores = [json.loads(line) for line in f if line.strip()]
    except (OSError, json.JSONDecodeError) as e:
        fail(f"{scores_path}: {e}")
    if not scores:
        fail(f"{scores_path}: no JSON objects")
    texts = read_texts(texts_path) if texts_path else [s.get("text") for s in scores]
    if len(texts) != len(scores):
        fail(f"{len(texts)} texts but {len(scores)} score lines")

    model = load_model(hf_dir)
    n_positions, vocab = model.config.n_positions, model.config.vocab_size
    tok_name, encode = load_tokenizer(hf_dir)
    print(f"{what}: {hf_dir}: GPT2LMHeadModel d={model.config.n_embd} L={model.config.n_layer} "
          f"H={model.config.n_head} P={n_positions} V={vocab} tied={model.config.tie_word_embeddings}; "
          f"tokenizer: {tok_name or 'none found (ids not checked)'}")

    bad, worst, compared_ids, n_logp = 0, 0.0, 0, 0
    for i, (s, text) in enumerate(zip(scores, texts)):
        problems = []
        tokens, tacit_logp = s.get("tokens"), s.get("token_log_probs")
        if not isinstance(tokens, list) or not isinstance(tacit_logp, list):
            problems.append("no tokens / token_log_probs")
        else:
            if text is not None and encode is not None:
                ids = encode(text)[:n_positions]
                compared_ids += 1
                if ids != tokens:
                    first = next((k for k, (a, b) in enumerate(zip(ids, tokens)) if a != b),
                                 min(len(ids), len(tokens)))
                    problems.append(f"ids differ at {first} (transformers {ids[first:first + 5]}, "
                                    f"tacit {tokens[first:first + 5]}; lengths {len(ids)}/{len(tokens)})")
            if len(tokens) > n_positions or any(not 0 <= t < vocab for t in tokens):
                problems.append(f"tokens outside the model ({len(tokens)} tokens, V={vocab})")
            elif len(tacit_logp) != max(len(tokens) - 1, 0):
                problems.append(f"{len(tacit_logp)} log-probs for {len(tokens)} tokens")
            else:
                ref = token_log_probs(model, tokens)
                delta = max((abs(a - b) for a, b in zip(ref, tacit_logp)), default=0.0)
                if not math.isfinite(delta):
                    delta = math.inf
                worst, n_logp = max(worst, delta), n_logp + len(ref)
                if delta > tolerance:
                    problems.append(f"max |delta log-prob| {delta:.3g} > {tolerance:g}")
                if ref and "loss" in s:
                    loss = -sum(tacit_logp) / len(tacit_logp)
                    if abs(s["loss"] - loss) > 1e-5 * max(1.0, abs(loss)):
                        problems.append(f"loss {s['loss']} is not the negated mean {loss}")
                    if "perplexity" in s and abs(s["perplexity"] - math.exp(s["loss"])) > \
                            1e-5 * math.exp(s["loss"]):
                        problems.append(f"perplexity {s['perplexity']} != exp(loss)")
        status = "ok" if not problems else "MISMATCH: " + "; ".join(problems)
        n = len(tokens) if isinstance(tokens, list) else 0
        print(f"  {i:>3} {n:>4} tokens  {status}  {(text or '')[:40]!r}")
        bad += bool(problems)
    print(f"{len(scores)} texts, ids compared on {compared_ids}, {n_logp} log-probs, "
          f"max |delta log-prob| {worst:.3g} (tolerance {tolerance:g}): "
          f"{'OK' if not bad else f'{bad} MISMATCHED'}")
    return 1 if bad else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make-fixture", help="write the tiny random GPT-2 fixture")
    m.add_argument("out_dir")
    m.add_argument("--untied", action="store_true", help="untied lm_head (stored separately)")
    m.add_argument("--seed", type=int, default=SEED)
    for name, help_text in (("check-export", "compare a Tacit-exported hf/ folder"),
                            ("check-import", "compare Tacit's scores of an HF folder")):
        c = sub.add_parser(name, help=help_text)
        c.add_argument("hf_dir")
        c.add_argument("scores_jsonl")
        c.add_argument("--texts", help="texts in score order (lines, or .jsonl with `text`)")
        c.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = p.parse_args()
    import warnings

    warnings.filterwarnings("ignore")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass
    if args.command == "make-fixture":
        return make_fixture(args.out_dir, args.untied, args.seed)
    return check(args.hf_dir, args.scores_jsonl, args.texts, args.tolerance, args.command)


if __name__ == "__main__":
    sys.exit(main())
