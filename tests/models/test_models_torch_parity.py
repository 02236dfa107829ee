"""Each model's forward pass equals PyTorch's same architecture with the same weights.

The PyTorch twins are written here from the papers' descriptions (and torchvision's resnet18
where torchvision is installed); weights go across by state_dict key, strictly, so the key
names are checked too. BatchNorm layers get non-trivial running statistics and affine
parameters, and both training mode (batch statistics) and eval mode are compared, in float64.
"""
from __future__ import annotations

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.models import MLP, VGG, LeNet5, resnet8, resnet18, resnet20

torch = pytest.importorskip("torch")
tnn, tF = torch.nn, torch.nn.functional


# ----- the PyTorch twins ------------------------------------------------------------------------
def torch_lenet5(activation="relu", image_size=28):
    act = tnn.ReLU if activation == "relu" else tnn.Tanh
    pool = tnn.MaxPool2d if activation == "relu" else tnn.AvgPool2d
    model = tnn.Module()
    model.features = tnn.Sequential(
        tnn.Conv2d(1, 6, 5, padding=2 if image_size == 28 else 0), act(), pool(2),
        tnn.Conv2d(6, 16, 5), act(), pool(2))
    model.classifier = tnn.Sequential(tnn.Flatten(), tnn.Linear(400, 120), act(),
                                      tnn.Linear(120, 84), act(), tnn.Linear(84, 10))
    model.forward = lambda x: model.classifier(model.features(x))
    return model


class TorchBlock(tnn.Module):
    """He et al.'s basic block; option A: subsample by the stride and zero-pad the channels
    (planes // 4 on each side when the width doubles); option B: 1x1 conv + BN projection."""

    def __init__(self, in_planes, planes, stride, option):
        super().__init__()
        self.conv1 = tnn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.conv2 = tnn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.shortcut = lambda x: x
        if stride != 1 or in_planes != planes:
            if option == "A":
                pad = (planes - in_planes) // 2
                self.shortcut = lambda x: tF.pad(x[:, :, ::stride, ::stride], (0, 0, 0, 0, pad, pad))
            else:
                self.downsample = tnn.Sequential(tnn.Conv2d(in_planes, planes, 1, stride, bias=False),
                                                 tnn.BatchNorm2d(planes))
                self.shortcut = lambda x: self.downsample(x)

    def forward(self, x):
        out = tF.relu(self.bn1(self.conv1(x)))
        return tF.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class TorchResNet(tnn.Module):
    """CIFAR ResNet (3 stages, 16/32/64, option A) or ImageNet ResNet-18 (7x7 stem, max pool,
    4 stages 64..512, option B)."""

    def __init__(self, blocks, widths, option, in_channels, num_classes, imagenet_stem):
        super().__init__()
        if imagenet_stem:
            self.conv1 = tnn.Conv2d(in_channels, widths[0], 7, 2, 3, bias=False)
            self.maxpool = tnn.MaxPool2d(3, 2, 1)
        else:
            self.conv1 = tnn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False)
            self.maxpool = tnn.Identity()
        self.bn1 = tnn.BatchNorm2d(widths[0])
        in_planes = widths[0]
        for i, planes in enumerate(widths):
            stage = []
            for j in range(blocks):
                stage.append(TorchBlock(in_planes, planes, 2 if i > 0 and j == 0 else 1, option))
                in_planes = planes
            setattr(self, f"layer{i + 1}", tnn.Sequential(*stage))
        self.stages = len(widths)
        self.fc = tnn.Linear(widths[-1], num_classes)

    def forward(self, x):
        x = self.maxpool(tF.relu(self.bn1(self.conv1(x))))
        for i in range(self.stages):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(x.mean((2, 3)))


def torch_mlp(sizes, dropout):
    """Flatten, then per hidden size Linear, BatchNorm1d, Tanh, Dropout; a final Linear."""
    layers = [tnn.Flatten()]
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [tnn.Linear(n_in, n_out), tnn.BatchNorm1d(n_out), tnn.Tanh(), tnn.Dropout(dropout)]
    return tnn.Sequential(*layers, tnn.Linear(sizes[-2], sizes[-1]))


def torch_vgg(cfg, num_classes=10, in_channels=3, dropout=0.0):
    layers, channels = [], in_channels
    for v in cfg:
        if v == "M":
            layers.append(tnn.MaxPool2d(2))
        else:
            layers += [tnn.Conv2d(channels, v, 3, padding=1), tnn.BatchNorm2d(v), tnn.ReLU()]
            channels = v
    model = tnn.Module()
    model.features = tnn.Sequential(*layers)
    head = [tnn.Dropout(dropout)] if dropout else []
    model.classifier = tnn.Sequential(*head, tnn.Linear(channels, num_classes))
    model.forward = lambda x: model.classifier(model.features(x).mean((2, 3)))
    return model


