#!/usr/bin/env python3
"""Reference values for Tests/TacitAuditTests/FDPOneRunAuditTests.swift.

An independent evaluation (numpy/scipy numerics: scipy.stats.norm.ppf/cdf, brentq) of the f-DP
one-run test of Mahloujifar, Melis & Chaudhuri 2025 (arXiv 2410.22235, Algorithm 3, written from
the recursion stated in FDPOneRunAudit.swift), and of the expected counts of the idealised
Gaussian game. Run: python3 Scripts/fdp_one_run_reference.py
"""
import math

from scipy.optimize import brentq
from scipy.stats import norm


def inverse_blow_up_gaussian(mu):
    return lambda y: norm.cdf(norm.ppf(min(y, 1.0)) - mu)


def inverse_blow_up_approximate(epsilon, delta):
    def inverse(y):
        if y <= delta:
            return 0.0
        corner = (1 - delta) / (1 + math.exp(epsilon))
        if y <= delta + math.exp(epsilon) * corner:
            return (y - delta) * math.exp(-epsilon)
        return max(0.0, 1 - delta - math.exp(epsilon) * (1 - y))
    return inverse


def rejects(inverse, m, guesses, correct, tau):
    if correct == 0:
        return False
    right, wrong = tau * correct / m, tau * (guesses - correct) / m
    for i in range(correct - 1, -1, -1):
        lowest = inverse(right)
        if lowest <= wrong:
            break
        right += i / (guesses - i) * (lowest - wrong)
        wrong = lowest
    return right + wrong > guesses / m


def largest_rejected(test):
    if not test(0.0):
        return 0.0
    low, high = 0.0, 1.0
    while test(high):
        low, high = high, 2 * high
    while high - low > 1e-11 * max(1.0, high):
        middle = (low + high) / 2
        if test(middle):
            low = middle
        else:
            high = middle
    return low


def mu_bound(m, guesses, correct, alpha=0.05):
    return largest_rejected(lambda mu: rejects(inverse_blow_up_gaussian(mu), m, guesses, correct, alpha))


def approximate_bound(m, guesses, correct, delta, alpha=0.05):
    return largest_rejected(
        lambda eps: rejects(inverse_blow_up_approximate(eps, delta), m, guesses, correct, alpha))


def gdp_epsilon(mu, delta):
    if mu == 0:
        return 0.0
    gap = lambda e: norm.cdf(-e / mu + mu / 2) - math.exp(e) * norm.cdf(-e / mu - mu / 2) - delta
    return 0.0 if gap(0) <= 0 else brentq(gap, 0, 200, xtol=1e-13)


def expected_correct(mu, m, positive, negative):
    total = 0.0
    if positive > 0:
        t = brentq(lambda t: m / 2 * (norm.sf(t - mu) + norm.sf(t)) - positive, -40, 40, xtol=1e-13)
        total += m / 2 * norm.sf(t - mu)
    if negative > 0:
        s = brentq(lambda s: m / 2 * (norm.cdf(s - mu) + norm.cdf(s)) - negative, -40, 40, xtol=1e-13)
        total += m / 2 * norm.cdf(s)
    return total


if __name__ == "__main__":
    print("mu bounds (m, r, v) at 95%:")
    for m, r, v in [(1000, 100, 90), (1000, 1000, 700), (100000, 1000, 958), (100000, 200, 195), (10000, 10000, 10000)]:
        mu = mu_bound(m, r, v)
        print(f"  ({m}, {r}, {v}): mu {mu!r}, eps(1e-5) {gdp_epsilon(mu, 1e-5)!r}")
    print("(eps, delta) trade-off bounds (m, r, v, delta) at 95%:")
    for m, r, v, d in [(1000, 100, 90, 0.0), (1000, 1000, 700, 1e-5), (100000, 1000, 958, 1e-5)]:
        print(f"  ({m}, {r}, {v}, {d}): {approximate_bound(m, r, v, d)!r}")
    print("expected correct guesses, mu = 1, m = 1e5, k+ = k- = 500:", expected_correct(1.0, 100000, 500, 500))
