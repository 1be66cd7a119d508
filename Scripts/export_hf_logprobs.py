#!/usr/bin/env python3
"""Per-token log-probabilities of texts under a `transformers` causal LM, as the JSON Lines
file `tacit audit lm-scores` reads (issue 14, item 5).

A red-teamer runs this next to the model (Llama, Pythia, GPT-2, ... on a GPU machine) and
analyses the file with Tacit anywhere:

    python Scripts/export_hf_logprobs.py MODEL --members M.txt --non-members N.txt -o scores.jsonl
    python Scripts/export_hf_logprobs.py MODEL --texts labelled.jsonl -o scores.jsonl
    tacit audit lm-scores scores.jsonl

MODEL is anything `AutoModelForCausalLM.from_pretrained` and `AutoTokenizer.from_pretrained`
load (a local folder; a hub name when the hub is reachable). Texts: --members and
--non-members hold one text per line (blank lines skipped), or are .jsonl with a `text` field;
--texts is a .jsonl whose objects have `text` and `member` (1 or 0).

Each output line (one per text, members first then non-members, in input order):
  text, member,
  tokens            the ids the tokenizer gives (`add_special_tokens=True`: a BOS when the
                    tokenizer adds one; GPT-2 adds nothing), cut to the model's context
                    (--max-tokens, default the config's max_position_embeddings / n_positions),
  token_log_probs   ln p(tokens[i] | tokens[:i]) for i >= 1 (the first token is never scored):
                    float64 log-softmax of the model's logits,
  mu, sigma         per scored token, the mean and standard deviation of ln p under the model's
                    whole next-token distribution at that position, in float64
                    (mu = sum_v p_v ln p_v, sigma^2 = sum_v p_v (ln p_v - mu)^2; Min-K%++),
  lowercase_token_log_probs   the same for text.lower() (its own tokens),
  reference_token_log_probs   with --reference MODEL2: the text under that model.
These are the fields and conventions of `tacit score --json`, so the two agree on the same
model (checked in docs/language-models.md). A text of one token has nothing to score and is
refused (exit 2), as `tacit audit lm-scores` would refuse its empty arrays.

Requires torch and transformers. Exit 0 on success, 2 on bad input.
"""

import argparse
import json
import sys


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def read_texts(path: str) -> list:
    """One text per line (blank lines skipped), or the `text` field of each .jsonl line."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if not path.endswith(".jsonl"):
        return [line for line in lines if line.strip()]
    texts = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            texts.append(json.loads(line)["text"])
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            fail(f"{path}:{number}: expected a JSON object with a text field ({e})")
    return texts


def read_labelled(path: str) -> list:
    """(text, member) pairs of a .jsonl file with `text` and `member` (0 or 1)."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text, member = item["text"], item["member"]
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                fail(f"{path}:{number}: expected a JSON object with text and member ({e})")
            if member not in (0, 1) or isinstance(member, bool):
                fail(f"{path}:{number}: member must be 0 or 1, got {member!r}")
            pairs.append((text, member))
    return pairs


class Scorer:
    """A causal LM and its tokenizer, in eval mode."""

    def __init__(self, path: str, device: str, max_tokens):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).to(device).eval()
        self.device = device
        config = self.model.config
        context = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
        self.max_tokens = max_tokens or context

    def ids(self, text: str) -> list:
        ids = self.tokenizer(text, add_special_tokens=True)["input_ids"]
        return ids[: self.max_tokens] if self.max_tokens else ids

    def score(self, text: str, moments: bool) -> dict:
        """tokens, token_log_probs and (with moments) mu and sigma of one text."""
        torch = self.torch
        ids = self.ids(text)
        if len(ids) < 2:
            fail(f"the text {text[:60]!r} has {len(ids)} token(s): nothing to score")
        with torch.no_grad():
            logits = self.model(torch.tensor([ids], device=self.device)).logits[0, :-1]  # [T-1, V]
            logp = torch.log_softmax(logits.double(), dim=-1)
            target = torch.tensor(ids[1:], device=self.device)
            result = {"tokens": ids, "token_log_probs": logp.gather(1, target[:, None])[:, 0].tolist()}
            if moments:
                p = logp.exp()
                # p_v = 0 terms contribute 0 (0 * -inf would be nan).
                weighted = torch.where(p > 0, p * logp, torch.zeros_like(p))
                mu = weighted.sum(-1)
                deviation = torch.where(p > 0, logp - mu[:, None], torch.zeros_like(p))
                sigma = (p * deviation * deviation).sum(-1).sqrt()
                result["mu"] = mu.tolist()
                result["sigma"] = sigma.tolist()
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="a transformers causal LM folder (or hub name)")
    parser.add_argument("--members", help="member texts: one per line, or .jsonl with text")
    parser.add_argument("--non-members", help="non-member texts: one per line, or .jsonl with text")
    parser.add_argument("--texts", help=".jsonl with text and member (0 or 1)")
    parser.add_argument("--reference", help="a reference causal LM (reference_token_log_probs)")
    parser.add_argument("--no-lowercase", action="store_true", help="skip lowercase_token_log_probs")
    parser.add_argument("--max-tokens", type=int, help="cut texts to this many tokens (default: the context)")
    parser.add_argument("--device", default="cpu", help="torch device (cpu, cuda, ...)")
    parser.add_argument("-o", "--output", required=True, help="the JSON Lines file to write")
    args = parser.parse_args()

    pairs = read_labelled(args.texts) if args.texts else []
    if args.members:
        pairs += [(text, 1) for text in read_texts(args.members)]
    if args.non_members:
        pairs += [(text, 0) for text in read_texts(args.non_members)]
    if not pairs:
        fail("no texts: give --texts, or --members and --non-members")

    target = Scorer(args.model, args.device, args.max_tokens)
    reference = Scorer(args.reference, args.device, None) if args.reference else None
    lines = []
    for text, member in pairs:
        record = {"text": text, "member": member}
        record.update(target.score(text, moments=True))
        if not args.no_lowercase:
            record["lowercase_token_log_probs"] = target.score(text.lower(), moments=False)["token_log_probs"]
        if reference is not None:
            record["reference_token_log_probs"] = reference.score(text, moments=False)["token_log_probs"]
        lines.append(json.dumps(record, ensure_ascii=False))
    with open(args.output, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    members = sum(member for _, member in pairs)
    print(f"{args.output}: {len(pairs)} texts ({members} members, {len(pairs) - members} non-members)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
