#!/usr/bin/env python3
"""Reference values for Tests/TacitAuditTests/FDPOneRunAuditTests.swift.

An independent evaluation (scipy/statistics numerics, brentq) of the f-DP one-run test of
Mahloujifar, Melis & Chaudhuri 2025 (ICML; arXiv 2410.22235, Algorithm 3, written from the
recursion stated in FDPOneRunAudit.swift and the paper's Theorem 3.1), of Steinke, Nasr &
Jagielski's one-run p-value, and of the paper's idealised Gaussian experiment (its Table 1).

Sections (python3 Scripts/fdp_one_run_reference.py [--draws N]):
  1. μ and (ε, δ) bounds for fixed counts (the values pinned in the Swift tests).
  2. The outputs printed by the authors' group's implementation (Meta's PrivacyGuard,
     tutorial_notebooks/fdp_analysis_tutorial.ipynb) recomputed with their noise-grid search:
     they agree to 4 decimals, so the recursion is theirs.
  3. The paper's Table 1 under the protocol its text and Algorithm 4 describe: expected correct
     counts of the idealised game, the best number of guesses c' on a fixed grid.
  4. With --draws N: the same, but on N simulated games with c' picked after seeing each one.
  5. With --draws N: how often that after-the-fact maximum passes the true μ (300 games, m = 400).
"""
import math
import sys
from statistics import NormalDist

from scipy.optimize import brentq
from scipy.stats import binom, norm

STANDARD = NormalDist()


def cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


def quantile(p):
    if p <= 0:
        return -math.inf
    if p >= 1:
        return math.inf
    return STANDARD.inv_cdf(p)


def inverse_blow_up_gaussian(mu):
    return lambda y: cdf(quantile(min(y, 1.0)) - mu)


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
    """Theorem 3.1 / Algorithm 3: start at P[T ≥ v] = τ, take each h_i as small as allowed."""
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


def largest_rejected(test, tolerance=1e-11):
    if not test(0.0):
        return 0.0
    low, high = 0.0, 1.0
    while test(high):
        low, high = high, 2 * high
    while high - low > tolerance * max(1.0, high):
        middle = (low + high) / 2
        if test(middle):
            low = middle
        else:
            high = middle
    return low


def mu_bound(m, guesses, correct, alpha=0.05, tolerance=1e-11):
    return largest_rejected(
        lambda mu: rejects(inverse_blow_up_gaussian(mu), m, guesses, correct, alpha), tolerance)


def approximate_bound(m, guesses, correct, delta, alpha=0.05):
    return largest_rejected(
        lambda eps: rejects(inverse_blow_up_approximate(eps, delta), m, guesses, correct, alpha))


def gdp_epsilon(mu, delta):
    if mu == 0:
        return 0.0
    gap = lambda e: norm.cdf(-e / mu + mu / 2) - math.exp(e) * norm.cdf(-e / mu - mu / 2) - delta
    return 0.0 if gap(0) <= 0 else brentq(gap, 0, 200, xtol=1e-13)


def steinke_p_value(m, r, v, epsilon, delta):
    """Steinke, Nasr & Jagielski 2023, Theorem 7: P[Bin(r, q) ≥ v] + 2mδ max_i (1/i) Σ_j P[= v − j]."""
    import numpy as np
    q = 1 / (1 + math.exp(-epsilon))
    tail = binom.sf(v - 1, r, q)
    steps = np.arange(1, v + 1)
    worst = np.max(np.cumsum(binom.pmf(v - steps, r, q)) / steps) if v > 0 else 0.0
    return min(1.0, tail + 2 * m * delta * worst)


def steinke_epsilon(m, r, v, delta, alpha=0.05):
    return largest_rejected(lambda eps: steinke_p_value(m, r, v, eps, delta) <= alpha, 1e-7)


def expected_correct(mu, m, positive, negative):
    total = 0.0
    if positive > 0:
        t = brentq(lambda t: m / 2 * (norm.sf(t - mu) + norm.sf(t)) - positive, -40, 40, xtol=1e-13)
        total += m / 2 * norm.sf(t - mu)
    if negative > 0:
        s = brentq(lambda s: m / 2 * (norm.cdf(s - mu) + norm.cdf(s)) - negative, -40, 40, xtol=1e-13)
        total += m / 2 * norm.cdf(s)
    return total


