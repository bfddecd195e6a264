"""The pieces mmsegmentation lacks for the paper's segmentation network, registered in its registries.

- `DeepLabV2Head`: DeepLab-v2's ASPP classifier: four 3x3 convolutions with dilations 6, 12, 18, 24 straight from
  the backbone features to class scores, summed (Chen et al. 2017, the "ASPP-L" head used by WSSS methods).
- `RandomRescale`: deeplab-pytorch's training scale: one factor drawn from a list, applied to the original
  image (bilinear) and its labels (nearest).
- `MSCEncoderDecoder`: deeplab-pytorch's multi-scale-input training (MSC): the network also sees the batch at
  0.5x and 0.75x, and the loss sums cross-entropy on the full-scale, each scaled and the pixel-wise max logits,
  each against labels resized (nearest) to that logit map.
- `IntervalPolyLR`: deeplab-pytorch's PolynomialLR: lr = base (1 - t / max_iters)^power, updated every
  `interval` (10) iterations.
- `CocoObjectDataset`: MS-COCO 2014 as 81-class index PNGs (background + the 80 object classes), the layout
  WSSS code uses for COCO.
- the `own-run://` checkpoint scheme: resuming from a checkpoint this training wrote itself.
Importing this module registers all six.
"""

from __future__ import annotations

import os

import mmcv
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.optim.scheduler.lr_scheduler import LRSchedulerMixin
from mmengine.optim.scheduler.param_scheduler import PolyParamScheduler
from mmengine.runner.checkpoint import CheckpointLoader
from mmseg.datasets import BaseSegDataset
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import DATASETS, MODELS, PARAM_SCHEDULERS, TRANSFORMS
from torch import nn

from sam_wsss.classes import COCO_CLASSES, voc_palette


