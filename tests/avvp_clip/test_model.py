"""HAN against the original MMIL_Net (golden outputs), the converter, and parameter counts."""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import GOLDEN
from golden_utils import synthetic_features, synthetic_state_dict

from avvp_clip.convert import UNUSED_PREFIXES, convert_state_dict, infer_config, load_han
from avvp_clip.convert import main as convert_main
from avvp_clip.model import HAN, HANConfig, num_parameters
from shared.config import load_config

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted((ROOT / "avvp_clip" / "configs").glob("*.py"))


@functools.cache
def _original_state() -> dict[str, torch.Tensor]:
    shapes = json.loads((GOLDEN / "mmil_net_keys.json").read_text())
    return synthetic_state_dict(shapes, seed=0)


def original_state() -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in _original_state().items()}


def test_outputs_equal_the_original_mmil_net() -> None:
    state = convert_state_dict(original_state())
    model = HAN(infer_config(state))
    model.load_state_dict(state, strict=True)
    model.eval()
    feats = synthetic_features(3, seed=1)
    with torch.no_grad():
        out = model(feats["audio"], feats["visual"], feats["motion"])
    golden = np.load(GOLDEN / "han_outputs.npz")
    for name, value in out._asdict().items():
        np.testing.assert_allclose(value.numpy(), golden[name], atol=1e-4, rtol=0, err_msg=name)


def test_converter_drops_only_the_modules_the_original_never_calls() -> None:
    original = original_state()
    converted = convert_state_dict({f"module.{k}": v for k, v in original.items()})  # DataParallel prefix
    dropped = set(original) - set(converted)
    assert dropped and all(k.startswith(UNUSED_PREFIXES) for k in dropped)
    assert set(converted) == set(HAN().state_dict())
    assert infer_config(converted) == HANConfig()


def test_convert_cli_writes_a_strictly_loadable_state_dict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = HAN(HANConfig(d_model=16, ffn_dim=16))
    original = {**small.state_dict(), "cmt_encoder.norm1.weight": torch.ones(16)}
    torch.save(original, tmp_path / "MMIL_Net.pt")
    monkeypatch.setattr(sys, "argv", ["convert", str(tmp_path / "MMIL_Net.pt"), str(tmp_path / "o.pt")])
    convert_main()
    state = torch.load(tmp_path / "o.pt")
    assert set(state) == set(small.state_dict())
    loaded = load_han(tmp_path / "MMIL_Net.pt")
    for k, v in small.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v)


def test_converter_rejects_a_file_that_is_not_a_han_checkpoint(tmp_path: Path) -> None:
    torch.save({"weight": torch.zeros(2)}, tmp_path / "x.pt")
    with pytest.raises(ValueError, match="fc_prob.weight"):
        load_han(tmp_path / "x.pt")


def test_bad_input_shapes_name_the_input() -> None:
    model = HAN(HANConfig(d_model=16, ffn_dim=16))
    with pytest.raises(ValueError, match="'visual': expected shape \\(2, 80, 2048\\)"):
        model(torch.zeros(2, 10, 128), torch.zeros(2, 10, 2048), torch.zeros(2, 10, 512))


def test_train_mode_backward_reaches_every_parameter() -> None:
    torch.manual_seed(0)
    model = HAN(HANConfig(d_model=16, ffn_dim=16)).train()
    feats = synthetic_features(2, seed=3)
    out = model(feats["audio"], feats["visual"], feats["motion"])
    (out.global_prob.sum() + out.frame_prob.sum()).backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())


# The paper reports no parameter count (HAN's paper neither). The figure checked is the original
# MMIL_Net's: 9,307,723 parameters in its state dict, of which 4,569,675 are used by its forward
# (the rest are audio_encoder, visual_encoder, cmt_encoder and hat_encoder.norm1/2, never called).
# The pseudo-label method adds no parameters: CLIP runs offline and frozen.
HAN_PARAMETERS = 4_569_675
ORIGINAL_STATE_DICT_PARAMETERS = 9_307_723


@pytest.mark.parametrize("path", [p for p in CONFIGS if not p.stem.startswith("_") and p.stem != "smoke"],
                         ids=lambda p: p.stem)
def test_paper_config_parameter_count(path: Path) -> None:
    cfg = load_config(path)
    with torch.device("meta"):
        model = HAN(cfg.model)
    assert num_parameters(model) == HAN_PARAMETERS
    removed = sum(v.numel() for k, v in original_state().items() if k.startswith(UNUSED_PREFIXES))
    assert num_parameters(model) + removed == ORIGINAL_STATE_DICT_PARAMETERS


def test_training_loss_and_gradients_equal_one_step_of_the_original_train() -> None:
    """main_avvp.py train() for one batch (dropout off; SGD with lr 1, so its update is minus the gradient)."""
    from avvp_clip.config import LossConfig
    from avvp_clip.losses import training_loss

    golden = np.load(GOLDEN / "train_step.npz")
    state = convert_state_dict(original_state())
    model = HAN(dataclasses.replace(infer_config(state), dropout=0.0))
    model.load_state_dict(state, strict=True)
    model.train()
    feats = synthetic_features(4, seed=5)
    batch = {"label": torch.from_numpy(golden["labels"]).float()}
    loss, _ = training_loss(model(feats["audio"], feats["visual"], feats["motion"]), batch, LossConfig())
    loss.backward()
    assert loss.item() == pytest.approx(float(golden["loss"]), abs=1e-5)
    grads = dict(model.named_parameters())
    for key in ("fc_prob.weight", "hat_encoder.layers.0.linear2.bias"):
        np.testing.assert_allclose(grads[key].grad.numpy(), golden[f"grad/{key}"], atol=1e-5, rtol=0, err_msg=key)
    for key, param in grads.items():
        assert param.grad.norm().item() == pytest.approx(float(golden[f"grad_norm/{key}"]), rel=1e-3, abs=1e-6), key