# The guess grid of the Table 1 reproduction: c' = 2h, h = ⌊10^(1.2 + j/20) + ½⌋, j = 0…56
# (h from 16 to 10,000, 20 per decade); the Swift test uses the same grid.
HALF_GUESSES = [math.floor(10 ** (1.2 + j / 20) + 0.5) for j in range(57)]

# Table 1 of the paper (ICML 2025): σ, m, theoretical ε, Steinke et al., f-DP ("Ours"), δ = 1e-5.
PAPER_TABLE = [(0.5, 10**5, 9.99, 4.99, 8.16), (1.0, 10**5, 4.37, 2.61, 3.61),
               (2.0, 10**5, 1.99, 1.33, 1.59), (4.0, 10**6, 0.92, 0.61, 0.82)]

# Printed outputs of PrivacyGuard's FDPAnalysisNode (tutorial notebook): m, c, c', grid start, δ, ε.
PRIVACY_GUARD_OUTPUTS = [
    (100, 70, 80, 0.001, 1e-6, 3.2906), (1000, 10, 10, 1.0, 1e-5, 1.2260),
    (1000, 15, 15, 1.0, 1e-5, 1.8776), (1000, 25, 25, 1.0, 1e-5, 2.7534),
    (1000, 40, 40, 1.0, 1e-5, 3.6179), (1000, 65, 65, 1.0, 1e-5, 4.3777),
    (1000, 255, 268, 1.0, 1e-5, 4.1374), (1000, 404, 429, 1.0, 1e-5, 4.1832),
    (1000, 621, 686, 1.0, 1e-5, 3.6537)]


def privacy_guard_epsilon(m, correct, guesses, start, delta):
    """Their search: noise σ = start + 0.01 i (μ = 1/σ), the first σ rejected at 95%, then ε of
    that μ by bisection on [0, 100] to 1e-3, returning the upper end."""
    sigma = start + 0.01 * 999
    for i in range(1000):
        if rejects(inverse_blow_up_gaussian(1 / (start + 0.01 * i)), m, guesses, correct, 0.05):
            sigma = start + 0.01 * i
            break
    low, high = 0.0, 100.0
    while high - low > 0.001:
        middle = (low + high) / 2
        gap = norm.cdf(-middle * sigma + 1 / (2 * sigma)) - math.exp(middle) * norm.cdf(-middle * sigma - 1 / (2 * sigma))
        if gap > delta:
            low = middle
        else:
            high = middle
    return high


def paper_protocol(mu, m, delta=1e-5):
    """Best f-DP and Steinke ε over the grid, from the expected correct counts (rounded)."""
    best_fdp, best_steinke = (0.0, 0, 0), (0.0, 0, 0)
    for half in HALF_GUESSES:
        guesses = 2 * half
        correct = int(expected_correct(mu, m, half, half) + 0.5)
        fdp = gdp_epsilon(mu_bound(m, guesses, correct, tolerance=1e-9), delta)
        best_fdp = max(best_fdp, (fdp, guesses, correct))
        best_steinke = max(best_steinke, (steinke_epsilon(m, guesses, correct, delta), guesses, correct))
    return best_fdp, best_steinke


def after_the_fact(mu, m, draws, seed, delta=1e-5):
    """Per simulated game: the best f-DP ε over the grid with c' chosen after seeing the game."""
    import numpy as np
    generator = np.random.default_rng(seed)
    bests = []
    for _ in range(draws):
        included = generator.integers(0, 2, m)
        scores = included * mu + generator.normal(0, 1, m)
        ranked = included[np.argsort(-scores)]
        top_in, bottom_out = np.cumsum(ranked), np.cumsum(1 - ranked[::-1])
        best = 0.0
        for half in HALF_GUESSES:
            correct = int(top_in[half - 1] + bottom_out[half - 1])
            best = max(best, gdp_epsilon(mu_bound(m, 2 * half, correct, tolerance=1e-7), delta))
        bests.append(best)
    values = np.array(bests)
    return values.mean(), values.std(), np.quantile(values, [0.1, 0.5, 0.9])


