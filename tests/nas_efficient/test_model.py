import random

import pytest
import torch

from nas_efficient.arch import Arch
from nas_efficient.config import SearchSpace, SupernetConfig
from nas_efficient.configs._common import cifar10_subnet, cifar10_supernet
from nas_efficient.model import VisionSupernet, build_model, count_parameters, extract_subnet

SPACE = SearchSpace([8, 12], [1, 2, 3], [16, 24], [1, 2], ["cosformer", "softmax"])
CFG = SupernetConfig(image_size=8, patch_size=4, in_chans=1, num_classes=5, head_dim=4, drop_path=0.1,
                     activation_dropout=0.1)


def test_every_sampled_subnetwork_runs() -> None:
    torch.manual_seed(0)
    net = VisionSupernet(SPACE, CFG)
    rng = random.Random(0)
    for _ in range(5):
        assert net(torch.randn(3, 1, 8, 8), SPACE.sample(rng)).shape == (3, 5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_subnetwork_of_supernet_equals_extracted_standalone_network(seed: int) -> None:
    torch.manual_seed(seed)
    net = VisionSupernet(SPACE, CFG).eval()
    arch = SPACE.sample(random.Random(seed))
    images = torch.randn(4, 1, 8, 8)
    standalone = extract_subnet(net, arch).eval()
    torch.testing.assert_close(standalone(images, arch), net(images, arch))


def test_subnetworks_share_weights() -> None:
    torch.manual_seed(0)
    net = VisionSupernet(SPACE, CFG)
    small = Arch(8, [16], [1], ["softmax"])
    images = torch.randn(2, 1, 8, 8)
    net(images, small).sum().backward()
    grads = {k for k, p in net.named_parameters() if p.grad is not None and p.grad.abs().sum() > 0}
    assert "layers.0.attention.softmax.in_proj_weight" in grads
    assert "layers.0.attention.cosformer.in_proj_weight" not in grads and "layers.1.fc1.weight" not in grads
    # only the leading slice of a shared tensor is trained
    grad = net.layers[0].fc1.weight.grad
    assert grad[:16, :8].abs().sum() > 0 and grad[16:].abs().sum() == 0 and grad[:, 8:].abs().sum() == 0


@pytest.mark.parametrize("arch", [Arch(12, [24, 16], [2, 1], ["cosformer", "softmax"]), Arch(8, [16], [1], ["softmax"])])
def test_parameter_count_is_the_originals_count_of_the_slices(arch: Arch) -> None:
    """The original's count = the stand-alone network's tensors, less cls token and positions, plus the full
    in_proj_bias of each used attention and cosFormer's 4096 positions (golden checks against the original
    are in test_golden_supernet.py)."""
    net = extract_subnet(VisionSupernet(SPACE, CFG), arch)
    tensors = sum(p.numel() for p in net.parameters())
    super_qkv = max(SPACE.heads) * CFG.head_dim
    expected = tensors - net.cls_token.numel() - net.pos_embed.numel()
    expected += sum(3 * super_qkv - 3 * h * CFG.head_dim + (4096 if a == "cosformer" else 0)
                    for h, a in zip(arch.heads, arch.attention, strict=True))
    assert count_parameters(CFG, SPACE, arch) == expected


def test_retrained_subnet_starts_from_slices_of_a_supernet_initialisation() -> None:
    """As the original retrains a sub-network (a supernet restricted to it): xavier-uniform bounds of the
    supernet-sized fc1/fc2/head/attention matrices, zero biases."""
    cfg = cifar10_subnet()
    torch.manual_seed(0)
    model = build_model(cfg).supernet
    arch = cfg.arch.to_arch()
    layer = model.layers[0]
    assert layer.fc1.weight.shape == (arch.ffn_dims[0], arch.embed_dim)
    for weight, fan_in, fan_out in ((layer.fc1.weight, 448, 1792), (layer.fc2.weight, 1792, 448),
                                    (model.head.weight, 448, 10)):
        bound = (6 / (fan_in + fan_out)) ** 0.5
        assert 0.99 * bound < weight.abs().max().item() <= bound
    for bias in (layer.fc1.bias, layer.fc2.bias, model.head.bias):
        assert bias.abs().max().item() == 0.0


def test_supernet_linear_layers_use_xavier_and_zero_bias() -> None:
    torch.manual_seed(0)
    net = VisionSupernet(cifar10_supernet().space, cifar10_supernet().model)
    head_bound = (6 / (448 + 10)) ** 0.5  # PyTorch's default bound would be 1/sqrt(448) = 0.047
    assert 0.99 * head_bound < net.head.weight.abs().max().item() <= head_bound
    assert net.head.bias.abs().max().item() == 0.0 and net.layers[5].fc2.bias.abs().max().item() == 0.0


def test_supernet_rejects_an_architecture_it_cannot_hold() -> None:
    net = VisionSupernet(SPACE, CFG)
    with pytest.raises(ValueError, match="does not fit"):
        net(torch.randn(1, 1, 8, 8), Arch(16, [16], [1], ["softmax"]))
