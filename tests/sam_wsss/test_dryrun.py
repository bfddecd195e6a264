"""The dryrun's released-file layouts, and its entry on a shrunk setting (tiny models) so the wiring stays covered."""

from __future__ import annotations

import io
import json
from pathlib import Path

import torch

from sam_wsss import dryrun as dry
from shared.reproduce import Run, prepare_out


def test_recorded_grounding_dino_layout_converts_to_the_transformers_model_exactly():
    from transformers import GroundingDinoForObjectDetection

    from sam_wsss.convert import convert_state_dict
    from sam_wsss.model import swint_ogc_config

    spec = json.loads((Path(dry.__file__).parent / "released" / "groundingdino_swint_ogc.json").read_text())["keys"]
    original = {k: torch.empty(shape, dtype=getattr(torch, dtype), device="meta") for k, shape, dtype in spec}
    assert "backbone.0.layers.2.blocks.5.attn.qkv.weight" in original  # Swin-T: 6 blocks in stage 3
    assert "bert.encoder.layer.11.output.dense.weight" in original  # BERT-base: 12 layers
    converted = convert_state_dict(original)
    with torch.device("meta"):
        ours = GroundingDinoForObjectDetection(swint_ogc_config()).state_dict()
    # the converter adds Swin's final layernorm (identity), which the original does not have
    expected = {k: tuple(v.shape) for k, v in ours.items() if ".swin.layernorm." not in k}
    assert {k: tuple(v.shape) for k, v in converted.items() if ".swin.layernorm." not in k} == expected


def test_generated_tokenizer_has_bert_base_uncased_ids(tmp_path):
    from transformers import BertTokenizerFast

    tokenizer = BertTokenizerFast.from_pretrained(dry.write_tokenizer(tmp_path / "bert"))
    assert len(tokenizer) == 30522
    ids = tokenizer("cat. horse. saddle.")["input_ids"]
    assert ids[0] == 101 and ids[-1] == 102 and ids.count(1012) == 3 and 100 not in ids


def test_dryrun_entry_on_tiny_models(tmp_path, monkeypatch):
    out = tmp_path / "dry"
    prepare_out(out, fresh=True)
    run = Run(paper="sam_wsss", profile="dryrun", out=out, data_root=out / "data", weights_root=out / "weights",
              fresh=True, console=io.StringIO())
    # the paper-size files take minutes to write; their layouts are tested above and in test_convert.py
    def placeholder(path, *args):  # the tiny models read no file; the pipeline only checks that it is there
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        return path

    for writer in ("write_grounding_dino", "write_sam", "write_resnet101"):
        monkeypatch.setattr(dry, writer, placeholder)
    monkeypatch.setenv("REPRO_DATA", "")  # restored afterwards: the dryrun points both roots at its files
    monkeypatch.setenv("REPRO_WEIGHTS", "")
    tiny = ("pseudo.detector.kind=tiny", "pseudo.detector.size=128", "pseudo.detector.max_size=200",
            "pseudo.segmenter.kind=tiny", "train.depth=18", "train.base_channels=8", "train.pretrained=",
            "train.crop_size=48", "train.log_level=INFO")
    result = dry.dryrun(run, extra=tiny, sam_kind="vit_b")
    generation, training = result["rows"]
    assert training["parameters_reference"] == 44_549_160 - 2_049_000 + 4 * (2048 * 9 * 21 + 21)
    assert training["step_time_s"] > 0 and training["recipe_steps"] == 20000 and training["batch"] == 1
    assert generation["recipe_steps"] == 10582 and result["miou_rule"] == "mmseg"
    assert len(list((out / "pseudo_labels").glob("*.png"))) == 4  # the four train_aug images, 500 x 375
