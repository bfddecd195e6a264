"""Our model and shifts against outputs of the original code (fixtures: golden/README.md)."""

from pathlib import Path

import pytest
import torch

from shared.testing import GoldenFiles, assert_close_to_golden
from video_linear.convert import convert_state_dict, load_into
from video_linear.model import ModelConfig, VideoLinearTransformer
from video_linear.shifts import SpatialShift, TemporalShift

GOLDEN = torch.load(Path(__file__).parent / "golden" / "golden.pt")
TINY = dict(num_classes=5, img_size=24, patch_size=8, patch_stride=7, embed_dim=16, num_heads=2, mlp_ratio=2.0,
            num_frames=8, embed_frames=4, shift_segment=4, head_hidden=24)
VARIANTS = {
    "full": dict(depth=2, shift_layers=[0, 1]),
    "shared_gate_tshift": dict(depth=1, share_gate=True, spatial_shift=False, shift_layers=[0]),
    "no_fixation_sshift": dict(depth=1, feature_fixation=False, temporal_shift=False, shift_layers=[0]),
    "softmax_gate": dict(depth=1, kernel="softmax", temporal_shift=False, spatial_shift=False),
    "joint": dict(depth=1, attention="joint", feature_fixation=False, temporal_shift=False, spatial_shift=False),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_model_matches_original(name):
    model = VideoLinearTransformer(ModelConfig(**TINY, **VARIANTS[name])).eval()
    missing = load_into(model, convert_state_dict({"model_state": GOLDEN[f"{name}/state"]}))
    assert missing == []
    with torch.no_grad():
        logits = model(GOLDEN["video"])
    torch.testing.assert_close(logits, GOLDEN[f"{name}/logits"], atol=1e-4, rtol=0)


def test_switch_changes_output():
    """The fixture would catch a dropped component: turning the spatial shift off changes the logits."""
    model = VideoLinearTransformer(ModelConfig(**TINY, **VARIANTS["full"], spatial_shift=False)).eval()
    load_into(model, convert_state_dict(GOLDEN["full/state"]))
    with torch.no_grad():
        logits = model(GOLDEN["video"])
    assert (logits - GOLDEN["full/logits"]).abs().max() > 1e-3


def test_temporal_shift_matches_original():
    x = GOLDEN["tshift/x"]  # (b t), heads, n, e in the original's layout
    ours = TemporalShift(segment=8, div=8)(x.transpose(1, 2)).transpose(1, 2)
    torch.testing.assert_close(ours, GOLDEN["tshift/y"], atol=0, rtol=0)


@pytest.mark.parametrize("size", [1, 2])
def test_spatial_shift_matches_original(size):
    x = GOLDEN[f"sshift{size}/x"]  # (b hw), heads, t, e
    grid = {1: 4, 2: 5}[size]
    ours = SpatialShift(grid, size)(x.transpose(1, 2)).transpose(1, 2)
    torch.testing.assert_close(ours, GOLDEN[f"sshift{size}/y"], atol=0, rtol=0)


def test_bf16_autocast_runs_and_stays_close():
    model = VideoLinearTransformer(ModelConfig(**TINY, **VARIANTS["full"])).eval()
    load_into(model, convert_state_dict(GOLDEN["full/state"]))
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(GOLDEN["video"])
    torch.testing.assert_close(logits.float(), GOLDEN["full/logits"], atol=0.1, rtol=0.05)


MODEL_GOLDEN = GoldenFiles(Path(__file__).parent / "golden")


@pytest.mark.parametrize("name", ["full", "small_gates"])
def test_feature_fixation_matches_original_at_order_one(name):
    """Seeded weights with logits of order 1 (make_golden_model.py); `small_gates` sets every gate bias to -6,
    so phi(q) . sum phi(k) is about 1e-4 and the normaliser's eps of 1e-6 shows in the logits."""
    golden = MODEL_GOLDEN["model_golden.pt"]
    model = VideoLinearTransformer(ModelConfig(**TINY, **VARIANTS["full"])).eval()
    assert load_into(model, convert_state_dict({"model_state": golden[f"{name}/state"]})) == []
    with torch.no_grad():
        logits = model(golden["video"])
    assert_close_to_golden(logits, golden[f"{name}/logits"], rel_tol=1e-4, min_scale=0.5, name=f"{name} logits")


def test_temporal_shift_with_ssv2_div_matches_original():
    """SSv2's SHIFT_DIV 4 over 16 frames: a quarter of the channels move each way."""
    golden = MODEL_GOLDEN["model_golden.pt"]
    ours = TemporalShift(segment=16, div=4)(golden["tshift4/x"].transpose(1, 2)).transpose(1, 2)
    torch.testing.assert_close(ours, golden["tshift4/y"], atol=0, rtol=0)
    eighth = TemporalShift(segment=16, div=8)(golden["tshift4/x"].transpose(1, 2)).transpose(1, 2)
    assert not torch.equal(eighth, golden["tshift4/y"])
