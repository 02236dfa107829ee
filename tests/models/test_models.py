"""The model zoo: every model builds, runs forward and one training step; sizes match the
published architectures."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import nn, optim
from retrograd.models import (MLP, VGG, CifarResNet, LeNet5, resnet18, resnet20, resnet32,
                              resnet56, resnet8)
from retrograd.models.registry import MODELS, build_model


def _count(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name,in_channels,size", [
    ("mlp", 1, 28), ("lenet5", 1, 28), ("resnet8", 3, 32), ("resnet20", 3, 32),
    ("vgg_small", 3, 32), ("resnet18", 3, 32),
])
def test_builds_runs_forward_and_one_training_step(name, in_channels, size):
    rg.manual_seed(0)
    model = build_model(name, 10, in_channels, size)
    x = rg.randn(4, in_channels, size, size)
    y = rg.tensor([0, 1, 2, 3])
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    before = {k: v.array.copy() for k, v in model.state_dict().items()}
    loss = nn.CrossEntropyLoss()(model(x), y)
    assert model(x).shape == (4, 10) and np.isfinite(loss.item())
    opt.zero_grad()
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())
    opt.step()
    changed = [k for k, v in model.state_dict().items() if not np.array_equal(v.array, before[k])]
    assert any(k.endswith("weight") for k in changed)


def test_published_parameter_counts():
    assert _count(LeNet5()) == 61_706  # 6*25+6 + 16*6*25+16 + 400*120+120 + 120*84+84 + 84*10+10
    assert _count(resnet18()) == 11_689_512  # torchvision's resnet18
    assert abs(_count(resnet20()) - 0.27e6) < 0.01e6  # He et al. 2016, Table 6
    assert abs(_count(resnet32()) - 0.46e6) < 0.01e6
    assert abs(_count(resnet56()) - 0.85e6) < 0.01e6


def test_resnet18_uses_torchvision_key_names():
    keys = set(resnet18().state_dict())
    for key in ("conv1.weight", "bn1.running_var", "layer1.0.conv2.weight",
                "layer2.0.downsample.0.weight", "layer2.0.downsample.1.num_batches_tracked",
                "layer4.1.bn2.bias", "fc.weight", "fc.bias"):
        assert key in keys, key


def test_resnet8_is_three_stages_of_one_block():
    model = resnet8()
    blocks = [m for m in model.modules() if type(m).__name__ == "BasicBlock"]
    assert len(blocks) == 3
    assert [b.conv1.out_channels for b in blocks] == [16, 32, 64]


def test_unknown_model_name_lists_choices():
    with pytest.raises(ValueError, match="lenet5"):
        build_model("lenet6")
    assert {"mlp", "lenet5", "resnet20", "resnet18", "vgg11"} <= set(MODELS)


def test_mlp_sizes_and_vgg_configs():
    mlp = MLP([784, 32, 10], dropout=0.5)
    assert _count(mlp) == 784 * 32 + 32 + 32 * 10 + 10
    with pytest.raises(ValueError, match="unknown config"):
        VGG("vgg99")


def test_small_network_overfits_a_small_batch():
    rg.manual_seed(0)
    x, y = rg.randn(16, 1, 28, 28), rg.randint(0, 10, (16,))
    model = LeNet5()
    opt = optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(60):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < 0.01


@pytest.mark.parametrize("sizes", [[784], [784, 0, 10], [784, 32.0, 10], [-1, 10]])
def test_mlp_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="sizes must list"):
        MLP(sizes)


def test_mlp_edge_sizes_and_activations():
    assert [type(m).__name__ for m in MLP([4, 3])] == ["Flatten", "Linear"]
    assert MLP([4, 1, 2])[1].out_features == 1
    assert [type(m).__name__ for m in MLP([4, 3, 2], activation=nn.Tanh)] == [
        "Flatten", "Linear", "Tanh", "Linear"]
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        MLP([4, 3, 2], activation="swish")


def test_defaults_and_initialisation():
    """Defaults as documented; He initialisation with mode='fan_out' (torchvision's), so the
    stem's std is sqrt(2 / (out_channels * k * k))."""
    assert build_model("mlp").sizes == [784, 512, 256, 10]
    lenet = build_model("lenet5")
    assert lenet.features[0].in_channels == 1 and lenet.classifier[-1].out_features == 10
    vgg = VGG()
    assert vgg.features[0].out_channels == 64 and vgg.classifier[-1].out_features == 10
    assert len(CifarResNet().layer1) == 3
    for model, fan_out in ((resnet20(), 16 * 9), (resnet18(), 64 * 49)):
        std = float(model.conv1.weight.array.std())
        assert std == pytest.approx((2 / fan_out) ** 0.5, rel=0.1), type(model).__name__
    from retrograd.models.resnet import ResNet

    assert ResNet().fc.out_features == 1000 and len(ResNet().layer4) == 2
    assert ResNet().conv1.in_channels == 3
    for make in (resnet8, resnet20, resnet32, resnet56):
        assert make(num_classes=3).fc.out_features == 3


def test_lenet5_and_cifar_resnet_reject_bad_options():
    with pytest.raises(ValueError, match="image_size must be 28 or 32"):
        LeNet5(image_size=30)
    with pytest.raises(ValueError, match="activation must be 'relu' or 'tanh'"):
        LeNet5(activation="gelu")
    with pytest.raises(ValueError, match="depth must be 6n\\+2"):
        CifarResNet(21)


def test_build_model_passes_sizes_and_options_on():
    mlp = build_model("MLP", 7, 3, 8, hidden=(16,), dropout=0.25)
    assert mlp.sizes == [3 * 8 * 8, 16, 7]
    assert any(type(m).__name__ == "Dropout" and m.p == 0.25 for m in mlp.modules())
    lenet = build_model("LeNet-5", 4, 2, 32, activation="tanh")
    assert lenet.features[0].in_channels == 2 and lenet.features[0].padding in (0, (0, 0))
    assert type(lenet.features[1]).__name__ == "Tanh" and lenet.classifier[-1].out_features == 4
    resnet = build_model("ResNet-8", 5, 1, 32, widths=(8, 16, 32))
    assert resnet.conv1.in_channels == 1 and resnet.fc.out_features == 5
    assert resnet.layer3[0].conv1.out_channels == 32 and len(resnet.layer1) == 1
    r18 = build_model("resnet18", 6, 1, 64)
    assert r18.conv1.in_channels == 1 and r18.fc.out_features == 6
    vgg = build_model("vgg_small", 3, 1, 32, dropout=0.5)
    assert vgg.features[0].in_channels == 1 and vgg.classifier[-1].out_features == 3
    assert vgg.features[0].out_channels == 16
    assert type(vgg.classifier[0]).__name__ == "Dropout"
