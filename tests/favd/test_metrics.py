"""Metrics against the original evaluation code's values on fixed inputs (golden/metrics_golden.*, made by
golden/make_golden_metrics.py from Metrics/EntityScore/score.py and Metrics/AudioScore/{score.py,model/trilip.py}),
and the caption metrics against pycocoevalcap's COCOEvalCap (the original's evaluate_on_coco_caption path)."""

import json
from pathlib import Path

import numpy as np
import pycocoevalcap.eval as coco_eval
import pytest
import torch
from transformers import T5Config, T5EncoderModel

from favd.metrics import (
    LexiconNouns,
    audio_score_scale,
    caption_metrics,
    encode_padded,
    entity_comprehensiveness,
    entity_recall,
    entity_score,
    entity_score_from_nouns,
    trilip_logits,
)

GOLDEN = Path(__file__).parent / "golden"
VALUES = json.loads((GOLDEN / "metrics_golden.json").read_text())
TENSORS = torch.load(GOLDEN / "metrics_golden.pt", weights_only=False)
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def char_ids(words: list[str]) -> dict[str, torch.Tensor]:
    """The tokenizer the golden values were made with: letters -> 2.., then </s> = 1, padded with 0."""
    ids = [[LETTERS.index(c) + 2 for c in w if c in LETTERS] + [1] for w in words]
    n = max(map(len, ids))
    return {"input_ids": torch.tensor([i + [0] * (n - len(i)) for i in ids]),
            "attention_mask": torch.tensor([[1] * len(i) + [0] * (n - len(i)) for i in ids])}


@pytest.fixture(scope="module")
def t5() -> T5EncoderModel:
    model = T5EncoderModel(T5Config(**TENSORS["t5_config"]))
    model.load_state_dict(TENSORS["t5"])
    return model.eval()


def test_entity_score_parts_match_original(t5: T5EncoderModel) -> None:
    def encode(pred, ref):
        with torch.no_grad():
            return encode_padded(t5, char_ids(pred), char_ids(ref))

    for case in VALUES["entity"]:
        pred, ref = case["pred"], case["ref"]
        assert entity_recall(pred, ref) == pytest.approx(case["entity_avg"], abs=1e-12)
        assert entity_comprehensiveness(*encode(pred, ref)) == pytest.approx(case["semantic_avg"], abs=1e-6)
        assert entity_score_from_nouns(pred, ref, encode) == pytest.approx(case["entity_score"], abs=1e-6)
    assert entity_recall(["a"], []) == VALUES["entity_avg_empty_ref"] == 0


def test_entity_score_skips_clips_without_nouns() -> None:
    nouns = LexiconNouns(["circle", "square", "background"])
    encode = lambda p, r: (torch.ones(len(p), 1, 4), torch.ones(len(r), 1, 4))  # noqa: E731  identical words
    assert nouns("Two circles and a square.") == ["circle", "square"]
    assert entity_score_from_nouns([], ["circle"], encode) == -1
    out = entity_score({"a": "a circle", "b": "nothing here", "c": "a square"},
                       {"a": "the circle", "b": "a circle", "c": "a circle and a background"}, nouns, encode)
    assert out["EntityScore_n"] == 2  # "b" has no predicted noun: skipped, as the original
    perfect = 2 * 1.0 * (1 + 1e-4) / (1.0 + 1 + 1e-4)
    half = 2 * 1.0 * (0 + 1e-4) / (1.0 + 1e-4)
    assert out["EntityScore"] == pytest.approx((perfect + half) / 2)


def test_audio_score_scale_and_logits_match_original() -> None:
    s = VALUES["scale"]
    np.testing.assert_allclose(audio_score_scale(np.array(s["x"])), s["y"], rtol=1e-12)
    assert audio_score_scale(100.0) == pytest.approx(100.0)  # f(1) = 1 by construction of a
    assert audio_score_scale(50.0) == pytest.approx(100 * np.exp(-0.693179) / np.exp(-0.693179 * np.exp(-10)))
    f = TENSORS["trilip_scaled"]
    logits, logits_t = trilip_logits(f["img"], f["txt"], f["aud"].mean(1), *TENSORS["logit_scales"])
    torch.testing.assert_close(logits, TENSORS["trilip_logits"], atol=1e-4, rtol=0)
    torch.testing.assert_close(logits_t, TENSORS["trilip_logits_t"], atol=1e-4, rtol=0)
    scores = audio_score_scale(torch.diagonal(logits).numpy())
    np.testing.assert_allclose(scores, TENSORS["trilip_scores"].numpy(), atol=1e-3)


class _Coco:
    """The part of pycocotools' COCO that COCOEvalCap reads."""

    def __init__(self, captions: dict[str, list[str]]) -> None:
        self.imgToAnns = {k: [{"image_id": k, "caption": c} for c in v] for k, v in captions.items()}

    def getImgIds(self) -> list[str]:
        return list(self.imgToAnns)


class _Recorder:
    """Stands in for a Java scorer (METEOR, SPICE): records what it is given, scores 0."""

    def __init__(self, name: str, calls: list) -> None:
        self.name, self.calls = name, calls

    def method(self) -> str:
        return self.name

    def compute_score(self, gts: dict, res: dict) -> tuple[float, list[float]]:
        self.calls.append((self.name, gts, res))
        return 0.0, [0.0] * len(gts)

    def close(self) -> None:
        pass


def test_caption_metrics_match_coco_eval_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    refs = {"v1": ["a red circle moves left. a low hum is playing.", "a red ball rolls to the left."],
            "v2": ["a man speaks into a microphone on a stage."],
            "v3": ["the dog barks at a white wall, loudly!"]}
    preds = {"v1": "a red circle moves left. a hum is playing.", "v2": "a man speaks on stage.", "v3": ""}
    # METEOR (about 5 s of Java a call) and SPICE (needs CoreNLP downloaded) record their inputs instead:
    # both sides must hand METEOR the same tokenised captions
    theirs: list = []
    monkeypatch.setattr(coco_eval, "Spice", lambda: _Recorder("SPICE", theirs))
    monkeypatch.setattr(coco_eval, "Meteor", lambda: _Recorder("METEOR", theirs))
    ev = coco_eval.COCOEvalCap(_Coco(refs), _Coco({k: [v] for k, v in preds.items()}))
    ev.evaluate()
    ours_calls: list = []
    import pycocoevalcap.meteor.meteor as meteor_module

    monkeypatch.setattr(meteor_module, "Meteor", lambda: _Recorder("METEOR", ours_calls))
    ours = caption_metrics(preds, refs, meteor=True)
    for key in ("Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr"):
        assert ours[key] == pytest.approx(ev.eval[key], abs=1e-9), key
    assert ours_calls[0][1:] == theirs[0][1:]


def test_caption_metrics_all_correct_and_missing_reference() -> None:
    refs = {"a": ["a red circle moves left."], "b": ["a blue square moves up."], "c": ["the background is gray."]}
    out = caption_metrics({k: v[0] for k, v in refs.items()}, refs, meteor=True)  # the one real METEOR call
    assert out["Bleu_1"] == pytest.approx(1.0) and out["ROUGE_L"] == pytest.approx(1.0)
    assert 0.9 < out["METEOR"] <= 1.0
    with pytest.raises(KeyError, match="zzz"):
        caption_metrics({"zzz": "x"}, refs, meteor=False)
