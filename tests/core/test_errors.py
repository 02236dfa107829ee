"""Bad input gets an error in the user's terms, naming the op and the shapes."""
import numpy as np
import pytest

import retrograd as rg
from retrograd.autograd import ShapeError


def test_mismatched_elementwise_shapes_name_op_and_shapes():
    with pytest.raises(ShapeError, match=r"add.*\(2, 3\).*\(4,\)"):
        rg.ones(2, 3) + rg.ones(4)


def test_matmul_mismatch_names_both_shapes():
    with pytest.raises(ShapeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\)"):
        rg.ones(2, 3) @ rg.ones(4, 5)


def test_backward_on_non_scalar_without_gradient():
    x = rg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"scalar outputs.*\(3,\)"):
        (x * 2).backward()


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point.*int64"):
        rg.tensor([1, 2, 3], requires_grad=True)


@pytest.mark.parametrize("call", [
    lambda x: x.sum(3), lambda x: x.mean(-4), lambda x: x.softmax(2), lambda x: x.transpose(0, 5),
    lambda x: x.unsqueeze(4), lambda x: x.max(2),
])
def test_out_of_range_dim(call):
    with pytest.raises(IndexError, match=r"dim -?\d+ is out of range for a tensor of 2 dimension"):
        call(rg.ones(2, 3))


def test_reshape_error_names_shapes():
    with pytest.raises(ShapeError, match=r"reshape.*\(2, 3\).*\(4, 2\)"):
        rg.ones(2, 3).reshape(4, 2)


def test_cat_error_names_shapes():
    with pytest.raises(ShapeError, match=r"cat: shapes \(2, 3\) and \(2, 4\)"):
        rg.cat([rg.ones(2, 3), rg.ones(2, 4)], dim=0)


def test_index_out_of_range():
    with pytest.raises(IndexError, match=r"shape \(2, 3\)"):
        rg.ones(2, 3)[5]


def test_backward_without_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        rg.ones(2).sum().backward()


def test_in_place_on_leaf_requiring_grad_outside_no_grad():
    x = rg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        x.add_(1.0)
    with rg.no_grad():
        x.add_(1.0)
    np.testing.assert_array_equal(x.array, [2.0, 2.0])
