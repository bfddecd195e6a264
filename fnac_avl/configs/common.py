"""The paper's setting (original train_*.sh): Adam 1e-4, weight decay 1e-4, batch 256, 30 epochs, 5 warmup
epochs, FNAC weights 100/100/100, tau 0.03, image dropout 0.9, ImageNet-initialised image encoder.

Data lives under data/fnac/ as `python -m fnac_avl.prepare` lays it out (see fnac_avl/README.md).
"""

from fnac_avl.train import FNACConfig

DATA = "data/fnac"
META = f"{DATA}/metadata"  # the original repository's metadata/ folder


def paper_config(trainset: str, testset: str) -> FNACConfig:
    """`trainset`: flickr_10k, flickr_144k, vggss_10k, vggss_144k or vggss_heard; `testset`: flickr or vggss."""
    cfg = FNACConfig()
    cfg.model.image_weights = f"{DATA}/weights/resnet18-f37072fd.pth"
    if trainset.startswith("flickr"):
        cfg.data.train_root, cfg.data.image_ext = f"{DATA}/flickr/train", ".jpg"
    else:
        cfg.data.train_root, cfg.data.image_ext = f"{DATA}/vggsound/train", ".png"
    cfg.data.subset_list = f"{META}/{trainset}.txt"
    cfg.data.testset = testset
    if testset == "flickr":
        cfg.data.test_root = f"{DATA}/flickr/test"
        cfg.data.test_csv = f"{META}/flickr_test.csv"
        cfg.data.test_annotations = f"{DATA}/flickr/test/Annotations"
    else:
        cfg.data.test_root = f"{DATA}/vggss/test"
        cfg.data.test_csv = f"{META}/{testset}_test.csv"
        cfg.data.test_annotations = f"{META}/vggss.json"
    cfg.data.interpolation = "bicubic"
    return cfg