def after_the_fact_coverage(mu, m, games, fixed_half, seed):
    """Games whose 95% μ bound exceeds the true μ: c' = 2·fixed_half fixed, or the best of 16 c'."""
    import numpy as np
    generator = np.random.default_rng(seed)
    halves = sorted(set(int(round(x / 2)) for x in np.logspace(1, math.log10(m), 16)))
    fixed = best = 0
    for _ in range(games):
        included = generator.integers(0, 2, m)
        ranked = included[np.argsort(-(included * mu + generator.normal(0, 1, m)))]
        top_in, bottom_out = np.cumsum(ranked), np.cumsum(1 - ranked[::-1])
        bound = lambda half: mu_bound(m, 2 * half, int(top_in[half - 1] + bottom_out[half - 1]), tolerance=1e-7)
        fixed += bound(fixed_half) > mu
        best += max(bound(half) for half in halves) > mu
    return fixed, best


if __name__ == "__main__":
    print("1. mu bounds (m, r, v) at 95%:")
    for m, r, v in [(1000, 100, 90), (1000, 1000, 700), (100000, 1000, 958), (100000, 200, 195), (10000, 10000, 10000)]:
        mu = mu_bound(m, r, v)
        print(f"  ({m}, {r}, {v}): mu {mu!r}, eps(1e-5) {gdp_epsilon(mu, 1e-5)!r}")
    print("   (eps, delta) trade-off bounds (m, r, v, delta) at 95%:")
    for m, r, v, d in [(1000, 100, 90, 0.0), (1000, 1000, 700, 1e-5), (100000, 1000, 958, 1e-5)]:
        print(f"  ({m}, {r}, {v}, {d}): {approximate_bound(m, r, v, d)!r}")
    print("   expected correct guesses, mu = 1, m = 1e5: k+ = k- = 500:", expected_correct(1.0, 100000, 500, 500),
          "; k+ = k- = 750 (the paper prints 1,429 of 1,500):", expected_correct(1.0, 100000, 750, 750))

    print("2. PrivacyGuard's printed outputs, recomputed with their noise grid (and the continuous bound):")
    for m, c, guesses, start, delta, printed in PRIVACY_GUARD_OUTPUTS:
        grid = privacy_guard_epsilon(m, c, guesses, start, delta)
        continuous = gdp_epsilon(mu_bound(m, guesses, c), delta)
        print(f"  m {m}, {c} of {guesses}: printed {printed}, grid {grid:.4f}, continuous {continuous:.4f}")

    print("3. Table 1 under the stated protocol (expected counts, best c' on the grid), delta = 1e-5:")
    for sigma, m, theory, steinke_printed, fdp_printed in PAPER_TABLE:
        (fdp, g1, c1), (steinke, g2, c2) = paper_protocol(1 / sigma, m)
        print(f"  sigma {sigma}, m {m}: theory {gdp_epsilon(1 / sigma, 1e-5):.4f} (printed {theory}); "
              f"Steinke {steinke:.4f} at {c2}/{g2} (printed {steinke_printed}); "
              f"f-DP {fdp:.4f} at {c1}/{g1} (printed {fdp_printed})")

    if "--draws" in sys.argv:
        draws = int(sys.argv[sys.argv.index("--draws") + 1])
        print(f"4. Best c' picked after seeing each of {draws} simulated games (f-DP, delta = 1e-5):")
        for seed, (sigma, m, _, _, fdp_printed) in enumerate(PAPER_TABLE):
            mean, sd, (p10, p50, p90) = after_the_fact(1 / sigma, m, draws, seed + 1)
            print(f"  sigma {sigma}, m {m}: mean {mean:.3f}, sd {sd:.3f}, "
                  f"10/50/90% {p10:.3f}/{p50:.3f}/{p90:.3f} (printed {fdp_printed})")
        print("5. 95% mu bound above the true mu in 300 games, m = 400 (c' = 100 fixed / best of 16 c'):")
        for mu in [1.0, 2.0]:
            print(f"  mu {mu}: {after_the_fact_coverage(mu, 400, 300, 50, 7)}")
