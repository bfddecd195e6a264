import os

import pytest
import torch

from sam_wsss.convert import convert_state_dict, load_original_checkpoint, main
from sam_wsss.model import build_grounding_dino

from .conftest import GOLDEN

ORIGINAL = os.path.join(GOLDEN, "groundingdino_tiny_original.pth")


def _run(model, io):
    ids = io["input_ids"][None]
    pixels = io["pixel_values"]
    with torch.no_grad():
        return model(pixel_values=pixels, pixel_mask=torch.ones(1, *pixels.shape[2:], dtype=torch.long),
                     input_ids=ids, attention_mask=torch.ones_like(ids), token_type_ids=torch.zeros_like(ids))


def test_converted_original_weights_reproduce_the_original_outputs():
    model, tokenizer = build_grounding_dino("tiny")
    model.load_state_dict(load_original_checkpoint(ORIGINAL), strict=True)
    io = torch.load(os.path.join(GOLDEN, "groundingdino_tiny_io.pt"))
    assert tokenizer(io["caption"])["input_ids"] == io["input_ids"].tolist()
    out = _run(model, io)
    n = io["input_ids"].numel()
    assert io["pred_logits"].abs().max() > 1  # a comparison of non-trivial scores
    torch.testing.assert_close(out.logits[0, :, :n], io["pred_logits"], atol=1e-4, rtol=0)
    torch.testing.assert_close(out.pred_boxes[0], io["pred_boxes"], atol=1e-4, rtol=0)
    assert torch.isinf(out.logits[0, :, n:]).all()  # padding positions can never be a phrase


def test_a_wrong_key_map_would_be_caught():
    state = torch.load(ORIGINAL)["model"]
    name = "transformer.decoder.layers.0.linear1.weight"
    swapped = dict(state)
    swapped[name] = state[name].flip(0)
    model, _ = build_grounding_dino("tiny")
    model.load_state_dict({k: v.float() if v.is_floating_point() else v
                           for k, v in convert_state_dict(swapped).items()}, strict=True)
    io = torch.load(os.path.join(GOLDEN, "groundingdino_tiny_io.pt"))
    out = _run(model, io)
    assert (out.pred_boxes[0] - io["pred_boxes"]).abs().max() > 1e-3


def test_module_prefix_and_unknown_keys():
    state = torch.load(ORIGINAL)["model"]
    plain = convert_state_dict(state)
    prefixed = convert_state_dict({f"module.{k}": v for k, v in state.items()})
    assert plain.keys() == prefixed.keys()
    with pytest.raises(KeyError, match="no counterpart"):
        convert_state_dict({**state, "transformer.mystery.weight": torch.zeros(1)})


def test_cli_writes_a_loadable_state_dict(tmp_path):
    main([ORIGINAL, str(tmp_path / "out.pt")])
    model, _ = build_grounding_dino("tiny")
    model.load_state_dict(torch.load(tmp_path / "out.pt"), strict=True)
    with pytest.raises(FileNotFoundError, match="missing.pth"):
        load_original_checkpoint(tmp_path / "missing.pth")


def test_whole_pseudo_label_step_matches_the_original_on_a_photo():
    """process_pascal.py's steps (load_image, get_grounding_output, SAM box prompts, save_mask_data) with the same
    tiny weights, against ours (golden/README.md)."""
    import json

    import numpy as np
    from PIL import Image

    from sam_wsss.classes import VOC
    from sam_wsss.detector import GroundingDinoDetector
    from sam_wsss.model import tiny_sam
    from sam_wsss.pipeline import PseudoLabeler
    from sam_wsss.prompts import TextBoxPrompts
    from sam_wsss.segmenter import SamBoxSegmenter

    expected = json.load(open(os.path.join(GOLDEN, "pipeline_expected.json")))
    arrays = np.load(os.path.join(GOLDEN, "pipeline_expected.npz"))
    model, tokenizer = build_grounding_dino("tiny")
    model.load_state_dict(load_original_checkpoint(ORIGINAL), strict=True)
    detector = GroundingDinoDetector(model, tokenizer, box_threshold=expected["box_threshold"])
    labeler = PseudoLabeler(TextBoxPrompts(detector, VOC), SamBoxSegmenter(tiny_sam(seed=0)))
    photo = np.array(Image.open(os.path.join(GOLDEN, "pipeline_photo.png")).convert("RGB"))
    result = labeler("photo", photo, [8, 12])
    assert result.prompts.caption == expected["caption"]
    assert result.prompts.phrases == expected["phrases"]
    # boxes in pixels: 1e-4 of the normalised box times the 90-px side
    np.testing.assert_allclose(result.prompts.boxes.numpy(), arrays["boxes"], atol=1e-4 * 90, rtol=0)
    assert len(np.unique(arrays["label_map"])) == 3  # background, cat and dog all present
    agreement = (result.label_map == arrays["label_map"]).mean()
    assert agreement > 0.999, agreement  # masks threshold logits at 0: a pixel may flip within 1e-4
