"""Minimal reader/writer for gzip-compressed IDX files (the MNIST / Fashion-MNIST format)."""
import gzip
import struct

import numpy as np

# IDX type codes -> numpy dtypes (big-endian where multi-byte)
_DTYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
           0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CODES = {np.dtype("uint8"): 0x08}


def read_idx(path):
    """Read an IDX file (gzip-compressed if the name ends in .gz) into a numpy array."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or code not in _DTYPES:
        raise ValueError(f"{path}: not an IDX file (magic {raw[:4].hex()})")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    dt = _DTYPES[code]
    count = int(np.prod(dims))
    data = np.frombuffer(raw, dtype=dt, count=count, offset=4 + 4 * ndim)
    if 4 + 4 * ndim + count * dt.itemsize != len(raw):
        raise ValueError(f"{path}: size mismatch")
    return data.reshape(dims).astype(dt.newbyteorder("="))


def write_idx(path, array):
    """Write a uint8 array as a gzip-compressed IDX file (deterministic: mtime=0)."""
    a = np.ascontiguousarray(array)
    if a.dtype != np.uint8:
        raise ValueError("only uint8 supported")
    header = struct.pack(">HBB", 0, _CODES[a.dtype], a.ndim) + struct.pack(">" + "I" * a.ndim, *a.shape)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(header)
            f.write(a.tobytes())
