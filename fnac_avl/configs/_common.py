"""The paper's setting (original train_*.sh): Adam 1e-4, weight decay 1e-4, batch 256 on one GPU, 30 epochs,
5 warmup epochs, FNAC weights 100/100/100, tau 0.03, image dropout 0.9, ImageNet-initialised image encoder;
the Flickr-SoundNet test set scored after every epoch and its best cIoU's checkpoint kept (the original's
best.pth: a selection on a test set; every released script passes --testset flickr, VGG-Sound trainings too).

On several GPUs the recipe stays the one-GPU run: the global batch stays 256 (reproduce picks a process count
that divides it), the loss sees all 256 clips (features gathered across processes) and BatchNorm normalises
over all 256 (`train.sync_batchnorm`). Data lives under the data root as `python -m fnac_avl.prepare` lays it out.
"""

from __future__ import annotations

import dataclasses

from fnac_avl.config import (
    IMAGENET_RESNET18,
    DataConfig,
    FNACConfig,
    ModelConfig,
    default_train,
    flickr_root,
    vggsound_root,
)
from shared import paths


def paper_config(trainset: str, testset: str, **loss_switches: bool) -> FNACConfig:
    """`trainset`: flickr_10k, flickr_144k, vggss_10k, vggss_144k or vggss_heard; `testset`: flickr, vggss,
    vggss_heard; `loss_switches`: LossConfig fields (fns_audio, fns_image, tne) of an ablation."""
    flickr, vgg = flickr_root(), vggsound_root()
    if trainset.startswith("flickr"):
        train_root, ext, subset = f"{flickr}/train", ".jpg", f"{flickr}/metadata/{trainset}.txt"
    else:
        train_root, ext, subset = f"{vgg}/train", ".png", f"{vgg}/metadata/{trainset}.txt"
    if testset == "flickr":
        test = dict(test_root=f"{flickr}/test", test_csv=f"{flickr}/metadata/flickr_test.csv",
                    test_annotations=f"{flickr}/test/Annotations")
    else:
        test = dict(test_root=f"{vgg}/vggss_test", test_csv=f"{vgg}/metadata/{testset}_test.csv",
                    test_annotations=f"{vgg}/metadata/vggss.json")
    # every released train_*.sh scores (and keeps best.pth by) the Flickr-SoundNet test set, whatever the
    # training data; a run reported on VGG-SS therefore selects on Flickr's test cIoU
    select = {} if testset == "flickr" else dict(
        select_testset="flickr", select_test_root=f"{flickr}/test", select_test_csv=f"{flickr}/metadata/flickr_test.csv",
        select_test_annotations=f"{flickr}/test/Annotations")
    cfg = FNACConfig(
        data=DataConfig(train_root=train_root, image_ext=ext, subset_list=subset, testset=testset,
                        interpolation="bicubic", **test, **select),
        model=ModelConfig(image_weights=str(paths.weights(*IMAGENET_RESNET18))),
        train=dataclasses.replace(default_train(), select_metric="flickr_cIoU" if select else "cIoU", select_mode="max",
                                  select_split="test", select_ties="later"),  # the original saves when cIoU >= best
    )
    return dataclasses.replace(cfg, loss=dataclasses.replace(cfg.loss, **loss_switches))


def heard_unheard() -> FNACConfig:
    cfg = paper_config("vggss_heard", "vggss_heard")
    return dataclasses.replace(cfg, data=dataclasses.replace(
        cfg.data, extra_testset="vggss_unheard", extra_test_csv=f"{vggsound_root()}/metadata/vggss_unheard_test.csv"))
