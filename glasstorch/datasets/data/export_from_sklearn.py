"""Maintainer tool: rebuild the bundled data files from scikit-learn's copies.

This script is NOT imported by glasstorch and glasstorch never needs scikit-learn. It was run
once, in a throwaway virtual environment, to produce the ``*.npz`` files next to it:

    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn
    /tmp/skvenv/bin/python glasstorch/datasets/data/export_from_sklearn.py

Every file keeps the raw (unscaled) measurements, the feature and class names, and a short
description, source and licence written for glasstorch. Strings are stored as NumPy unicode
arrays so the files load with ``allow_pickle=False``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from sklearn import datasets as skd

HERE = Path(__file__).resolve().parent

UCI = "UCI Machine Learning Repository"
CC_BY = "CC BY 4.0 (Creative Commons Attribution 4.0 International)"

META = {
    "digits": dict(
        task="multiclass",
        description=(
            "Handwritten digits 0-9 as 8x8 grey-level images. Each 32x32 black-and-white "
            "scan was cut into non-overlapping 4x4 blocks and the ink pixels in each block "
            "counted, so every pixel is an integer from 0 (white) to 16 (fully inked). "
            "1,797 images written by a group of people disjoint from any training set used "
            "by the original authors; roughly 180 images per digit. Features are the 64 "
            "pixels read row by row; `images` holds the same values as (N, 8, 8)."
        ),
        source=(
            "Optical Recognition of Handwritten Digits, E. Alpaydin and C. Kaynak (1998), "
            f"{UCI}, https://doi.org/10.24432/C50P49; this copy via scikit-learn's "
            "bundled digits data (the UCI test portion)."
        ),
        license=CC_BY,
    ),
    "iris": dict(
        task="multiclass",
        description=(
            "Fisher's iris flowers: 150 plants, 50 from each of three species, with four "
            "lengths measured in centimetres (sepal and petal, length and width). One species "
            "(setosa) is separable from the other two by a straight line; the other two "
            "overlap a little."
        ),
        source=(
            "Iris, R. A. Fisher (1936), "
            f"{UCI}, https://doi.org/10.24432/C56C76; this copy via scikit-learn."
        ),
        license=CC_BY,
    ),
    "wine": dict(
        task="multiclass",
        description=(
            "Chemical analysis of 178 wines grown in one region of Italy and made from three "
            "different cultivars (the classes). The 13 features are measured quantities such "
            "as alcohol, malic acid, magnesium and proline, on very different scales (proline "
            "reaches the thousands), which makes the set a good demonstration of why inputs "
            "are standardised."
        ),
        source=(
            "Wine, S. Aeberhard and M. Forina (1991), "
            f"{UCI}, https://doi.org/10.24432/C5PC7J; this copy via scikit-learn."
        ),
        license=CC_BY,
    ),
    "breast_cancer": dict(
        task="binary",
        description=(
            "569 fine-needle aspirate images of breast masses, each summarised by 30 numbers: "
            "ten properties of the cell nuclei (radius, texture, perimeter, area, smoothness, "
            "compactness, concavity, concave points, symmetry, fractal dimension), each given "
            "as the mean, the standard error and the 'worst' (mean of the three largest) over "
            "the nuclei in the image. Target 0 = malignant (212), 1 = benign (357)."
        ),
        source=(
            "Breast Cancer Wisconsin (Diagnostic), W. Wolberg, O. Mangasarian, N. Street and "
            f"W. Street (1993), {UCI}, https://doi.org/10.24432/C5DW2B; this copy via "
            "scikit-learn."
        ),
        license=CC_BY,
    ),
    "diabetes": dict(
        task="regression",
        description=(
            "442 diabetes patients: ten baseline measurements (age in years, sex coded 1/2, "
            "body-mass index, average blood pressure and six blood-serum values s1-s6) and, "
            "as target, a number measuring how far the disease progressed one year later. "
            "Values are the raw ones, not the mean-centred and rescaled variant also in "
            "circulation."
        ),
        source=(
            "B. Efron, T. Hastie, I. Johnstone and R. Tibshirani, 'Least Angle Regression', "
            "Annals of Statistics 32(2), 2004; data page "
            "https://www4.stat.ncsu.edu/~boos/var.select/diabetes.html; this copy via "
            "scikit-learn (load_diabetes(scaled=False))."
        ),
        license=(
            "Redistributed with scikit-learn under the BSD 3-Clause licence "
            "(see LICENSES.md); original data by Efron et al. (2004)."
        ),
    ),
}


def export() -> None:
    bunches = {
        "digits": skd.load_digits(),
        "iris": skd.load_iris(),
        "wine": skd.load_wine(),
        "breast_cancer": skd.load_breast_cancer(),
        "diabetes": skd.load_diabetes(scaled=False),
    }
    for name, bunch in bunches.items():
        meta = META[name]
        x = np.asarray(bunch.data)
        if name == "digits":
            # Pixel counts 0..16: uint8 is lossless and compresses well.
            assert np.array_equal(x, np.round(x)) and x.min() >= 0 and x.max() <= 16
            x = x.astype(np.uint8)
        else:
            x = x.astype(np.float64)
        if meta["task"] == "regression":
            y = np.asarray(bunch.target, dtype=np.float64)
            target_names = np.array([], dtype=str)
        else:
            y = np.asarray(bunch.target).astype(np.uint8)
            target_names = np.array([str(t) for t in bunch.target_names])
        path = HERE / f"{name}.npz"
        np.savez_compressed(
            path,
            data=x,
            target=y,
            feature_names=np.array([str(f) for f in bunch.feature_names]),
            target_names=target_names,
            task=np.array(meta["task"]),
            description=np.array(meta["description"]),
            source=np.array(meta["source"]),
            license=np.array(meta["license"]),
        )
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        counts = np.bincount(y) if meta["task"] != "regression" else None
        print(f"{name}: {x.shape} {x.dtype} size={path.stat().st_size} sha256={digest}")
        print(f"   min={x.min()} max={x.max()} counts={counts} y[min,max]=({y.min()}, {y.max()})")


if __name__ == "__main__":
    export()
