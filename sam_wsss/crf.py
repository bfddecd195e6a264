"""Dense-CRF refinement of a network's class probabilities, with deeplab-pytorch's VOC settings.

configs/voc12.yaml (CRF): 10 mean-field iterations, a Gaussian (position) kernel of width 1 and weight 3, a
bilateral kernel of position width 67, colour width 3 and weight 4. The inference is pydensecrf2's (a maintained
build of Krähenbühl's dense CRF; `pip install pydensecrf2`); it is imported only when `train.crf` is on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DenseCRF:
    iter_max: int = 10
    pos_w: float = 3.0
    pos_xy_std: float = 1.0
    bi_w: float = 4.0
    bi_xy_std: float = 67.0
    bi_rgb_std: float = 3.0

    def __call__(self, image: np.ndarray, probs: np.ndarray) -> np.ndarray:
        """image: (h, w, 3) uint8; probs: (classes, h, w) softmax -> refined (classes, h, w) marginals."""
        try:
            import pydensecrf.densecrf as dcrf
            from pydensecrf.utils import unary_from_softmax
        except ImportError as err:
            raise ImportError("train.crf needs pydensecrf2 (pip install pydensecrf2), the dense-CRF package "
                              "this refinement runs on") from err
        classes, height, width = probs.shape
        if image.shape != (height, width, 3) or image.dtype != np.uint8:
            raise ValueError(f"CRF: image must be ({height}, {width}, 3) uint8 like the probabilities, "
                             f"got {image.shape} {image.dtype}")
        crf = dcrf.DenseCRF2D(width, height, classes)
        crf.setUnaryEnergy(np.ascontiguousarray(unary_from_softmax(probs.astype(np.float32))))
        crf.addPairwiseGaussian(sxy=self.pos_xy_std, compat=self.pos_w)
        crf.addPairwiseBilateral(sxy=self.bi_xy_std, srgb=self.bi_rgb_std, rgbim=np.ascontiguousarray(image),
                                 compat=self.bi_w)
        return np.asarray(crf.inference(self.iter_max), dtype=np.float32).reshape(classes, height, width)
