"""Make the golden files of the original AVSBench code that catch paper-shape and recipe changes.

    python tests/avsbench/golden/make_golden.py PATH_TO_AVSBENCH_CLONE

Runs the original code of OpenNLPLab/AVSBench at commit f7414af (`avs_scripts/avs_ms3`: model/, loss.py,
utils/utility.py, utils/pyutils.py, dataloader.py), copied from the clone into a scratch folder, on CPU. To
run it there, `torch.Tensor.cuda` is the identity, the PVT-v2-b5 constructor is replaced by a tiny
PyramidVisionTransformerV2 of the original's own pvt.py, and the ImageNet weight loading is skipped. Weights
are not stored: they are refilled by shared.testing.seeded_state_dict(spec, seed).

Writes (see README.md):
  pvt_224.pt     the tiny-PVT Pred_endecoder on 2 clips of 224 x 224 frames (every ASPP dilation sees
                 image content at stride 4), eval and train mode, and the MS3 losses of loss.py on it:
                 IouSemanticAwareLoss with lambda 0.5 for AVM-AV (kl_flag) and AVM-VV (closer_flag, kl_flag), and the
                 gradients of four small parameters of each total
  eval_batches.pt  test.py's scoring over batches of 4 clips (mask_iou and Eval_Fmeasure per batch,
                 AverageMeter over batches) for 6 clips, and the same with batches of 1 (train.py's validation);
                 both metrics on soft targets (grey MS3 mask pixels)
  ms3_masks.pt   dataloader.py's MS3 mask reading (convert('P') then ToTensor) of a grey PNG and a palette PNG
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))
from shared.testing import seeded_state_dict, state_dict_spec  # noqa: E402

COMMIT = "f7414af"
GRAD_KEYS = ("output_conv.4.weight", "output_conv.4.bias", "conv3.conv2d_list.0.bias", "tpavi_b3.W_z.1.weight")
TINY_PVT = dict(embed_dims=[8, 16, 24, 32], num_heads=[1, 2, 3, 4], mlp_ratios=[4, 4, 4, 4], qkv_bias=True,
                depths=[1, 2, 1, 1], sr_ratios=[8, 4, 2, 1], drop_path_rate=0.0)


def extract(clone: Path, dest: Path) -> Path:
    """avs_scripts/avs_ms3 of the original at COMMIT, written under dest."""
    files = subprocess.run(["git", "-C", str(clone), "ls-tree", "-r", "--name-only", COMMIT, "avs_scripts/avs_ms3"],
                           capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        data = subprocess.run(["git", "-C", str(clone), "show", f"{COMMIT}:{name}"], capture_output=True,
                              check=True).stdout
        out = dest / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return dest / "avs_scripts" / "avs_ms3"


def load_original(code: Path):
    torch.Tensor.cuda = lambda self, *a, **k: self  # CPU only
    sys.modules.setdefault("resampy", types.ModuleType("resampy"))
    sys.modules.setdefault("easydict", types.SimpleNamespace(EasyDict=_EasyDict))
    import timm.models.registry

    timm.models.registry.register_model = lambda fn: fn  # the original re-registers timm's own name
    sys.path.insert(0, str(code))
    from functools import partial

    import loss
    import model.pvt as pvt
    import model.PVT_AVSModel as pvt_model
    from utils import pyutils, utility

    pvt_model.pvt_v2_b5 = lambda **_: pvt.PyramidVisionTransformerV2(
        patch_size=4, norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), **TINY_PVT)
    pvt_model.Pred_endecoder.initialize_pvt_weights = lambda self: None
    return pvt_model, loss, utility, pyutils


class _EasyDict(dict):
    def __getattr__(self, name):
        return self[name]

    def __setattr__(self, name, value):
        self[name] = value


def pvt_224(pvt_model, loss) -> dict:
    stages = [1, 2, 3]  # TPAVI at stride 4 would need a (5*56*56)^2 score matrix per clip in the original
    net = pvt_model.Pred_endecoder(channel=16, config=None, vis_dim=[8, 16, 24, 32], tpavi_stages=stages,
                                   tpavi_vv_flag=False, tpavi_va_flag=True)
    spec = state_dict_spec(net.state_dict())
    net.load_state_dict(seeded_state_dict(spec, 21))
    g = torch.Generator().manual_seed(22)
    imgs = torch.randn(10, 3, 224, 224, generator=g)
    audio = torch.randn(10, 128, generator=g)
    masks = (torch.rand(10, 1, 224, 224, generator=g) > 0.6).float()
    out = {"spec": spec, "seed": 21, "input_seed": 22, "tpavi_stages": stages}
    net.eval()
    with torch.no_grad():
        out["eval_logits"] = net(imgs, audio)[0][..., ::4, ::4].clone()  # every 4th pixel: a smaller file
    net.train()
    logits, v_maps, a_feas = net(imgs, audio)
    out["train_logits"] = logits.detach()[..., ::4, ::4].clone()
    out["running_var_after"] = {k: v for k, v in net.state_dict().items() if k.endswith("running_var")}
    for name, closer in (("avm_av", False), ("avm_vv", True)):
        total, parts = loss.IouSemanticAwareLoss(logits, masks, a_feas, v_maps, sa_loss_flag=True,
                                                 count_stages=stages, lambda_1=0.5, mask_pooling_type="avg",
                                                 norm_fea=False, threshold=False, closer_flag=closer,
                                                 euclidean_flag=False, kl_flag=True)
        out[f"{name}_total"] = total.detach()
        out[f"{name}_sa"] = torch.tensor(parts["sa_loss"])
        net.zero_grad()
        total.backward(retain_graph=True)  # gradients of a few small parameters on both sides of the masks
        out[f"{name}_grads"] = {k: net.get_parameter(k).grad.clone() for k in GRAD_KEYS}
    out["bce"] = torch.tensor(parts["iou_loss"])
    return out


def eval_batches(utility, pyutils, tmp: Path) -> dict:
    g = torch.Generator().manual_seed(23)
    logits = 3 * torch.randn(6 * 5, 32, 32, generator=g)
    targets = (torch.rand(6 * 5, 32, 32, generator=g) > 0.55).float()
    targets[7] = 0  # an empty ground-truth frame
    out = {"logits": logits, "targets": targets}
    for per_batch in (4, 1):
        miou, fscore = pyutils.AverageMeter("miou"), pyutils.AverageMeter("F_score")
        for i in range(0, 30, per_batch * 5):
            miou.add({"miou": utility.mask_iou(logits[i: i + per_batch * 5], targets[i: i + per_batch * 5])})
            fscore.add({"F_score": utility.Eval_Fmeasure(logits[i: i + per_batch * 5], targets[i: i + per_batch * 5],
                                                         str(tmp))})
        out[f"miou_{per_batch}"] = float(miou.pop("miou"))
        out[f"f_score_{per_batch}"] = float(fscore.pop("F_score"))
    # soft targets, as MS3's palette reading gives for grey mask pixels
    soft = targets * torch.where(torch.rand(targets.shape, generator=g) > 0.5, 1.0, 0.5)
    soft[3, :8] = 128 / 255
    out["soft_targets"] = soft
    out["soft_miou"] = float(utility.mask_iou(logits[:10], soft[:10]))
    out["soft_f_score"] = float(utility.Eval_Fmeasure(logits[:10], soft[:10], str(tmp)))
    return out


def ms3_masks(code: Path) -> dict:
    import dataloader
    from PIL import Image
    from torchvision import transforms

    grey = np.zeros((8, 8), dtype=np.uint8)
    grey[2:6, 2:6] = 255
    grey[0, :] = 128  # an anti-aliased edge
    grey[7, :4] = 37
    palette = Image.fromarray((grey > 100).astype(np.uint8), mode="P")
    palette.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    out = {}
    for name, img in (("grey", Image.fromarray(grey, mode="L")), ("palette", palette)):
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        out[f"{name}_png"] = torch.tensor(list(buf.getvalue()), dtype=torch.uint8)
        out[name] = dataloader.load_image_in_PIL_to_Tensor(io.BytesIO(buf.getvalue()), mode="P",
                                                           transform=transforms.Compose([transforms.ToTensor()]))
    return out


def main() -> None:
    clone = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        code = extract(clone, Path(tmp))
        pvt_model, loss, utility, pyutils = load_original(code)
        torch.save(pvt_224(pvt_model, loss), HERE / "pvt_224.pt")
        torch.save(eval_batches(utility, pyutils, Path(tmp)), HERE / "eval_batches.pt")
        torch.save(ms3_masks(code), HERE / "ms3_masks.pt")


if __name__ == "__main__":
    main()
