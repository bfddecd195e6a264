"""AudioScore's input pipeline and runner, as the original `Metrics/AudioScore` prepares a results file: the first
extracted frame through CLIP's preprocessing, the audio sentence (`split('. ')[-1]`) through CLIP's tokenizer, the
clip's audio with the random +-7 dB gain, and result.csv (case,score rows and the mean). TriLip is a tiny random
one here (the released TriLip.bin cannot be fetched)."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from open_clip.model import CLIP, CLIPTextCfg, CLIPVisionCfg
from PIL import Image

from favd import audioscore, evaluate
from favd.audioscore import AudioScoreInputs, TriLip, audio_sentence, clip_preprocess
from favd.config import AudioSettings
from favd.data import AudioArchive, pad_or_truncate
from favd.modules.passt import AudioEncoder, AugmentMelSTFT, PaSST
from favd.synthetic import generate_dataset

SOT, EOT = 49406, 49407  # CLIP's start and end tokens


def tiny_trilip() -> TriLip:
    """CLIP at 224 px with CLIP's real vocabulary size, PaSST at 32 kHz / 10 s: the released interfaces, tiny."""
    torch.manual_seed(0)
    clip = CLIP(embed_dim=16, vision_cfg=CLIPVisionCfg(layers=1, width=32, head_width=16, patch_size=32,
                                                       image_size=224),
                text_cfg=CLIPTextCfg(context_length=77, vocab_size=49408, width=32, heads=2, layers=1))
    a = AudioSettings(embed_dim=16, depth=1, num_heads=2)
    mel = AugmentMelSTFT(a.n_mels, a.sample_rate, a.win_length, a.hopsize, a.n_fft, a.freqm, a.timem)
    net = PaSST((a.n_mels, a.input_tdim), a.patch_size, a.stride, 1, a.embed_dim, a.depth, a.num_heads,
                s_patchout_t=a.s_patchout_t, s_patchout_f=a.s_patchout_f)
    model = TriLip(clip, AudioEncoder(mel, net, 16), dim=16, hidden=32).eval()
    with torch.no_grad():  # TriLip uses its scales as they are (no exp): 20 puts the logits in AudioScore's range
        model.logit_scale1.fill_(20.0)
        model.logit_scale2.fill_(20.0)
    return model


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_dataset(tmp_path_factory.mktemp("favd"), num_train=1, num_test=3, num_frames=32, size=40,
                            sample_rate=32000, seconds=10.0, seed=0)


@pytest.fixture(scope="module")
def predictions(root: Path) -> dict[str, str]:
    refs = json.loads((root / "metadata" / "test.caption_coco_format.json").read_text())["annotations"]
    return {r["image_id"]: r["caption"] for r in refs}


def test_audio_sentence_is_the_text_after_the_last_period_space() -> None:
    assert audio_sentence("A man sings. He wears a hat. A guitar plays. Drums beat loudly.") == "Drums beat loudly."
    assert audio_sentence("one sentence only") == "one sentence only"
    assert audio_sentence("a.b. c") == "c"


def test_clip_preprocessing_uses_clips_normalisation() -> None:
    """CLIP's constants (the original's `clip.load` preprocess), not ImageNet's, on a uniform wide image."""
    image = Image.new("RGB", (60, 40), (255, 0, 128))
    out = clip_preprocess()(image)
    assert out.shape == (3, 224, 224)
    mean, std = (0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)
    expected = [(v / 255 - m) / s for v, m, s in zip((255, 0, 128), mean, std, strict=True)]
    np.testing.assert_allclose(out.mean(dim=(1, 2)).numpy(), expected, rtol=1e-5)


def test_inputs_first_frame_audio_sentence_and_gain(root: Path, predictions: dict[str, str]) -> None:
    inputs = AudioScoreInputs(root, "test", predictions)
    archive = AudioArchive(root / "audio_hdf" / "test_mp3.hdf")
    assert len(inputs) == 3
    for i, vid in enumerate(inputs.vids):
        image, text, wave, name = inputs[i]
        assert name == vid
        first = clip_preprocess()(Image.open(root / "frames" / "test-32frames" / f"{vid}_frame0001.jpg"))
        assert image.shape == (3, 224, 224) and torch.equal(image, first)
        assert text.shape == (77,) and text[0] == SOT and EOT in text.tolist()
        assert inputs.texts[i] == predictions[vid].split(". ")[-1] and "playing" in inputs.texts[i]
        raw = pad_or_truncate(archive.waveform(vid), 320000)
        assert wave.shape == (1, 320000)
        np.testing.assert_allclose(wave[0].numpy(), raw * 10 ** (inputs.gains[i] / 20), rtol=1e-6, atol=1e-7)
    assert all(-7 <= g <= 6 for g in inputs.gains)
    assert inputs.gains == AudioScoreInputs(root, "test", predictions).gains  # seeded: repeatable
    assert inputs.gains != AudioScoreInputs(root, "test", predictions, seed=1).gains


def test_runner_writes_the_originals_result_csv(root: Path, predictions: dict[str, str], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    model = tiny_trilip()
    torch.save({"model": {"module." + k: v for k, v in model.state_dict().items()}}, tmp_path / "TriLip.bin")
    monkeypatch.setattr(audioscore, "build_trilip", tiny_trilip)
    (tmp_path / "pred.json").write_text(json.dumps(predictions))  # {vid: caption}, as the original reads
    evaluate.main(["--pred", str(tmp_path / "pred.json"), "--audioscore", str(tmp_path / "TriLip.bin"),
                   "--data-root", str(root), "--out", str(tmp_path / "result.csv")])
    rows = list(csv.reader((tmp_path / "result.csv").open()))
    assert rows[0] == ["case", "score"] and [r[0] for r in rows[1:]] == [*predictions, "mean"]
    scores = [float(r[1]) for r in rows[1:-1]]
    assert float(rows[-1][1]) == pytest.approx(np.mean(scores))
    assert json.loads(capsys.readouterr().out)["AudioScore"] == pytest.approx(np.mean(scores))
    # the same scores as TriLip on the prepared inputs directly (PaSST's patchout draws seeded alike: 2048)
    inputs = AudioScoreInputs(root, "test", predictions)
    batch = [inputs[i] for i in range(3)]
    torch.manual_seed(2048)
    direct = model.score(torch.stack([b[0] for b in batch]), torch.stack([b[1] for b in batch]),
                         torch.stack([b[2] for b in batch]))
    np.testing.assert_allclose(scores, direct, rtol=1e-5)
    assert np.ptp(scores) > 1e-3  # the clips' scores differ, so a mix-up of inputs would show