@MODELS.register_module(force=True)
class DeepLabV2Head(BaseDecodeHead):
    def __init__(self, dilations: tuple[int, ...] = (6, 12, 18, 24), **kwargs) -> None:
        # the branches output class scores themselves: no shared 1x1 classifier, no dropout
        kwargs.setdefault("channels", kwargs["num_classes"])
        kwargs.setdefault("dropout_ratio", 0.0)
        kwargs.setdefault("init_cfg", dict(type="Normal", std=0.01, override=dict(name="aspp")))
        super().__init__(**kwargs)
        del self.conv_seg
        self.aspp = nn.ModuleList(
            nn.Conv2d(self.in_channels, self.out_channels, 3, padding=d, dilation=d, bias=True) for d in dilations)

    def cls_seg(self, feat: torch.Tensor) -> torch.Tensor:  # pragma: no cover - forward does not route through it
        raise NotImplementedError

    def forward(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        x = self._transform_inputs(inputs)  # b, c, h/8, w/8
        return sum(branch(x) for branch in self.aspp)  # b, classes, h/8, w/8


def msc_loss(model, inputs: torch.Tensor, labels: torch.Tensor, scales: tuple[float, ...] = (0.5, 0.75),
             ignore_index: int = 255) -> dict[str, torch.Tensor]:
    """deeplab-pytorch's MSC training loss (libs/models/msc.py, main.py): logits of the batch at full size and at
    each of `scales` (bilinear input resize), their pixel-wise max at the full-size logits' resolution, and one
    cross-entropy per logit map against the labels resized to it (nearest), ignoring `ignore_index`."""
    full = model.decode_head(model.extract_feat(inputs))
    pyramid = []
    for scale in scales:
        size = [int(s * scale) for s in inputs.shape[2:]]
        scaled = nn.functional.interpolate(inputs, size=size, mode="bilinear", align_corners=False)
        pyramid.append(model.decode_head(model.extract_feat(scaled)))
    upsampled = [nn.functional.interpolate(p, size=full.shape[2:], mode="bilinear", align_corners=False)
                 for p in pyramid]
    merged = torch.stack([full, *upsampled]).amax(0)
    losses = {}
    for name, logits in (("full", full), *((f"x{s}", p) for s, p in zip(scales, pyramid, strict=True)),
                         ("max", merged)):
        # nearest-exact picks the pixel whose centre is nearest, as PIL's NEAREST resize does in deeplab-pytorch
        target = nn.functional.interpolate(labels[:, None].float(), size=logits.shape[2:], mode="nearest-exact")
        losses[f"loss_{name}"] = nn.functional.cross_entropy(logits, target[:, 0].long(), ignore_index=ignore_index)
    return losses


@PARAM_SCHEDULERS.register_module(force=True)
class IntervalPolyLR(LRSchedulerMixin, PolyParamScheduler):
    """Before step t+1 (t steps done): base * (1 - (t - t % interval) / (end - begin)) ** power."""

    def __init__(self, optimizer, interval: int = 10, **kwargs) -> None:
        self.interval = interval
        self.max_iters = kwargs.get("end", 0) - kwargs.get("begin", 0)  # read by the first step, in __init__
        if self.max_iters <= 0:
            raise ValueError(f"IntervalPolyLR needs end > begin, got {kwargs}")
        super().__init__(optimizer, **kwargs)

    def _get_value(self) -> list[float]:
        done = self.last_step - self.last_step % self.interval
        return [base * (1 - done / self.max_iters) ** self.power for base in self.base_values]


@MODELS.register_module(force=True)
class MSCEncoderDecoder(EncoderDecoder):
    """EncoderDecoder trained with `msc_loss`; inference is the plain full-scale prediction."""

    def __init__(self, msc_scales: tuple[float, ...] = (0.5, 0.75), **kwargs) -> None:
        super().__init__(**kwargs)
        self.msc_scales = tuple(msc_scales)

    def loss(self, inputs: torch.Tensor, data_samples: list) -> dict:
        labels = torch.stack([sample.gt_sem_seg.data[0] for sample in data_samples])
        return msc_loss(self, inputs, labels, self.msc_scales, self.decode_head.ignore_index)


@TRANSFORMS.register_module(force=True)
class RandomRescale(BaseTransform):
    """Rescale image and labels by one factor drawn uniformly from `factors` (size int(h * f), int(w * f))."""

    def __init__(self, factors: tuple[float, ...] = (0.5, 0.75, 1.0, 1.25, 1.5)) -> None:
        if not factors or min(factors) <= 0:
            raise ValueError(f"RandomRescale: factors must be positive, got {factors}")
        self.factors = tuple(factors)

    def transform(self, results: dict) -> dict:
        factor = self.factors[np.random.randint(len(self.factors))]
        height, width = results["img"].shape[:2]
        size = (int(width * factor), int(height * factor))  # (w, h), as cv2 takes it
        results["img"] = mmcv.imresize(results["img"], size, interpolation="bilinear")
        for key in results.get("seg_fields", []):
            results[key] = mmcv.imresize(results[key], size, interpolation="nearest")
        results["img_shape"] = results["img"].shape[:2]
        results["scale_factor"] = (size[0] / width, size[1] / height)
        return results


@DATASETS.register_module(force=True)
class CocoObjectDataset(BaseSegDataset):
    METAINFO = dict(classes=("background", *COCO_CLASSES),
                    palette=[voc_palette(81)[i:i + 3] for i in range(0, 243, 3)])

    def __init__(self, img_suffix: str = ".jpg", seg_map_suffix: str = ".png", gt_by_number: bool = False,
                 **kwargs) -> None:
        self.gt_by_number = gt_by_number
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)

    def load_data_list(self) -> list[dict]:
        data_list = super().load_data_list()
        if self.gt_by_number:  # ground truth named by the 12-digit number alone (coco_seg_anno/<number>.png)
            for info in data_list:
                folder, name = os.path.split(info["seg_map_path"])
                info["seg_map_path"] = os.path.join(folder, name.rsplit("_", 1)[-1])
        return data_list


OWN_RUN = "own-run://"


@CheckpointLoader.register_scheme(prefixes=OWN_RUN, force=True)
def load_own_checkpoint(filename: str, map_location=None) -> dict:
    """mmengine's checkpoints pickle its log buffers and numpy values, which torch >= 2.6 refuses to load by
    default; a run's own checkpoints are trusted, so only these are read with weights_only=False."""
    return torch.load(filename.removeprefix(OWN_RUN), map_location=map_location, weights_only=False)
