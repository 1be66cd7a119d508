#!/usr/bin/env python3
"""Writes the fixture that ScatteringTransformTests checks Tacit's 2-D scattering transform against.

Kymatio's NumPy frontend, `Scattering2D(J=2, shape=(28, 28), L=8)` (Andreux et al. 2020, the
implementation Tramèr & Boneh 2021 use), transforms a few 28×28 images: the first three
Fashion-MNIST test images and one image of uniform random bytes (seed 15: sharp edges
everywhere). Pixels are bytes scaled by 1/255 in float64, so the reference is Kymatio's
arithmetic in double precision with its float32 filter bank. The output is `[4, 81, 7, 7]`:
channel 0 the order-0 coefficient, 1–16 order 1 (n1 = j1·8 + θ1), 17–80 order 2 ((θ1, θ2) with
j1 = 0, j2 = 1, θ2 fastest).

It also holds Kymatio's output with J = 3, L = 6 for the first two images (`other_settings`,
`[2, 127, 3, 3]`), for the code paths J = 2 does not reach.

The fixture also holds two filters of the bank in the Fourier domain at the padded size 36×36,
as Kymatio builds them (`psi[0]['levels'][0]`, `psi[11]['levels'][0]`, and the low-pass
`phi['levels'][0]` and `phi['levels'][1]`, the latter 18×18), so a wrong filter is told apart
from a wrong transform.

Not run in CI (it needs `pip install kymatio numpy scipy`; see docs/performance.md for the
virtual environment used).
Usage: python3 Scripts/make_scattering_fixture.py [FASHION_MNIST_DIR] [OUTPUT]
Defaults: /usr/share/datasets/fashion-mnist and Tests/TacitDataTests/Fixtures/scattering.json.
"""
import gzip
import json
import os
import sys

import kymatio
import numpy as np
from kymatio.numpy import Scattering2D

DATA = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
OUTPUT = sys.argv[2] if len(sys.argv) > 2 else "Tests/TacitDataTests/Fixtures/scattering.json"


def fashion_mnist_test_images(count):
    """The first `count` test images as uint8 `[count, 28, 28]` (IDX: 16-byte header)."""
    with gzip.open(os.path.join(DATA, "t10k-images-idx3-ubyte.gz"), "rb") as file:
        data = file.read()
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16)
    return pixels[: count * 784].reshape(count, 28, 28)


def rounded(array):
    """Nested lists of floats with 9 significant digits (float32 round-trips exactly)."""
    return [float(f"{value:.9g}") for value in np.asarray(array, dtype=np.float64).ravel()]


def main():
    images = np.concatenate(
        [fashion_mnist_test_images(3), np.random.default_rng(15).integers(0, 256, (1, 28, 28), dtype=np.uint8)]
    )
    scattering = Scattering2D(J=2, shape=(28, 28), L=8)
    coefficients = scattering(images.astype(np.float64) / 255)
    assert coefficients.shape == (4, 81, 7, 7), coefficients.shape
    fixture = {
        "generator": "Scripts/make_scattering_fixture.py",
        "kymatio": kymatio.__version__,
        "numpy": np.__version__,
        "settings": {"J": 2, "L": 8, "shape": [28, 28], "max_order": 2},
        "images": [[int(v) for v in image.ravel()] for image in images],
        "coefficients_shape": list(coefficients.shape),
        "coefficients": rounded(coefficients),
        "filters": {
            "psi0_level0": rounded(scattering.psi[0]["levels"][0]),
            "psi11_level0": rounded(scattering.psi[11]["levels"][0]),
            "phi_level0": rounded(scattering.phi["levels"][0]),
            "phi_level1": rounded(scattering.phi["levels"][1]),
        },
    }
    # Other settings, for the general code paths (J = 3: padding to 40, wavelets at two
    # resolutions, masked periodisation; L = 6): the first two images, [2, 127, 3, 3].
    other = Scattering2D(J=3, shape=(28, 28), L=6)(images[:2].astype(np.float64) / 255)
    assert other.shape == (2, 127, 3, 3), other.shape
    fixture["other_settings"] = {
        "settings": {"J": 3, "L": 6, "shape": [28, 28], "max_order": 2},
        "coefficients_shape": list(other.shape),
        "coefficients": rounded(other),
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w") as file:
        json.dump(fixture, file, separators=(",", ":"))
        file.write("\n")
    print(f"wrote {OUTPUT}: {coefficients.shape[0]} images, {coefficients.size} coefficients")


if __name__ == "__main__":
    main()