# ----- comparing ------------------------------------------------------------------------------
def randomize_batch_norm(model):
    """Running statistics and affine parameters far from their initial 0/1 values."""
    rng = np.random.default_rng(1)
    with rg.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                c = m.num_features
                m.weight.copy_(rng.uniform(0.5, 1.5, c))
                m.bias.copy_(rng.normal(0, 0.2, c))
                m.running_mean.copy_(rng.normal(0, 0.2, c))
                m.running_var.copy_(rng.uniform(0.5, 2.0, c))


def copy_into_torch(ours, theirs):
    state = {k: torch.from_numpy(np.array(v.array)) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state, strict=True)  # same key names, same shapes


def assert_same_forward(ours, theirs, shape, train_too=True):
    """Outputs equal in eval mode, and in training mode unless the model has dropout."""
    ours = ours.double()
    randomize_batch_norm(ours)
    theirs = theirs.double()
    copy_into_torch(ours, theirs)
    x = np.random.default_rng(2).normal(size=shape)
    for training in (False, True) if train_too else (False,):
        ours.train(training)
        theirs.train(training)
        with rg.no_grad(), torch.no_grad():
            got = ours(rg.tensor(x)).numpy()
            want = theirs(torch.from_numpy(x)).numpy()
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10,
                                   err_msg=f"training={training}")


@pytest.mark.parametrize("activation,image_size", [("relu", 28), ("tanh", 32)])
def test_lenet5(activation, image_size):
    rg.manual_seed(0)
    assert_same_forward(LeNet5(activation=activation, image_size=image_size),
                        torch_lenet5(activation, image_size), (3, 1, image_size, image_size))


@pytest.mark.parametrize("make,blocks", [(resnet8, 1), (resnet20, 3)])
def test_cifar_resnets_with_option_a_shortcuts(make, blocks):
    rg.manual_seed(0)
    theirs = TorchResNet(blocks, (16, 32, 64), "A", 3, 10, imagenet_stem=False)
    assert_same_forward(make(), theirs, (2, 3, 32, 32))


def test_resnet18():
    """64x64 inputs, so the last feature map is 2x2 and the global average pool matters."""
    rg.manual_seed(0)
    theirs = TorchResNet(2, (64, 128, 256, 512), "B", 3, 7, imagenet_stem=True)
    assert_same_forward(resnet18(num_classes=7), theirs, (2, 3, 64, 64))


def test_resnet18_against_torchvision():
    try:
        import torchvision
    except ImportError:
        pytest.skip("torchvision is not installed")
    except RuntimeError as err:  # a torchvision built for another torch fails while importing
        pytest.skip(f"torchvision does not load with this torch ({err})")
    rg.manual_seed(0)
    assert_same_forward(resnet18(num_classes=7), torchvision.models.resnet18(num_classes=7),
                        (2, 3, 32, 32))


@pytest.mark.parametrize("cfg", ["vgg_small", "vgg11"])
def test_vgg(cfg):
    from retrograd.models.vgg import CONFIGS

    rg.manual_seed(0)
    assert_same_forward(VGG(cfg), torch_vgg(CONFIGS[cfg]), (2, 3, 32, 32))


def test_vgg_with_dropout_in_eval_mode():
    from retrograd.models.vgg import CONFIGS

    rg.manual_seed(0)
    assert_same_forward(VGG("vgg_small", dropout=0.5), torch_vgg(CONFIGS["vgg_small"], dropout=0.5),
                        (2, 3, 32, 32), train_too=False)


def test_mlp_with_batch_norm_and_dropout_in_eval_mode():
    rg.manual_seed(0)
    sizes = [12, 8, 7, 6, 3]
    assert_same_forward(MLP(sizes, activation="tanh", dropout=0.3, batch_norm=True),
                        torch_mlp(sizes, 0.3), (5, 3, 2, 2), train_too=False)


def test_mlp_without_dropout_has_no_dropout_layers():
    rg.manual_seed(0)
    sizes = [12, 8, 3]
    theirs = tnn.Sequential(tnn.Flatten(), tnn.Linear(12, 8), tnn.Tanh(), tnn.Linear(8, 3))
    assert_same_forward(MLP(sizes, activation="tanh"), theirs, (5, 12))
