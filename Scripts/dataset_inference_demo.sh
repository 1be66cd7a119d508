#!/usr/bin/env bash
# Dataset inference and the blind baseline on a small byte-level LM (docs/language-models.md,
# "Membership scores, dataset inference and the blind baseline"): the numbers of that section.
#
#   Scripts/dataset_inference_demo.sh OUT [EPOCHS...]      (default epochs: 4 10 40)
#
# Texts: the records of at most 126 bytes of the 35 "private" fortune files of
# Recipes/fortunes-lm.yaml (whitespace runs made one space, exact duplicates dropped), shuffled
# with Python's random.Random(14): the first 500 are the suspect texts (the model trains on
# them: one per line, 5% drawn as test records and so not trained on), the next 500 the control
# texts (never trained on). A shifted control set: the first 500 such records of `computers`, a
# fortune file outside that list. Model: GPT-2 d = 64, 2 layers, 2 heads, context 128, AdamW
# 0.002, batch 32, no audit. Needs python3, the Debian fortunes packages and a built tacit
# (TACIT, default .build/release/tacit).
set -euo pipefail
out=${1:?usage: $0 OUT [EPOCHS...]}
shift
epochs=("${@:-4 10 40}")
read -r -a epochs <<<"${epochs[*]}"
tacit=$(realpath "${TACIT:-.build/release/tacit}")
mkdir -p "$out"
cd "$out"
python3 - <<'PYTHON'
import random
files = ("fortunes wisdom miscellaneous work science men-women zippy knghtbrd platitudes linux disclaimer perl "
         "literature startrek drugs law education food humorists ethnic love kids sports riddles linuxcookie debian "
         "tao medicine paradoxum goedel news pets magic translate-me pratchett").split()
def records(name):
    text = open("/usr/share/games/fortunes/" + name, encoding="utf-8").read()
    for record in text.split("\n%\n"):
        record = " ".join(record.split())
        if record and len(record.encode()) <= 126:
            yield record
pool, seen = [], set()
for name in files:
    for record in records(name):
        if record not in seen:
            seen.add(record)
            pool.append(record)
random.Random(14).shuffle(pool)
open("suspect.txt", "w").write("\n".join(pool[:500]) + "\n")
open("control.txt", "w").write("\n".join(pool[500:1000]) + "\n")
open("computers.txt", "w").write("\n".join(list(records("computers"))[:500]) + "\n")
PYTHON
for n in "${epochs[@]}"; do
  cat >"lm-$n.yaml" <<YAML
version: 1
name: di-demo-$n
seed: 1
data: {source: text, format: lines, files: [suspect.txt], test_fraction: 0.05}
model: {type: gpt2, width: 64, layers: 2, heads: 2, context: 128}
training:
  epochs: $n
  batch_size: 32
  optimizer: {type: adamw, learning_rate: 0.002, weight_decay: 0.0}
  evaluate_train: false
audit: {enabled: false}
YAML
  "$tacit" run "lm-$n.yaml" --output "run-$n" >"run-$n.log" 2>&1
  grep "epoch *$n " "run-$n.log"
  "$tacit" audit texts --model "run-$n" --suspect suspect.txt --control control.txt || true
  # The same texts as an lm-scores file: tacit score --json plus a member field.
  "$tacit" score "run-$n" suspect.txt --json | sed 's/}$/,"member":1}/' >"scores-$n.jsonl"
  "$tacit" score "run-$n" control.txt --json | sed 's/}$/,"member":0}/' >>"scores-$n.jsonl"
  "$tacit" audit lm-scores "scores-$n.jsonl" | grep -E "^[a-z_]+:|^AUC|^TPR at 1%|^blind" || true
done
last=${epochs[${#epochs[@]}-1]}
echo "shifted control set (computers):"
"$tacit" audit texts --model "run-$last" --suspect suspect.txt --control computers.txt || echo "exit $?"
