#!/usr/bin/env bash
# The language-model audit runs of docs/language-models.md, "Results: membership inference on
# the fortune models" (issue 14's acceptance). Hours of CPU on two cores; every step is a plain
# tacit command.
#
#   Scripts/lm_acceptance.sh OUT            (TACIT: the tacit binary, default .build/release/tacit)
#
# 1. Recipes/fortunes-lm.yaml trained past overfitting (40 epochs), with 4 reference models for
#    LiRA and RMIA (trained as one shard, then merged: the same run an unsharded `tacit run`
#    gives) and secret-sharer canaries "my PIN is {digits:6}" inserted 1, 4 and 16 times; then
#    the same attacks on a model trained 30 epochs (less overfitted), without secrets.
# 2. Recipes/fortunes-lm-dp-eps8.yaml and Recipes/fortunes-lm-finetune-dp.yaml (after
#    Recipes/fortunes-lm-public.yaml, which it fine-tunes) with the same secret canaries.
#    Then the DP-SGD recipe again with four canaries inserted 16 times and four control canaries
#    never inserted, record-level (privacy.unit: record) and user-level (privacy.unit: user:
#    each canary's 16 copies one user).
# 3. Dataset inference on run 1: 500 of its member texts against 500 of its non-member texts,
#    with the false-positive check over 100 random control splits; then the same 500 members
#    against 500 records of `computers`, a fortune file outside the training files (a shifted
#    control set: the blind baseline must flag it INVALID).
# 4. tacit compare of the three runs.
set -euo pipefail
out=$(realpath -m "${1:?usage: $0 OUT}")
tacit=$(realpath "${TACIT:-.build/release/tacit}")
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SkylakeX}
secrets=(--set 'audit.secrets={format: "my PIN is {digits:6}", insertions: [1, 4, 16], per_insertion: 2}')
overfit=(--set training.epochs=40 --set audit.reference_models=4
  --set 'audit.attacks=[loss, min_k, min_k_plus_plus, zlib_ratio, lowercase_ratio, lira_online, lira_offline, rmia_offline]'
  "${secrets[@]}")
mkdir -p "$out"

"$tacit" shadow Recipes/fortunes-lm.yaml --shard 0/1 --output "$out/shard-overfit" --threads 2 "${overfit[@]}"
"$tacit" audit merge "$out/shard-overfit" --output "$out/lm-overfit" --threads 2 || test $? -eq 4
"$tacit" run Recipes/fortunes-lm.yaml --output "$out/lm-overfit-30" --threads 2 --set training.epochs=30 \
  --set audit.reference_models=4 "${overfit[@]:4:2}" || test $? -eq 4
"$tacit" run Recipes/fortunes-lm-dp-eps8.yaml --output "$out/lm-dp-eps8" --threads 2 "${secrets[@]}" || test $? -eq 4
controls=(--set 'audit.secrets={format: "my PIN is {digits:6}", insertions: [0, 16], per_insertion: 4}')
"$tacit" run Recipes/fortunes-lm-dp-eps8.yaml --output "$out/lm-dp-eps8-controls" --threads 2 "${controls[@]}" || test $? -eq 4
"$tacit" run Recipes/fortunes-lm-dp-eps8.yaml --output "$out/lm-dp-eps8-user" --threads 2 --set privacy.unit=user \
  "${controls[@]}" || test $? -eq 4
test -d runs/fortunes-lm-public || "$tacit" run Recipes/fortunes-lm-public.yaml --threads 2
"$tacit" run Recipes/fortunes-lm-finetune-dp.yaml --output "$out/lm-finetune-dp" --threads 2 "${secrets[@]}" || test $? -eq 4

head -n 500 "$out/lm-overfit/members.jsonl" >"$out/suspect.jsonl"
head -n 500 "$out/lm-overfit/non-members.jsonl" >"$out/control.jsonl"
python3 - "$out/computers.jsonl" <<'PYTHON'
import json, sys
text = open("/usr/share/games/fortunes/computers", encoding="utf-8").read()
records = [" ".join(r.split()) for r in text.split("\n%\n")]
records = [r for r in records if r and len(r.encode()) <= 126][:500]
with open(sys.argv[1], "w") as f:
    for r in records:
        f.write(json.dumps({"text": r}) + "\n")
PYTHON
"$tacit" audit texts --model "$out/lm-overfit" --suspect "$out/suspect.jsonl" --control "$out/control.jsonl" \
  --threads 2 --json >"$out/dataset-inference.json" || test $? -eq 4
"$tacit" audit texts --model "$out/lm-overfit" --suspect "$out/suspect.jsonl" --control "$out/computers.jsonl" \
  --threads 2 --json >"$out/dataset-inference-shifted.json" || test $? -eq 4
"$tacit" compare "$out/lm-overfit" "$out/lm-dp-eps8" "$out/lm-finetune-dp" --output "$out/compare"
