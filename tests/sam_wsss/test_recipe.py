"""The DeepLab-v2 recipe of the segmentation step, pinned to deeplab-pytorch's VOC config (configs/voc12.yaml,
main.py, libs/datasets/base.py), the reference WSSS methods train their segmenter with."""

from pathlib import Path

import numpy as np
import pytest
import torch

from shared.config import load_config

CONFIGS = Path(__file__).resolve().parents[2] / "sam_wsss" / "configs"


@pytest.fixture(scope="module")
def voc():
    return load_config(CONFIGS / "voc.py")


def test_voc_recipe_constants(voc):
    t = voc.train
    assert t.scales == (0.5, 0.75, 1.0, 1.25, 1.5)  # DATASET.SCALES, factors of the original image
    assert t.crop_size == 321 and t.batch_size == 10  # IMAGE.SIZE.TRAIN; BATCH_SIZE.TRAIN 5 x ITER_SIZE 2
    assert t.max_steps == 20000 and t.lr == 2.5e-4 and t.momentum == 0.9 and t.weight_decay == 5e-4
    assert t.poly_power == 0.9 and t.head_lr_mult == 10 and t.head_bias_lr_mult == 20
    assert t.dilations == (1, 1, 2, 4) and not t.contract_dilation and t.aspp_dilations == (6, 12, 18, 24)
    assert t.test_scales == (1.0, 0.5, 0.75) and t.test_fusion == "max_logit" and not t.test_flip and not t.crf


def test_mmseg_config_trains_at_the_recipe(voc):
    from sam_wsss.segtrain import mmseg_config

    mm = mmseg_config(voc.train, "pseudo", 21)
    pipeline = mm["train_dataloader"]["dataset"]["pipeline"]
    assert pipeline[2] == dict(type="RandomRescale", factors=(0.5, 0.75, 1.0, 1.25, 1.5))
    assert pipeline[3] == dict(type="RandomCrop", crop_size=(321, 321)) and pipeline[4]["prob"] == 0.5
    assert mm["model"]["data_preprocessor"]["size"] == (321, 321)  # pad to the crop: image 0 after normalising
    assert mm["model"]["data_preprocessor"]["seg_pad_val"] == 255
    assert mm["train_cfg"]["max_iters"] == 20000 and mm["param_scheduler"][0]["power"] == 0.9


def test_layer3_and_layer4_are_dilated_in_every_block(voc):
    from sam_wsss.model import build_model

    with torch.device("meta"):
        model = build_model(voc)
    backbone = model.backbone
    for layer, rate in ((backbone.layer3, 2), (backbone.layer4, 4)):
        assert {block.conv2.dilation for block in layer} == {(rate, rate)}  # contract_dilation would make block 0 rate/2
    assert [branch.dilation for branch in model.decode_head.aspp] == [(d, d) for d in (6, 12, 18, 24)]


def test_learning_rates_of_backbone_head_weights_and_head_biases(voc):
    from mmengine.optim import build_optim_wrapper

    from sam_wsss.model import build_model
    from sam_wsss.segtrain import mmseg_config

    model = build_model(voc)
    wrapper = build_optim_wrapper(model, mmseg_config(voc.train, "pseudo", 21)["optim_wrapper"])
    names = {id(p): n for n, p in model.named_parameters()}
    seen = {}
    for group in wrapper.optimizer.param_groups:
        for p in group["params"]:
            name = names[id(p)]
            kind = "head_bias" if name.startswith("decode_head") and name.endswith("bias") else (
                "head_weight" if name.startswith("decode_head") else "backbone")
            seen.setdefault(kind, set()).add((group["lr"], group["weight_decay"]))
    assert seen["backbone"] == {(2.5e-4, 5e-4)}
    assert seen["head_weight"] == {(2.5e-3, 5e-4)}
    assert seen["head_bias"] == {(5e-3, 0.0)}
    assert wrapper.optimizer.defaults["momentum"] == 0.9


def test_random_rescale_draws_each_factor_of_the_original_size():
    from sam_wsss.mmseg_modules import RandomRescale

    np.random.seed(0)
    transform = RandomRescale((0.5, 0.75, 1.0, 1.25, 1.5))
    sizes = set()
    label = np.zeros((375, 500), np.uint8)
    label[100:200, 100:300] = 7
    for _ in range(60):
        out = transform(dict(img=np.zeros((375, 500, 3), np.uint8), gt_seg_map=label.copy(), seg_fields=["gt_seg_map"]))
        assert out["img"].shape[:2] == out["gt_seg_map"].shape
        assert set(np.unique(out["gt_seg_map"])) == {0, 7}  # nearest: no new label values
        sizes.add(out["img"].shape[:2])
    assert sizes == {(int(375 * f), int(500 * f)) for f in (0.5, 0.75, 1.0, 1.25, 1.5)}


