"""The recipe against the original at paper shapes (golden/make_golden.py): 224 px frames, training mode, the
MS3 losses with the paper configs' lambda, test.py's batching of the metrics, MS3 mask reading, the input
normalisation and the 0.5 threshold."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from PIL import Image

from avsbench.config import AVSConfig, ModelConfig
from avsbench.configs._common import ms3_config, paper_config
from avsbench.convert import convert_key, convert_state_dict
from avsbench.data import load_image, load_mask
from avsbench.evaluate import batched_scores
from avsbench.losses import training_loss
from avsbench.metrics import f_score, jaccard
from avsbench.model import AVSModel
from shared.testing import assert_close_to_golden, seeded_state_dict

TINY_PVT = dict(backbone="pvt_v2_b5", channels=16, pvt_embed_dims=(8, 16, 24, 32), pvt_depths=(1, 2, 1, 1),
                pvt_num_heads=(1, 2, 3, 4), pvt_sr_ratios=(8, 4, 2, 1), pvt_drop_path_rate=0.0)


@pytest.fixture(scope="module")
def pvt224(golden):
    """Our model with the golden's weights, its inputs, and its eval / train outputs at 224 px."""
    g = golden("pvt_224.pt")
    model = AVSModel(ModelConfig(**TINY_PVT, tpavi_stages=tuple(g["tpavi_stages"])))
    model.load_state_dict(convert_state_dict(seeded_state_dict(g["spec"], g["seed"])), strict=True)
    gen = torch.Generator().manual_seed(g["input_seed"])
    imgs, audio = torch.randn(10, 3, 224, 224, generator=gen), torch.randn(10, 128, generator=gen)
    masks = (torch.rand(10, 1, 224, 224, generator=gen) > 0.6).float()
    with torch.no_grad():
        eval_logits = model.eval()(imgs, audio)[0]
    train_out = model.train()(imgs, audio)
    return g, model, masks, eval_logits, train_out


def test_224px_model_matches_original_in_eval_mode(pvt224):
    g, _, _, eval_logits, _ = pvt224
    assert_close_to_golden(eval_logits[..., ::4, ::4], g["eval_logits"], rel_tol=1e-4, name="eval logits")


def test_224px_model_matches_original_in_train_mode_with_batchnorm_updates(pvt224):
    g, model, _, _, (logits, _, _) = pvt224
    assert_close_to_golden(logits.detach()[..., ::4, ::4], g["train_logits"], rel_tol=1e-4, name="train logits")
    ours = model.state_dict()
    for key, expected in g["running_var_after"].items():  # TPAVI's BatchNorm after one training batch
        assert_close_to_golden(ours[convert_key(key)], expected, rel_tol=1e-5, name=key)


def _ms3(avm: str, stages: tuple[int, ...]) -> AVSConfig:
    """The MS3 paper config (its lambda, its AVM form), on the tiny model's TPAVI stages."""
    cfg = ms3_config("pvt_v2_b5", avm=avm)
    return dataclasses.replace(cfg, model=ModelConfig(**TINY_PVT, tpavi_stages=stages),
                               loss=dataclasses.replace(cfg.loss, avm_stages=stages))


def test_ms3_losses_with_the_paper_lambda_match_original(pvt224):
    g, _, masks, _, outputs = pvt224
    stages = tuple(g["tpavi_stages"])
    batch = {"masks": masks.reshape(2, 5, 1, 224, 224)}
    for avm, name in (("kl", "avm_av"), ("kl_vv", "avm_vv")):
        loss, logs = training_loss(_ms3(avm, stages), outputs, batch)
        assert_close_to_golden(logs["bce"], g["bce"], rel_tol=1e-5, name="bce")
        assert_close_to_golden(logs["avm"], g[f"{name}_sa"], rel_tol=1e-4, name=f"{name} term")
        assert_close_to_golden(loss.detach(), g[f"{name}_total"], rel_tol=1e-5, name=f"{name} total")


def test_ms3_loss_gradients_match_original(pvt224):
    """The gradients of the totals, through the masks and the visual maps (AVM-VV's partner is not detached)."""
    g, model, masks, _, outputs = pvt224
    stages = tuple(g["tpavi_stages"])
    params = dict(model.named_parameters())
    for avm, name in (("kl", "avm_av"), ("kl_vv", "avm_vv")):
        model.zero_grad()
        loss, _ = training_loss(_ms3(avm, stages), outputs, {"masks": masks.reshape(2, 5, 1, 224, 224)})
        loss.backward(retain_graph=True)
        for key, expected in g[f"{name}_grads"].items():
            assert_close_to_golden(params[convert_key(key)].grad, expected, rel_tol=1e-3, min_scale=0.01,
                                   name=f"{name} gradient of {key}")


