"""The adding-problem generator: shapes, markers, targets, baseline, seeding."""
from __future__ import annotations

import numpy as np
import pytest

from retrograd.data import ADDING_BASELINE_MSE, adding_problem, adding_problem_arrays


def test_adding_problem_marks_one_step_in_each_half_and_sums_them():
    x, y = adding_problem_arrays(500, 10, generator=0)
    assert x.shape == (500, 10, 2) and y.shape == (500, 1) and x.dtype == np.float32
    markers = x[..., 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert (markers[:, :5].sum(1) == 1).all() and (markers[:, 5:].sum(1) == 1).all()
    np.testing.assert_allclose(y[:, 0], (x[..., 0] * markers).sum(1), rtol=1e-6)
    assert ((x[..., 0] >= 0) & (x[..., 0] < 1)).all()


def test_baseline_and_seeding():
    _, y = adding_problem_arrays(20000, 50, generator=1)
    assert abs(((y - 1) ** 2).mean() - ADDING_BASELINE_MSE) < 0.01
    a, b = adding_problem(3, 6, generator=5), adding_problem(3, 6, generator=5)
    np.testing.assert_array_equal(a[1][0], b[1][0])
    assert len(a) == 3
    with pytest.raises(ValueError, match="seq_len"):
        adding_problem_arrays(3, 1)
