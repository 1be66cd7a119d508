#!/usr/bin/env python3
"""Generate Tests/TacitPrivacyTests/Fixtures/pld_reference.json: prv_accountant's bounds on the
epsilon of DP-SGD at regime corners, for PLDReferenceTests.

Every row is the Poisson-subsampled Gaussian (sample rate q, noise multiplier sigma) composed T
times, add-or-remove-one adjacency, at delta:

  prv_lower, prv_estimate, prv_upper   prv_accountant 0.2.0, PRVAccountant(
                                       PoissonSubsampledGaussianMechanism(sigma, q),
                                       eps_error=0.01, delta_error=delta/1000).compute_epsilon
                                       (Gopi, Lee & Wutschitz 2021): the true epsilon lies
                                       between lower and upper
  dp_accounting_pessimistic,           dp-accounting 0.6 PLD at its default interval 1e-4
  dp_accounting_optimistic             (pessimistic_estimate True / False), for the rows with
                                       T <= 1000 and q >= 1e-4 only (null elsewhere: too slow)
  heavy                                true when Tacit needs more than a second for the row in a
                                       debug build; PLDReferenceTests runs those in release only

Install and run (CI never runs this; the JSON is committed):
    python3 -m venv venv && venv/bin/pip install prv-accountant==0.2.0 dp-accounting==0.6.0
    venv/bin/python Scripts/make_pld_reference_fixtures.py
"""
import json
import os
import sys
import time

from dp_accounting import dp_event
from dp_accounting.pld import pld_privacy_accountant, privacy_loss_distribution
from prv_accountant import PRVAccountant, PoissonSubsampledGaussianMechanism

ROWS = [  # (q, sigma, T, delta, heavy, why)
    (1e-6, 0.3, 100, 1e-5, False, "tiny q, small sigma: heavy-tailed loss, epsilon near 0"),
    (1e-6, 1.0, 1, 1e-5, False, "q below delta: epsilon 0 by the total-variation bound"),
    (1e-4, 0.3, 1, 1e-5, False, "one step, heavy tail"),
    (1e-4, 0.5, 100, 1e-5, False, "small q, few steps"),
    (1e-4, 0.3, 10_000, 1e-5, False, "small q, small sigma, many steps"),
    (1e-2, 0.3, 100, 1e-5, False, "large epsilon from a small sigma"),
    (1e-2, 20.0, 10_000, 1e-5, False, "large sigma: tiny per-step loss"),
    (0.1, 1.0, 100, 1e-5, False, "moderate"),
    (1.0, 2.0, 1, 1e-5, False, "plain Gaussian, one release"),
    (1.0, 20.0, 10_000, 1e-5, False, "plain Gaussian composed"),
    (256 / 60000, 1.1, 14_062, 1e-5, False, "TF Privacy tutorial (REFERENCES.md)"),
    (0.001, 0.5, 1000, 1e-6, False, "issue 12's 85-second command"),
    (1e-6, 0.3, 10_000, 1e-5, True, "tiny q, small sigma: epsilon set by rare large losses"),
    (1e-6, 0.3, 1_000_000, 1e-5, True, "tiny q, small sigma, 10^6 steps"),
    (1e-4, 0.5, 1_000_000, 1e-5, True, "small q, 10^6 steps"),
    (1e-2, 5.0, 1_000_000, 1e-5, True, "10^6 steps, large sigma"),
]


def prv(q, sigma, steps, delta):
    accountant = PRVAccountant(
        prvs=[PoissonSubsampledGaussianMechanism(noise_multiplier=sigma, sampling_probability=q)],
        max_self_compositions=[steps], eps_error=0.01, delta_error=delta / 1000)
    return accountant.compute_epsilon(delta=delta, num_self_compositions=[steps])


def dp_accounting_pld(q, sigma, steps, delta, pessimistic):
    if pessimistic:
        accountant = pld_privacy_accountant.PLDAccountant(value_discretization_interval=1e-4)
        accountant.compose(dp_event.SelfComposedDpEvent(
            dp_event.PoissonSampledDpEvent(q, dp_event.GaussianDpEvent(sigma)), steps))
        return accountant.get_epsilon(delta)
    pld = privacy_loss_distribution.from_gaussian_mechanism(
        sigma, sampling_prob=q, value_discretization_interval=1e-4, pessimistic_estimate=False,
        use_connect_dots=True).self_compose(steps)
    return pld.get_epsilon_for_delta(delta)


def main():
    rows = []
    for q, sigma, steps, delta, heavy, why in ROWS:
        start = time.time()
        lower, estimate, upper = prv(q, sigma, steps, delta)
        row = {"sample_rate": q, "noise_multiplier": sigma, "steps": steps, "delta": delta, "heavy": heavy,
               "why": why, "prv_lower": lower, "prv_estimate": estimate, "prv_upper": upper,
               "dp_accounting_pessimistic": None, "dp_accounting_optimistic": None}
        if steps <= 1000 and q >= 1e-4:
            row["dp_accounting_pessimistic"] = dp_accounting_pld(q, sigma, steps, delta, True)
            row["dp_accounting_optimistic"] = dp_accounting_pld(q, sigma, steps, delta, False)
        rows.append(row)
        print(f"{q:g} {sigma:g} {steps} {delta:g}: prv [{lower:.6g}, {upper:.6g}] "
              f"({time.time() - start:.1f} s)", file=sys.stderr, flush=True)
    path = os.path.join(os.path.dirname(__file__), "..", "Tests", "TacitPrivacyTests", "Fixtures", "pld_reference.json")
    with open(path, "w") as file:
        json.dump({"generator": "Scripts/make_pld_reference_fixtures.py", "prv_accountant": "0.2.0",
                   "dp_accounting": "0.6.0", "eps_error": 0.01, "rows": rows}, file, indent=1)
        file.write("\n")


if __name__ == "__main__":
    main()
