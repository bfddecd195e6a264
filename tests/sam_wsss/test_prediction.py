"""The network's evaluation: single-scale as mmsegmentation predicts, multi-scale + flip averaging, and the
dense CRF with deeplab-pytorch's settings (when pydensecrf2 is installed)."""

from pathlib import Path

import numpy as np
import pytest
import torch

from shared.config import load_config

CONFIGS = Path(__file__).resolve().parents[2] / "sam_wsss" / "configs"


@pytest.fixture(scope="module")
def model():
    from sam_wsss.model import build_model

    torch.manual_seed(0)
    net = build_model(load_config(CONFIGS / "smoke.py"))
    net.init_weights()
    return net.eval()


def _image(seed=0, size=(40, 56)):
    return np.random.default_rng(seed).integers(0, 256, (*size, 3), dtype=np.uint8)


def test_single_scale_equals_mmsegmentations_own_prediction(model):
    from mmengine.registry import init_default_scope
    from mmseg.structures import SegDataSample

    from sam_wsss.train import predict_probs

    init_default_scope("mmseg")
    image = _image()
    ours = predict_probs(model, image).argmax(0)
    sample = SegDataSample(metainfo=dict(img_shape=image.shape[:2], ori_shape=image.shape[:2], pad_shape=image.shape[:2]))
    data = {"inputs": [torch.from_numpy(image.transpose(2, 0, 1).copy())], "data_samples": [sample]}
    with torch.no_grad():
        theirs = model.test_step(data)[0].pred_sem_seg.data[0]
    assert torch.equal(ours, theirs)


def test_flip_averaging_is_mirror_symmetric_and_scales_change_the_result(model):
    from sam_wsss.train import predict_probs

    image = _image(1)
    probs = predict_probs(model, image, (1.0, 0.75), flip=True)
    mirrored = predict_probs(model, np.ascontiguousarray(image[:, ::-1]), (1.0, 0.75), flip=True)
    assert probs.shape == (21, 40, 56)
    torch.testing.assert_close(probs, mirrored.flip(-1), atol=1e-5, rtol=1e-4)
    assert probs.sum(0).sub(1).abs().max() < 1e-5
    single = predict_probs(model, image)
    assert (probs - single).abs().max() > 1e-3


class _WidthLogits(torch.nn.Module):
    """Two classes: logit 0 = the width of the (rescaled) input, logit 1 = 50, so each scale's answer is known."""

    def __init__(self):
        super().__init__()
        self.unused = torch.nn.Parameter(torch.zeros(1))

    def data_preprocessor(self, data, training):
        return {"inputs": data["inputs"][0][None].float()}

    def backbone(self, x):
        return x

    def decode_head(self, x):
        return torch.stack([torch.full_like(x[:, 0], float(x.shape[-1])), torch.full_like(x[:, 0], 50.0)], 1)


def test_scale_fusions_mean_of_softmax_and_max_of_logits():
    from sam_wsss.train import predict_probs

    image = _image(2)  # 56 wide: logits (56, 50) at scale 1, (28, 50) at scale 0.5
    at_half = torch.softmax(torch.tensor([28.0, 50.0]), 0)
    mean = predict_probs(_WidthLogits(), image, (1.0, 0.5))
    at_one = torch.softmax(torch.tensor([56.0, 50.0]), 0)
    torch.testing.assert_close(mean[:, 5, 7], (at_one + at_half) / 2, atol=1e-6, rtol=0)
    top = predict_probs(_WidthLogits(), image, (1.0, 0.5), fusion="max_logit")
    torch.testing.assert_close(top[:, 5, 7], torch.softmax(torch.tensor([56.0, 50.0]), 0), atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="test_fusion 'sum' unknown"):
        predict_probs(_WidthLogits(), image, fusion="sum")


def test_crf_settings_and_refinement():
    from sam_wsss.crf import DenseCRF

    crf = DenseCRF()
    assert (crf.iter_max, crf.pos_w, crf.pos_xy_std, crf.bi_w, crf.bi_xy_std, crf.bi_rgb_std) == (10, 3, 1, 4, 67, 3)
    pytest.importorskip("pydensecrf.densecrf")
    image = np.zeros((30, 40, 3), np.uint8)
    image[:, 20:] = 255
    truth = np.zeros((30, 40), int)
    truth[:, 20:] = 1
    rng = np.random.default_rng(0)
    p1 = np.clip(np.where(truth == 1, 0.6, 0.4) + rng.normal(0, 0.2, truth.shape), 0.01, 0.99)
    probs = np.stack([1 - p1, p1]).astype(np.float32)
    before = (probs.argmax(0) == truth).mean()
    after = (crf(image, probs).argmax(0) == truth).mean()
    assert before < 0.9 and after > 0.99


def test_crf_without_the_package_says_which_to_install(monkeypatch):
    import builtins

    from sam_wsss.crf import DenseCRF

    real = builtins.__import__

    def no_crf(name, *args, **kwargs):
        if name.startswith("pydensecrf"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_crf)
    with pytest.raises(ImportError, match="pip install pydensecrf2"):
        DenseCRF()(np.zeros((2, 2, 3), np.uint8), np.full((2, 2, 2), 0.5, np.float32))