def test_scores_batch_clips_as_test_sh_and_the_validation(golden):
    g = golden("eval_batches.pt")
    probs = list(torch.sigmoid(g["logits"]).reshape(6, 5, 32, 32))
    targets = list(g["targets"].reshape(6, 5, 32, 32))
    data = paper_config("s4", "resnet50").data
    test = batched_scores(probs, targets, data.eval_clips_per_batch)  # test.sh: --test_batch_size 4
    val = batched_scores(probs, targets, data.val_clips_per_batch)  # train.py: --val_batch_size 1
    assert test["miou"] == pytest.approx(g["miou_4"], rel=1e-5) and test["f_score"] == pytest.approx(g["f_score_4"], rel=1e-5)
    assert val["miou"] == pytest.approx(g["miou_1"], rel=1e-5) and val["f_score"] == pytest.approx(g["f_score_1"], rel=1e-5)


def test_metrics_of_soft_targets_match_original(golden):
    """MS3's grey mask pixels are soft targets; mask_iou and Eval_Fmeasure weight them by their value."""
    g = golden("eval_batches.pt")
    probs, soft = torch.sigmoid(g["logits"][:10]), g["soft_targets"][:10]
    assert ((soft > 0) & (soft < 1)).any()
    assert jaccard(probs, soft).item() == pytest.approx(g["soft_miou"], rel=1e-5)
    assert f_score(probs, soft) == pytest.approx(g["soft_f_score"], rel=1e-5)


def test_ms3_masks_read_as_the_original_palette_conversion(golden, tmp_path):
    g = golden("ms3_masks.pt")
    for name in ("grey", "palette"):
        path = tmp_path / f"{name}.png"
        path.write_bytes(bytes(g[f"{name}_png"].tolist()))
        torch.testing.assert_close(load_mask(path, None, "ms3"), g[name], rtol=0, atol=0)
    assert ((g["grey"] > 0) & (g["grey"] < 1)).any()  # soft grey levels survive
    s4 = load_mask(tmp_path / "grey.png", None, "s4")
    assert set(s4.unique().tolist()) == {0.0, 1.0}


def test_frames_are_normalised_with_the_imagenet_statistics(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (224, 224, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "f.png")
    # the original dataloader: ToTensor, Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    expected = (torch.from_numpy(rgb).permute(2, 0, 1).float() / 255
                - torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)) / torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    assert_close_to_golden(load_image(tmp_path / "f.png", 224), expected, rel_tol=1e-6, name="frame")


def test_a_probability_of_exactly_one_half_is_background():
    """mask_iou thresholds sigmoid(logit) > 0.5: a logit of 0 is background."""
    target = torch.zeros(1, 2, 2)
    target[0, 0, 0] = 1
    pred = torch.full((1, 2, 2), 0.5)
    assert jaccard(pred, target).item() == pytest.approx(0.0)
    pred[0, 0, 0] = 0.5 + 1e-6
    assert jaccard(pred, target).item() == pytest.approx(1.0, abs=1e-6)


def test_paper_configs_hold_the_released_recipe():
    for setting in ("s4", "ms3"):
        for backbone in ("resnet50", "pvt_v2_b5"):
            cfg = ms3_config(backbone) if setting == "ms3" else paper_config(setting, backbone)
            assert cfg.data.image_size == 224 and cfg.train.batch_size == 4 and cfg.train.optim.lr == 1e-4
            assert cfg.train.optim.name == "adam" and cfg.train.optim.weight_decay == 0.0  # train.py ignores --wt_dec
            steps = 3452 // 4 if setting == "s4" else 296 // 4
            assert cfg.train.max_steps == steps * (15 if setting == "s4" else 30) and cfg.train.eval_every == steps
            assert cfg.train.select_metric == "val_miou" and cfg.train.select_split == "val"
            assert cfg.train.sync_batchnorm  # BatchNorm over the whole batch of 20 frames, as one GPU
            assert cfg.train.find_unused_parameters  # the unused skip unit of the deepest fusion block
            assert cfg.data.eval_clips_per_batch == 4 and cfg.data.val_clips_per_batch == 1
            if setting == "ms3":
                assert (cfg.loss.avm, cfg.loss.avm_weight, cfg.loss.avm_stages) == ("kl", 0.5, (0, 1, 2, 3))
                assert not cfg.loss.avm_normalize and not cfg.loss.avm_threshold
            else:
                assert cfg.loss.avm == "none"
