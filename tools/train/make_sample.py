#!/usr/bin/python3
"""Write data/fashion-mnist-sample-{images-idx3,labels-idx1}-ubyte.gz: the first N (default 1000)
images and labels of the Fashion-MNIST TEST set (t10k), in IDX format, gzip-compressed (mtime 0, so the
output is byte-for-byte reproducible).

    /usr/bin/python3 tools/train/make_sample.py [--n 1000] [--data-dir /usr/share/datasets/fashion-mnist] [--out-dir data]
"""
import argparse
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from idx import read_idx, write_idx  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out-dir", default="data")
    a = ap.parse_args()
    x = read_idx(os.path.join(a.data_dir, "t10k-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(a.data_dir, "t10k-labels-idx1-ubyte.gz"))
    assert x.shape == (10000, 28, 28) and y.shape == (10000,)
    os.makedirs(a.out_dir, exist_ok=True)
    for kind, arr in (("images-idx3", x[:a.n]), ("labels-idx1", y[:a.n])):
        p = os.path.join(a.out_dir, f"fashion-mnist-sample-{kind}-ubyte.gz")
        write_idx(p, arr)
        back = read_idx(p)
        assert (back == arr).all() and back.shape == arr.shape
        print(p, arr.shape, os.path.getsize(p), "bytes, sha256", hashlib.sha256(open(p, "rb").read()).hexdigest())


if __name__ == "__main__":
    main()
