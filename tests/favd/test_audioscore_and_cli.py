"""TriLip wiring with tiny random encoders (the released CLIP / TriLip weights are not available here), its checkpoint
loader, and the evaluation command line on files in the original's format."""

import json
from pathlib import Path

import numpy as np
import torch
from open_clip.model import CLIP, CLIPTextCfg, CLIPVisionCfg

from favd import evaluate
from favd.audioscore import TriLip, load_trilip
from favd.model import AVLFormer


def tiny_trilip(golden_cfg) -> TriLip:
    torch.manual_seed(0)
    clip = CLIP(embed_dim=16, vision_cfg=CLIPVisionCfg(layers=1, width=32, head_width=16, patch_size=8, image_size=32),
                text_cfg=CLIPTextCfg(context_length=12, vocab_size=50, width=32, heads=2, layers=1))
    audio = AVLFormer(golden_cfg).passt  # PaSST interface: (b, 1, samples) -> (b, tokens, 16)
    return TriLip(clip, audio, dim=16, hidden=32).eval()


def test_trilip_scores_each_clip_with_its_own_description(golden_cfg, tmp_path: Path) -> None:
    model = tiny_trilip(golden_cfg)
    image, text = torch.randn(3, 3, 32, 32), torch.randint(1, 50, (3, 12))
    audio = torch.randn(3, 1, 4000) * 0.1
    torch.manual_seed(1)
    scores = model.score(image, text, audio)
    assert scores.shape == (3,) and np.isfinite(scores).all()
    assert not any(p.requires_grad for p in model.vl_model.parameters())
    # the released file: {'model': DataParallel state dict}
    torch.save({"model": {"module." + k: v for k, v in model.state_dict().items()}}, tmp_path / "TriLip.bin")
    other = tiny_trilip(golden_cfg)
    with torch.no_grad():
        other.vis_scaler.w_1.weight.zero_()
    load_trilip(str(tmp_path / "TriLip.bin"), other)
    torch.manual_seed(1)
    np.testing.assert_allclose(other.score(image, text, audio), scores, rtol=1e-6)


def test_evaluate_cli_reads_original_formats(tmp_path: Path, capsys) -> None:
    refs = {"images": [{"id": "v1"}, {"id": "v2"}], "annotations": [
        {"image_id": "v1", "caption": "a red circle moves left. a low hum is playing.", "id": 0},
        {"image_id": "v2", "caption": "a blue square moves up. a loud noise is playing.", "id": 1}]}
    (tmp_path / "ref.json").write_text(json.dumps(refs))
    # the TSV the original's inference writes: key<TAB>[{"caption", "conf"}]
    (tmp_path / "pred.tsv").write_text('test/v1.mp4\t[{"caption": "a red circle moves left. a hum is playing.", '
                                       '"conf": 0.5}]\ntest/v2.mp4\t[{"caption": "a square moves up.", "conf": 0.1}]\n')
    evaluate.main(["--pred", str(tmp_path / "pred.tsv"), "--ref", str(tmp_path / "ref.json"), "--no-meteor",
                   "--nouns", "lexicon", "--lexicon", "circle", "square", "hum", "noise", "--t5", "",
                   "--out", str(tmp_path / "scores.json")])
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert set(scores) >= {"Bleu_4", "ROUGE_L", "CIDEr", "EntityScore"}
    assert scores["EntityScore_n"] == 2
    assert json.loads(capsys.readouterr().out)["CIDEr"] == scores["CIDEr"]  # stdout is the JSON alone
