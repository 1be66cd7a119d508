#!/usr/bin/env bash
# The defenses table of docs/defenses.md: runs every recipe in Recipes/defenses/ (skipping rows
# whose run folder exists; delete it to rerun), then `tacit compare` of all rows (a distillation
# row is its student), and prints the table as Markdown. About 25 minutes with 2 threads.
#   Scripts/defenses_table.sh [RUNS_DIR]      (default runs/defenses)
set -euo pipefail
runs=${1:-runs/defenses}
tacit=${TACIT:-.build/release/tacit}
rows=(none l1 l2 dropout label-smoothing early-stopping augmentation distillation-public distillation-private dp-eps8 dp-eps3 dp-eps1
  dp-eps3-multiplicity)
folders=()
for row in "${rows[@]}"; do
  [ -f "$runs/$row/summary.json" ] || "$tacit" run "Recipes/defenses/$row.yaml" --output "$runs/$row" --threads 2 >/dev/null
  if [ -d "$runs/$row/student" ]; then folders+=("$runs/$row/student"); else folders+=("$runs/$row"); fi
done
"$tacit" compare "${folders[@]}" --output "$runs/comparison" >/dev/null
python3 - "$runs/comparison/comparison.json" "${rows[@]}" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
print("| defense | test accuracy | best attack AUC | LiRA TPR at 0.1% FPR | RMIA TPR at 0.1% FPR | ε lower bound (95%) | claimed ε |")
print("|---|---|---|---|---|---|---|")
for row, run in zip(sys.argv[2:], runs):
    attacks = run["attacks"]
    best = max(attacks, key=lambda name: attacks[name]["auc"])
    lira = attacks.get("lira_online", {}).get("tpr_at_fpr", {}).get("0.001")
    rmia = attacks.get("rmia_online", {}).get("tpr_at_fpr", {}).get("0.001")
    claimed = run["epsilon_claimed"]
    print(f"| {row} | {100 * run['test_accuracy']:.2f}% | {attacks[best]['auc']:.3f} ({best}) | "
          f"{100 * lira:.2f}% | {100 * rmia:.2f}% | {run['epsilon_lower_bound']:.2f} | "
          + ("none" if claimed is None else f"{claimed:.2f}") + " |")
PY
