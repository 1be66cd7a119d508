#!/usr/bin/env python3
"""Times Kymatio's NumPy `Scattering2D(J=2, shape=(28, 28), L=8)` on Fashion-MNIST images, the
reference for `tacit scatter-bench` in docs/performance.md.

Transforms the first COUNT training images (float32, bytes/255, Tramèr & Boneh's input) in
batches of BATCH and prints images per second and the time extrapolated to all 70,000 images.
NumPy/SciPy threads follow OMP_NUM_THREADS / OPENBLAS_NUM_THREADS; scipy.fft uses one worker
(Kymatio does not pass `workers`). Not run in CI (needs `pip install kymatio numpy scipy`).

Usage: python3 Scripts/bench_kymatio_scattering.py [COUNT] [BATCH] [FASHION_MNIST_DIR]
Defaults: 5000 images, batches of 500, /usr/share/datasets/fashion-mnist.
"""
import gzip
import os
import sys
import time

import numpy as np
from kymatio.numpy import Scattering2D

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
BATCH = int(sys.argv[2]) if len(sys.argv) > 2 else 500
DATA = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist"


def main():
    with gzip.open(os.path.join(DATA, "train-images-idx3-ubyte.gz"), "rb") as file:
        pixels = np.frombuffer(file.read(), dtype=np.uint8, offset=16)
    images = pixels[: COUNT * 784].reshape(COUNT, 28, 28).astype(np.float32) / 255
    scattering = Scattering2D(J=2, shape=(28, 28), L=8)
    scattering(images[:8])  # warm-up
    start = time.perf_counter()
    cpu_start = time.process_time()
    for first in range(0, COUNT, BATCH):
        output = scattering(images[first : first + BATCH])
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    assert output.shape[1:] == (81, 7, 7), output.shape
    rate = COUNT / seconds
    print(
        f"kymatio numpy: {COUNT} images in {seconds:.2f} s wall ({cpu_seconds:.2f} s CPU), {rate:.0f} images/s;"
        f" 70,000 images ≈ {70000 / rate:.0f} s"
    )


if __name__ == "__main__":
    main()
