#!/usr/bin/env python3
"""Tacit's PLD accountant against Microsoft's prv_accountant over a grid of DP-SGD settings.

For every (q, sigma, T) of the grid at delta = 1e-5 this runs, one after the other and pinned to
one core (taskset -c 0):

  prv_accountant 0.2.0   PRVAccountant(PoissonSubsampledGaussianMechanism(sigma, q),
                         eps_error=0.01, delta_error=delta/1000).compute_epsilon(delta, [T])
                         -> (lower, estimate, upper), and its wall time;
  tacit epsilon          the release binary, --accountant pld --json, and its wall time
                         (process start included);
  tacit calibrate        for rows whose epsilon is at most 100: the release binary calibrating
                         sigma to Tacit's own epsilon of the row, and its wall time (the sigma it
                         finds should be the row's sigma, to the calibration tolerance).

Where prv_accountant fails (it raises "Discrete mean differs from continuous mean significantly"
for some large-q, small-sigma rows) and T <= 10^4, dp-accounting 0.6's optimistic and pessimistic
PLD epsilon (interval 1e-4) stand in as the bounds, marked ᵈ in the table; Tacit's epsilon must
then lie above the optimistic one and at most 0.01 (prv's eps_error) above the pessimistic one.

It prints a Markdown table with a verdict per row: Tacit's epsilon inside [lower, upper], one
epsilon within 1 s, one calibration within 5 s (wall time; the CPU time of the process, user +
system, is printed beside it, the figure to trust on a busy machine). Rows whose epsilon exceeds 100 are listed but
outside the acceptance range (prv_accountant's own domain may not cover them).

Install and run (CI never runs this):
    python3 -m venv venv && venv/bin/pip install prv-accountant==0.2.0 dp-accounting==0.6.0
    swift build -c release --scratch-path .build-rel
    venv/bin/python Scripts/pld_grid_benchmark.py [--tacit .build-rel/release/tacit] [--quick] \
        [--prv-cache prv.json] [--json records.json]

prv_accountant needs up to a few minutes per row at 10^6 steps; --prv-cache keeps its answers so
that Tacit's timings can be repeated when the machine is quiet. Rows where Tacit's epsilon is
above 110 skip prv_accountant (outside the acceptance range either way).
"""
import argparse
import json
import resource
import subprocess
import sys
import time

from dp_accounting import dp_event
from dp_accounting.pld import pld_privacy_accountant, privacy_loss_distribution
from prv_accountant import PRVAccountant, PoissonSubsampledGaussianMechanism

SAMPLE_RATES = [1e-6, 1e-4, 1e-2, 0.1, 1.0]
NOISE_MULTIPLIERS = [0.3, 0.5, 1.0, 2.0, 5.0, 20.0]
STEPS = [1, 100, 10_000, 1_000_000]
DELTA = 1e-5
EPSILON_LIMIT = 100.0
PIN = ["taskset", "-c", "0"]


def prv_bounds(q, sigma, steps):
    """(lower, estimate, upper, seconds) from prv_accountant, or None where it fails."""
    start = time.perf_counter()
    try:
        accountant = PRVAccountant(
            prvs=[PoissonSubsampledGaussianMechanism(noise_multiplier=sigma, sampling_probability=q)],
            max_self_compositions=[steps], eps_error=0.01, delta_error=DELTA / 1000)
        lower, estimate, upper = accountant.compute_epsilon(delta=DELTA, num_self_compositions=[steps])
    except Exception as error:  # prv_accountant raises for settings outside its domain
        return None, f"{type(error).__name__}: {error}"[:80]
    return (lower, estimate, upper, time.perf_counter() - start), None


def dp_accounting_bounds(q, sigma, steps):
    """(optimistic, pessimistic) PLD epsilon from dp-accounting 0.6 at interval 1e-4: the true
    epsilon lies between them. The fallback reference where prv_accountant fails."""
    start = time.perf_counter()
    accountant = pld_privacy_accountant.PLDAccountant(value_discretization_interval=1e-4)
    accountant.compose(dp_event.SelfComposedDpEvent(
        dp_event.PoissonSampledDpEvent(q, dp_event.GaussianDpEvent(sigma)), steps))
    pessimistic = accountant.get_epsilon(DELTA)
    optimistic = privacy_loss_distribution.from_gaussian_mechanism(
        sigma, sampling_prob=q, value_discretization_interval=1e-4, pessimistic_estimate=False,
        use_connect_dots=False).self_compose(steps).get_epsilon_for_delta(DELTA)
    return optimistic, (optimistic + pessimistic) / 2, pessimistic, time.perf_counter() - start


