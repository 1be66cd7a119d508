#!/usr/bin/env python3
"""Generate Tests/TacitPrivacyTests/Fixtures/rdp_exact.json: the RDP of the Poisson-subsampled
Gaussian mechanism evaluated independently of dp_accounting's series, in 30-digit arithmetic.

Why: dp_accounting 0.6 evaluates fractional RDP orders with the series of Mironov, Talwar & Zhang
2019 (arXiv:1908.10530, Sec. 3.3) but sums |binomial(alpha, i)| (scipy's gammaln drops the sign),
which is an upper bound up to ~6 % above the true value at small orders, and it drops orders
where the series does not converge in 1,000 terms. Its integer orders (finite binomial sums) are
exact. This script evaluates, for every (q, sigma) pair in accounting.json:

  integer orders     exact binomial sum  A = sum_i C(a,i) q^i (1-q)^(a-i) exp((i^2-i)/(2 sigma^2))
  fractional orders  mpmath.quad of A = E_{z~N(0,sigma^2)}[(1 - q + q exp((2z-1)/(2 sigma^2)))^a]

and RDP = log(A)/(a-1) for one step. For every row of accounting.json it then composes (times T)
and converts with dp_accounting's own compute_epsilon / compute_delta (improved conversion) and
the classical min_a rdp - log(delta)/(a-1):

  pairs: [{sample_rate, noise_multiplier, rdp_one_step: [...] at DEFAULT_RDP_ORDERS}]
  rows:  [{sample_rate, noise_multiplier, steps, delta, epsilon, epsilon_classical,
           epsilon_for_delta_query, delta_at_epsilon}]

Run (CI never runs this; the JSON is committed; a few minutes):
    venv/bin/pip install dp-accounting mpmath
    venv/bin/python Scripts/make_rdp_exact_fixture.py
"""
import json
import math
import os
import sys

import mpmath
from dp_accounting.rdp import rdp_privacy_accountant

mpmath.mp.dps = 30
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "TacitPrivacyTests", "Fixtures")


def log_a(q, sigma, alpha):
    q, s = mpmath.mpf(q), mpmath.mpf(sigma)
    if float(alpha).is_integer():
        n = int(alpha)
        total = mpmath.fsum(
            mpmath.binomial(n, i) * q**i * (1 - q)**(n - i) * mpmath.exp((i * i - i) / (2 * s * s))
            for i in range(n + 1))
        return mpmath.log(total)
    a = mpmath.mpf(alpha)

    def integrand(z):
        return mpmath.npdf(z, 0, s) * ((1 - q) + q * mpmath.exp((2 * z - 1) / (2 * s * s)))**a

    points = [-mpmath.inf, -12 * s, 0, mpmath.mpf(0.5), 1, a, a + 12 * s, mpmath.inf]
    return mpmath.log(mpmath.quad(integrand, sorted(set(points))))


def one_step(q, sigma, orders):
    return [float(log_a(q, sigma, a) / (a - 1)) for a in orders]


def main():
    source = json.load(open(os.path.join(FIXTURES, "accounting.json")))
    orders = [float(a) for a in rdp_privacy_accountant.DEFAULT_RDP_ORDERS]
    pairs = {}
    for row in source["rows"]:
        key = (row["sample_rate"], row["noise_multiplier"])
        if key not in pairs:
            pairs[key] = one_step(*key, orders)
            print(f"q={key[0]:.5g} sigma={key[1]}", file=sys.stderr)
    rows = []
    for row in source["rows"]:
        q, sigma, steps, delta = row["sample_rate"], row["noise_multiplier"], row["steps"], row["delta"]
        rdp = [steps * v for v in pairs[(q, sigma)]]
        epsilon, _ = rdp_privacy_accountant.compute_epsilon(orders, rdp, delta)
        classical = min(v - math.log(delta) / (a - 1) for a, v in zip(orders, rdp))
        query = row["epsilon_for_delta_query"]
        delta_at, _ = rdp_privacy_accountant.compute_delta(orders, rdp, query)
        rows.append({"sample_rate": q, "noise_multiplier": sigma, "steps": steps, "delta": delta,
                     "epsilon": float(epsilon), "epsilon_classical": classical,
                     "epsilon_for_delta_query": query, "delta_at_epsilon": float(delta_at)})
    document = {
        "generator": "Scripts/make_rdp_exact_fixture.py",
        "mpmath_digits": mpmath.mp.dps,
        "rdp_orders": orders,
        "pairs": [{"sample_rate": q, "noise_multiplier": s, "rdp_one_step": v} for (q, s), v in pairs.items()],
        "rows": rows,
    }
    with open(os.path.join(FIXTURES, "rdp_exact.json"), "w") as f:
        json.dump(document, f, indent=1)
    print(f"wrote {len(pairs)} pairs, {len(rows)} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
