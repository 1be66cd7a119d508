#!/usr/bin/env python3
"""Generate Tests/TacitPrivacyTests/Fixtures/composed_accounting.json with Google's dp-accounting.

Every row is a private feature normalisation (Tramer & Boneh 2021: two Gaussian releases with
noise multiplier sigma_n on the whole training set, no sampling) composed with DP-SGD (T steps of
the Poisson-subsampled Gaussian, sample rate q, noise multiplier sigma):

    ComposedDpEvent([SelfComposedDpEvent(GaussianDpEvent(sigma_n), 2),
                     SelfComposedDpEvent(PoissonSampledDpEvent(q, GaussianDpEvent(sigma)), T)])

accounted with the add-or-remove-one neighbouring relation:

  rdp_epsilon                  RdpAccountant (DEFAULT_RDP_ORDERS, improved conversion)
  pld_epsilon_pessimistic      PLDAccountant (pessimistic discretisation, interval 1e-4)
  normalization_rdp_epsilon    RdpAccountant of the normalisation alone
  normalization_pld_epsilon    PLDAccountant of the normalisation alone

Install and run (CI never runs this; the JSON is committed):
    python3 -m venv venv && venv/bin/pip install dp-accounting
    venv/bin/python Scripts/make_composed_accounting_fixtures.py
"""
import json
import os
import sys

import dp_accounting
from dp_accounting import dp_event
from dp_accounting.pld import pld_privacy_accountant
from dp_accounting.rdp import rdp_privacy_accountant

INTERVAL = 1e-4
ROWS = [  # (sigma_n, q, sigma, T, delta)
    (8.0, 8192 / 60000, 4.0, 439, 1e-5),   # the ScatterNet recipe's shape (Fashion-MNIST, 60 epochs)
    (8.0, 0.04, 1.5, 2250, 1e-5),
    (6.0, 0.01, 1.1, 1000, 1e-5),
    (3.0, 0.1, 2.0, 100, 1e-6),
    (20.0, 0.004, 0.8, 10000, 1e-5),
]


def events(sigma_n, q, sigma, steps):
    normalization = dp_event.SelfComposedDpEvent(dp_event.GaussianDpEvent(sigma_n), 2)
    dpsgd = dp_event.SelfComposedDpEvent(dp_event.PoissonSampledDpEvent(q, dp_event.GaussianDpEvent(sigma)), steps)
    return normalization, dp_event.ComposedDpEvent([normalization, dpsgd])


def epsilons(event, delta):
    rdp = rdp_privacy_accountant.RdpAccountant()
    rdp.compose(event)
    pld = pld_privacy_accountant.PLDAccountant(value_discretization_interval=INTERVAL)
    pld.compose(event)
    return float(rdp.get_epsilon(delta)), float(pld.get_epsilon(delta))


def main():
    rows = []
    for sigma_n, q, sigma, steps, delta in ROWS:
        normalization, composed = events(sigma_n, q, sigma, steps)
        rdp, pld = epsilons(composed, delta)
        normalization_rdp, normalization_pld = epsilons(normalization, delta)
        rows.append({
            "normalization_noise_multiplier": sigma_n, "sample_rate": q, "noise_multiplier": sigma, "steps": steps,
            "delta": delta, "rdp_epsilon": rdp, "pld_epsilon_pessimistic": pld,
            "normalization_rdp_epsilon": normalization_rdp, "normalization_pld_epsilon": normalization_pld,
        })
        print(f"sigma_n={sigma_n} q={q:.5g} sigma={sigma} T={steps}: rdp {rdp:.4f} pld {pld:.4f} "
              f"(normalisation alone: rdp {normalization_rdp:.4f} pld {normalization_pld:.4f})", file=sys.stderr)
    out = os.path.join(os.path.dirname(__file__), "..", "Tests", "TacitPrivacyTests", "Fixtures",
                       "composed_accounting.json")
    document = {
        "generator": "Scripts/make_composed_accounting_fixtures.py",
        "dp_accounting_version": getattr(dp_accounting, "__version__", "unknown"),
        "neighboring_relation": "add_or_remove_one",
        "pld_value_discretization_interval": INTERVAL,
        "rows": rows,
    }
    with open(out, "w") as f:
        json.dump(document, f, indent=1)
    print(f"wrote {len(rows)} rows to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