def tacit(binary, arguments):
    """(parsed JSON or error text, (wall seconds, CPU seconds), exit code) of one tacit command.
    CPU seconds (user + system of the child) are what one core spent, whatever else runs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.run(PIN + [binary] + arguments + ["--json"], capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode != 0:
        return process.stderr.strip().splitlines()[-1][:100], (wall, cpu), process.returncode
    return json.loads(process.stdout), (wall, cpu), 0


def row(binary, q, sigma, steps, prv_cache):
    mechanism = ["--sample-rate", repr(q), "--steps", str(steps), "--delta", repr(DELTA), "--accountant", "pld"]
    result, seconds, code = tacit(binary, ["epsilon", "--noise-multiplier", repr(sigma)] + mechanism)
    epsilon = result["epsilon"] if code == 0 else None
    key = f"{q!r} {sigma!r} {steps}"
    if key in prv_cache:
        bounds, prv_error = prv_cache[key]
    elif epsilon is None or epsilon > 1.1 * EPSILON_LIMIT:
        bounds, prv_error = None, "not run: Tacit's ε is far above 100"
    else:
        bounds, prv_error = prv_bounds(q, sigma, steps)
        prv_cache[key] = (bounds, prv_error)
    reference = "prv"
    if bounds is None and prv_error.startswith("RuntimeError") and steps <= 10_000:
        bounds, reference = dp_accounting_bounds(q, sigma, steps), "dp_accounting"
    record = {"q": q, "sigma": sigma, "T": steps, "epsilon": epsilon, "seconds": seconds,
              "error": None if code == 0 else result, "prv": bounds, "prv_error": prv_error,
              "reference": reference}
    if epsilon is not None and 0 < epsilon <= EPSILON_LIMIT:
        calibrated, calibrate_seconds, calibrate_code = tacit(
            binary, ["calibrate", "--epsilon", repr(epsilon)] + mechanism)
        record["calibrate_seconds"] = calibrate_seconds
        record["calibrated_sigma"] = calibrated["noise_multiplier"] if calibrate_code == 0 else calibrated
    return record


def verdict(record):
    epsilon = record["epsilon"]
    if epsilon is None:
        refused_in_range = record["prv"] is not None and record["prv"][1] <= EPSILON_LIMIT
        return "refused" + (" — FAIL: prv's ε ≤ 100" if refused_in_range else " (ε far above 100)")
    in_range = epsilon <= EPSILON_LIMIT and (record["prv"] is None or record["prv"][1] <= EPSILON_LIMIT)
    if not in_range:
        return "ε > 100 (outside)"
    checks = []
    if record["prv"] is not None and record.get("reference", "prv") == "dp_accounting":
        # prv_accountant failed: above dp_accounting's optimistic ε, and at most prv's eps_error
        # (0.01) above its pessimistic ε.
        lower, _, upper, _ = record["prv"]
        checks.append("in dp_accounting's bounds + 0.01" if lower <= epsilon <= upper + 0.01 else "OUTSIDE bounds")
    elif record["prv"] is not None:
        lower, _, upper, _ = record["prv"]
        checks.append("in bounds" if lower <= epsilon <= upper else "OUTSIDE bounds")
    checks.append("≤ 1 s" if record["seconds"][0] <= 1 else "SLOW")
    if "calibrate_seconds" in record:
        checks.append("cal ≤ 5 s" if record["calibrate_seconds"][0] <= 5 else "CAL SLOW")
    return ", ".join(checks)


def markdown(records):
    lines = ["| q | σ | T | Tacit ε | Tacit s (CPU) | prv lower | prv estimate | prv upper | prv s | calibrated σ | calibrate s (CPU) | verdict |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        epsilon = f"{r['epsilon']:.6g}" if r["epsilon"] is not None else f"error: {r['error']}"
        if r["prv"] is not None:
            lower, estimate, upper, prv_seconds = r["prv"]
            mark = "" if r.get("reference", "prv") == "prv" else " ᵈ"
            prv = f"{lower:.6g}{mark} | {estimate:.6g}{mark} | {upper:.6g}{mark} | {prv_seconds:.2f}"
        else:
            prv = f"– | {r['prv_error']} | – | –"
        sigma = r.get("calibrated_sigma")
        calibrated = (f"{sigma:.6g}" if isinstance(sigma, float) else str(sigma)) if sigma is not None else "–"
        calibrate_seconds = "{:.2f} ({:.2f})".format(*r["calibrate_seconds"]) if "calibrate_seconds" in r else "–"
        seconds = "{:.2f} ({:.2f})".format(*r["seconds"])
        lines.append(f"| {r['q']:g} | {r['sigma']:g} | {r['T']:g} | {epsilon} | {seconds} | {prv} | "
                     f"{calibrated} | {calibrate_seconds} | {verdict(r)} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tacit", default=".build-rel/release/tacit")
    parser.add_argument("--quick", action="store_true", help="T ≤ 10⁴ only")
    parser.add_argument("--json", help="also write the raw records here")
    parser.add_argument("--prv-cache", help="reuse (and extend) prv_accountant's results stored in this JSON file")
    arguments = parser.parse_args()
    prv_cache = {}
    if arguments.prv_cache:
        try:
            with open(arguments.prv_cache) as file:
                prv_cache = json.load(file)
        except FileNotFoundError:
            pass
    records = []
    grid = [(q, sigma, steps) for q in SAMPLE_RATES for sigma in NOISE_MULTIPLIERS for steps in STEPS
            if not (arguments.quick and steps > 10_000)]
    # prv_accountant takes minutes at 10^6 steps: those rows last, so the rest is done early.
    for q, sigma, steps in sorted(grid, key=lambda setting: setting[2] > 10_000):
        records.append(row(arguments.tacit, q, sigma, steps, prv_cache))
        print(markdown(records[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
        if arguments.prv_cache:
            with open(arguments.prv_cache, "w") as file:
                json.dump(prv_cache, file)
    if arguments.json:
        with open(arguments.json, "w") as file:
            json.dump(records, file, indent=1)
    records.sort(key=lambda r: (r["q"], r["sigma"], r["T"]))
    print(markdown(records))
    failures = [r for r in records if any(word in verdict(r) for word in ("OUTSIDE", "SLOW", "FAIL"))]
    print(f"\n{len(records)} rows, {len(failures)} failing", file=sys.stderr)


if __name__ == "__main__":
    main()
