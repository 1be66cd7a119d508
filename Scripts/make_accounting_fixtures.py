#!/usr/bin/env python3
"""Generate Tests/TacitPrivacyTests/Fixtures/accounting.json with Google's dp-accounting.

Every row is the Poisson-subsampled Gaussian mechanism (sample rate q, noise multiplier sigma)
composed T times, accounted with the add-or-remove-one neighbouring relation:

  rdp_orders, rdp               dp_accounting's RDP at its DEFAULT_RDP_ORDERS (inf where it
                                could not evaluate an order)
  rdp_epsilon                   RdpAccountant.get_epsilon(delta): the improved conversion
                                (Balle et al. 2020, Prop. 12; Asoodeh et al. 2021)
  rdp_epsilon_classical         min over orders of rdp - log(delta)/(order - 1) (Mironov 2017)
  rdp_delta_at_epsilon          RdpAccountant.get_delta(epsilon_for_delta_query)
  pld_epsilon_pessimistic       PLDAccountant (pessimistic discretisation, interval 1e-4)
  pld_epsilon_optimistic        from_gaussian_mechanism(pessimistic_estimate=False).self_compose(T)
  pld_delta_at_epsilon          PLDAccountant.get_delta(epsilon_for_delta_query)
  flags                         "dropped_small_orders" when dp_accounting returned inf RDP at
                                orders below 2 (its computation does not converge there for large
                                q and small sigma; an RDP that evaluates them is right to be lower)

Install and run (CI never runs this; the JSON is committed):
    python3 -m venv venv && venv/bin/pip install dp-accounting
    venv/bin/python Scripts/make_accounting_fixtures.py
"""
import itertools
import json
import math
import os
import sys
import time

import dp_accounting
from dp_accounting import dp_event
from dp_accounting.pld import pld_privacy_accountant, privacy_loss_distribution
from dp_accounting.rdp import rdp_privacy_accountant

SAMPLE_RATES = [0.001, 0.004, 0.01, 0.04, 0.1, 0.2]
NOISE_MULTIPLIERS = [0.6, 0.8, 1.0, 1.5, 2.0, 4.0]
STEPS = [1, 10, 100, 1000, 10000]
DELTA = 1e-5
EXTRA_ROWS = [  # (q, sigma, T, delta): public test vectors from ../shared/REFERENCES.md
    (0.04, 1.5, 2250, 1e-5),
    (256 / 60000, 1.1, 14062, 1e-5),
    (0.01, 4.0, 10000, 1e-5),
    (0.1, 3.0, 512, 1e-6),
    (0.001, 0.8, 100, 1e-6),
    (0.05, 1.5, 1000, 1e-6),
    (0.001, 3.0, 50000, 1e-6),
    (0.2, 2.0, 100, 1e-6),
    (0.2, 0.5, 3, 1e-5),
    (0.05, 0.5, 10000, 1e-5),
]
EPSILON_FOR_DELTA_QUERY = 1.0
INTERVAL = 1e-4


def event(q, sigma, steps):
    return dp_event.SelfComposedDpEvent(
        dp_event.PoissonSampledDpEvent(q, dp_event.GaussianDpEvent(sigma)), steps)


def row(q, sigma, steps, delta):
    started = time.time()
    rdp = rdp_privacy_accountant.RdpAccountant()
    rdp.compose(event(q, sigma, steps))
    orders = [float(a) for a in rdp_privacy_accountant.DEFAULT_RDP_ORDERS]
    values = [float(v) for v in rdp._rdp]
    classical = min(
        (v - math.log(delta) / (a - 1) for a, v in zip(orders, values) if a > 1 and math.isfinite(v)),
        default=math.inf)
    pld = pld_privacy_accountant.PLDAccountant(value_discretization_interval=INTERVAL)
    pld.compose(event(q, sigma, steps))
    optimistic = privacy_loss_distribution.from_gaussian_mechanism(
        sigma, pessimistic_estimate=False, value_discretization_interval=INTERVAL, sampling_prob=q,
        use_connect_dots=False)
    optimistic = optimistic.self_compose(steps)
    flags = []
    if any(not math.isfinite(v) for a, v in zip(orders, values) if a < 2):
        flags.append("dropped_small_orders")
    result = {
        "sample_rate": q, "noise_multiplier": sigma, "steps": steps, "delta": delta,
        "rdp_orders": orders,
        "rdp": [v if math.isfinite(v) else None for v in values],
        "rdp_epsilon": float(rdp.get_epsilon(delta)),
        "rdp_epsilon_classical": classical,
        "epsilon_for_delta_query": EPSILON_FOR_DELTA_QUERY,
        "rdp_delta_at_epsilon": float(rdp.get_delta(EPSILON_FOR_DELTA_QUERY)),
        "pld_epsilon_pessimistic": float(pld.get_epsilon(delta)),
        "pld_epsilon_optimistic": float(optimistic.get_epsilon_for_delta(delta)),
        "pld_delta_at_epsilon": float(pld.get_delta(EPSILON_FOR_DELTA_QUERY)),
        "flags": flags,
    }
    print(f"q={q:.5g} sigma={sigma} T={steps} delta={delta}: rdp {result['rdp_epsilon']:.4f} "
          f"pld {result['pld_epsilon_pessimistic']:.4f} ({time.time() - started:.1f} s)", file=sys.stderr)
    return result


def main():
    rows = [row(q, s, t, DELTA) for q, s, t in itertools.product(SAMPLE_RATES, NOISE_MULTIPLIERS, STEPS)]
    rows += [row(*extra) for extra in EXTRA_ROWS]
    out = os.path.join(os.path.dirname(__file__), "..", "Tests", "TacitPrivacyTests", "Fixtures", "accounting.json")
    document = {
        "generator": "Scripts/make_accounting_fixtures.py",
        "dp_accounting_version": getattr(dp_accounting, "__version__", "0.6.0"),
        "neighboring_relation": "add_or_remove_one",
        "pld_value_discretization_interval": INTERVAL,
        "rows": rows,
    }
    with open(out, "w") as f:
        json.dump(document, f, indent=1)
    print(f"wrote {len(rows)} rows to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
