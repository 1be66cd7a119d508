#!/usr/bin/env python3
"""Writes a tiny safetensors file with numpy and the json module, independently of Tacit, and
prints it as base64 for SafetensorsTests.swift (fixture `pythonFixtureBase64`).

Follows https://github.com/huggingface/safetensors#format: an 8-byte little-endian header
length N, N bytes of JSON padded with spaces, then the raw little-endian data. The layout here
deliberately differs from Tacit's writer: the JSON uses Python's default separators, the data is
stored in a non-alphabetical order, and the padding is to 8 bytes of the whole prefix.

Usage: python3 Scripts/make_safetensors_fixture.py [OUTPUT.safetensors]
"""
import base64
import json
import struct
import sys

import numpy as np

tensors = {
    # stored in this order: gamma, alpha, beta
    "gamma": np.array(-2.5, dtype="<f4"),  # shape []
    "alpha": np.arange(6, dtype="<f4").reshape(2, 3) / 4 - 0.5,  # shape [2, 3]
    "beta": np.zeros((0,), dtype="<f4"),  # shape [0]
    "layers.0.weight": np.array([[1e-3, -7.0], [3.25, 1e30]], dtype="<f4"),
}
order = ["gamma", "alpha", "beta", "layers.0.weight"]

header = {"__metadata__": {"format": "pt", "source": "numpy"}}
data = b""
for name in order:
    raw = tensors[name].astype("<f4").tobytes()
    header[name] = {
        "dtype": "F32",
        "shape": list(tensors[name].shape),
        "data_offsets": [len(data), len(data) + len(raw)],
    }
    data += raw

header_bytes = json.dumps(header).encode("utf-8")
header_bytes += b" " * ((8 - (8 + len(header_bytes)) % 8) % 8)
blob = struct.pack("<Q", len(header_bytes)) + header_bytes + data

if len(sys.argv) > 1:
    with open(sys.argv[1], "wb") as output:
        output.write(blob)
print(base64.b64encode(blob).decode("ascii"))
