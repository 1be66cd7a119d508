"""Write the TacitAudit test fixtures from independent libraries.

Run from the package root with a Python that has numpy, scipy and scikit-learn:

    /work/venv-bench/bin/python Scripts/make_audit_fixtures.py

It writes two JSON files into Tests/TacitAuditTests/Fixtures/:

- roc.json: score sets (Gaussian, heavy ties, all tied, a hand-made case, rounded bimodal) with
  scikit-learn's roc_curve(drop_intermediate=False) (fpr, tpr, thresholds without the leading
  +inf), roc_auc_score, and TPR at FPR 0.1 / 0.01 / 0.001 read off that curve as
  max(tpr[fpr <= level]) (the conservative step TacitAudit documents).
- beta.json: scipy.special.betainc / betaincc at (a, b, x), betaincinv / betainccinv at
  (a, b, p), the same evaluations to 40 digits by mpmath (value_exact, complement_exact: SciPy
  itself is off by up to ~7e-13 relative at a + b = 1e5), and one-sided Clopper-Pearson bounds from scipy.stats.beta
  (upper = beta.isf(alpha, k + 1, n - k), 1 when k = n; lower = beta.ppf(alpha, k, n - k + 1),
  0 when k = 0), including extreme parameters (k = 0, k = n, n = 1e5, alpha = 1e-12).

Every value is written with repr precision (17 significant digits).
"""

import json
import os

import mpmath
import numpy as np
import scipy
import sklearn
from scipy import special, stats
from sklearn.metrics import roc_auc_score, roc_curve

mpmath.mp.dps = 40
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "Tests", "TacitAuditTests", "Fixtures")
LEVELS = [0.1, 0.01, 0.001]


def roc_case(name, scores, labels):
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=int)
    fpr, tpr, thresholds = roc_curve(labels, scores, drop_intermediate=False)
    assert np.isinf(thresholds[0])
    return {
        "name": name,
        "scores": scores.tolist(),
        "is_member": [bool(v) for v in labels],
        "false_positive_rates": fpr.tolist(),
        "true_positive_rates": tpr.tolist(),
        "thresholds_after_infinity": thresholds[1:].tolist(),
        "auc": float(roc_auc_score(labels, scores)),
        "tpr_at_fpr": {str(level): float(tpr[fpr <= level].max()) for level in LEVELS},
    }


def roc_cases():
    rng = np.random.default_rng(20240611)
    cases = []
    labels = rng.random(60) < 0.5
    cases.append(roc_case("gaussian shift 1, n=60", rng.normal(size=60) + labels, labels))
    labels = rng.random(400) < 0.3
    ties = rng.integers(0, 5, size=400) + (labels & (rng.random(400) < 0.4))
    cases.append(roc_case("integer scores 0-5, heavy ties, n=400", ties, labels))
    cases.append(roc_case("all tied", [0.5] * 6, [1, 0, 1, 0, 0, 1]))
    cases.append(roc_case("hand-made", [0.9, 0.8, 0.8, 0.7, 0.3, 0.3, 0.1, -2.0], [1, 1, 0, 1, 0, 1, 0, 0]))
    labels = rng.random(1000) < 0.5
    bimodal = np.round(np.where(labels, rng.normal(0.6, 1, 1000), rng.normal(0, 1.3, 1000)), 2)
    cases.append(roc_case("rounded bimodal, n=1000", bimodal, labels))
    labels = np.array([True] * 5 + [False] * 1000)
    cases.append(roc_case("few members, many non-members", rng.normal(size=1005) + 2 * labels, labels))
    return cases


def exact_betainc(a, b, x):
    """I_x(a, b) and its complement to 40 digits: the smaller side from the hypergeometric form
    I_x(a, b) = x^a (1 - x)^b 2F1(a + b, 1; a + 1; x) / (a B(a, b)), the other by subtraction."""
    a, b, x = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(x)

    def lower(a, b, x):
        front = mpmath.exp(a * mpmath.log(x) + b * mpmath.log1p(-x) - mpmath.log(mpmath.beta(a, b)))
        return front * mpmath.hyp2f1(a + b, 1, a + 1, x, maxterms=10**7) / a

    if x <= a / (a + b):
        value = lower(a, b, x)
        return float(value), float(1 - value)
    complement = lower(b, a, 1 - x)
    return float(1 - complement), float(complement)


def beta_rows():
    evaluations = []
    grid = [
        (0.5, 0.5), (1, 1), (1, 3), (2.5, 7.25), (5, 5), (9.5, 30), (10, 10), (30, 12), (0.1, 40),
        (1, 1e5), (1e5, 1), (101, 99900), (5e4, 5e4 + 1), (12, 1e5 - 11), (1e3, 2e3), (3, 0.2),
    ]
    for a, b in grid:
        mean = a / (a + b)
        sd = np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        xs = {1e-8, 1e-3, 0.2, 0.5, 0.9, 1 - 1e-6}
        for z in (-6, -2, -0.5, 0, 0.5, 2, 6):
            x = mean + z * sd
            if 0 < x < 1:
                xs.add(float(x))
        for x in sorted(xs):
            value = float(special.betainc(a, b, x))
            complement = float(special.betaincc(a, b, x))
            if value == 0 or complement == 0:
                continue
            exact_value, exact_complement = exact_betainc(a, b, x)
            evaluations.append(
                {
                    "a": a,
                    "b": b,
                    "x": x,
                    "value": value,
                    "complement": complement,
                    "value_exact": exact_value,
                    "complement_exact": exact_complement,
                }
            )
    inverses = []
    for a, b in grid:
        for p in (1e-12, 1e-5, 0.025, 0.3, 0.5, 0.8, 0.975):
            x = float(special.betaincinv(a, b, p))
            xc = float(special.betainccinv(a, b, p))
            if 0 < x < 1 and 0 < xc < 1:
                inverses.append({"a": a, "b": b, "p": p, "x": x, "x_complement": xc})
    bounds = []
    for n in (1, 10, 100, 1000, 100000):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            for alpha in (0.025, 0.05, 1e-6, 1e-12):
                upper = 1.0 if k == n else float(stats.beta.isf(alpha, k + 1, n - k))
                lower = 0.0 if k == 0 else float(stats.beta.ppf(alpha, k, n - k + 1))
                bounds.append({"successes": k, "trials": n, "alpha": alpha, "upper": upper, "lower": lower})
    return evaluations, inverses, bounds


def main():
    versions = {"mpmath": mpmath.__version__, "numpy": np.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__}
    with open(os.path.join(FIXTURES, "roc.json"), "w") as file:
        json.dump({"generator": "Scripts/make_audit_fixtures.py", "versions": versions, "cases": roc_cases()}, file)
    evaluations, inverses, bounds = beta_rows()
    with open(os.path.join(FIXTURES, "beta.json"), "w") as file:
        json.dump(
            {
                "generator": "Scripts/make_audit_fixtures.py",
                "versions": versions,
                "evaluations": evaluations,
                "inverses": inverses,
                "clopper_pearson": bounds,
            },
            file,
            indent=0,
        )


if __name__ == "__main__":
    main()