def test_msc_training_loss_follows_deeplab_pytorch(voc):
    """Four cross-entropies (full, 0.5x, 0.75x, max) against labels resized to each logit map as PIL's NEAREST
    resize does in deeplab-pytorch's main.py (`resize_labels`); their sum is what the optimizer sees."""
    from PIL import Image

    from sam_wsss.mmseg_modules import msc_loss

    assert voc.train.msc_scales == (0.5, 0.75)
    from sam_wsss.segtrain import model_config

    assert model_config(voc.train, 21)["type"] == "MSCEncoderDecoder"

    class Net(torch.nn.Module):  # logits = a 1x1 conv of the input pooled by 8, as the network's output stride
        def __init__(self):
            super().__init__()
            self.decode_head = torch.nn.Conv2d(3, 4, 1)

        def extract_feat(self, x):
            return torch.nn.functional.avg_pool2d(x, 8)

    torch.manual_seed(0)
    net = Net()
    inputs = torch.randn(2, 3, 65, 81)
    labels = torch.randint(0, 4, (2, 65, 81))
    labels[:, :3] = 255
    losses = msc_loss(net, inputs, labels, (0.5, 0.75))
    assert list(losses) == ["loss_full", "loss_x0.5", "loss_x0.75", "loss_max"]

    def reference(logits):
        h, w = logits.shape[2:]
        target = torch.stack([torch.from_numpy(np.asarray(Image.fromarray(lab.numpy().astype(np.float32)).resize(
            (w, h), resample=Image.NEAREST)).copy()).long() for lab in labels])
        return torch.nn.functional.cross_entropy(logits, target, ignore_index=255)

    full = net.decode_head(net.extract_feat(inputs))
    half = net.decode_head(net.extract_feat(torch.nn.functional.interpolate(inputs, size=[32, 40], mode="bilinear")))
    torch.testing.assert_close(losses["loss_full"], reference(full))
    torch.testing.assert_close(losses["loss_x0.5"], reference(half))
    three = net.decode_head(net.extract_feat(torch.nn.functional.interpolate(inputs, size=[48, 60], mode="bilinear")))
    torch.testing.assert_close(losses["loss_x0.75"], reference(three))
    up = [torch.nn.functional.interpolate(x, size=full.shape[2:], mode="bilinear") for x in (half, three)]
    torch.testing.assert_close(losses["loss_max"], reference(torch.maximum(full, torch.maximum(*up))))


def test_poly_schedule_updates_every_ten_iterations_as_deeplab_pytorch(voc):
    """deeplab-pytorch's PolynomialLR, stepped with the iteration number after each update: the first 10 updates
    use the base lr, then base * (1 - 10 k / ITER_MAX) ** 0.9 from update 10 k + 1 on."""
    from mmengine.optim import OptimWrapper

    from sam_wsss.mmseg_modules import IntervalPolyLR

    assert voc.train.poly_interval == 10
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([{"params": [param], "lr": 2.5e-4}], lr=2.5e-4)
    scheduler = IntervalPolyLR(OptimWrapper(optimizer), interval=10, power=0.9, begin=0, end=100, by_epoch=False)
    seen = []
    for _ in range(35):
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    expected = [2.5e-4 * (1 - 10 * ((k - 1) // 10) / 100) ** 0.9 for k in range(1, 36)]
    assert seen == pytest.approx(expected, rel=1e-12)
    from sam_wsss.segtrain import mmseg_config

    assert mmseg_config(voc.train, "pseudo", 21)["param_scheduler"][0]["type"] == "IntervalPolyLR"


@pytest.mark.parametrize(("gpus", "processes", "per_process"), [(0, 1, 10), (1, 1, 10), (3, 2, 5), (4, 2, 5),
                                                                (8, 5, 2), (16, 10, 1)])
def test_the_global_batch_of_ten_is_kept_on_any_number_of_gpus(gpus: int, processes: int, per_process: int) -> None:
    from sam_wsss.reproduce import split_batch

    assert split_batch(10, gpus) == (processes, per_process)
