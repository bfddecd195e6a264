"""The FAVDBench reader on a generated dataset in the official layout, its errors, and the tensorizer."""

import json
import random
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch

from favd.data import DataError, FAVDDataset, read_caption_tsv, read_coco_captions, split_description
from favd.synthetic import NOUNS, generate_dataset
from favd.tensorize import CaptionTensorizer
from favd.tokenizer import WordPiece


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_dataset(tmp_path_factory.mktemp("favd"), num_train=3, num_test=2, num_frames=4, size=32,
                            sample_rate=8000, seconds=0.5, seed=0)


@pytest.fixture(scope="module")
def tokenizer(root: Path) -> WordPiece:
    return WordPiece(root / "vocab.txt")


def test_reader_returns_frames_audio_and_text(root: Path, tokenizer: WordPiece) -> None:
    tz = CaptionTensorizer(tokenizer, max_img_seq_length=39, max_seq_length=24, rng=random.Random(0))
    data = FAVDDataset(root, "train", tz, num_frames=4, img_res=32, sample_rate=8000, clip_seconds=0.5)
    assert len(data) == 3
    item = data[1]
    assert item["frames"].shape == (4, 3, 32, 32)
    assert item["audio"].shape == (1, 4000)
    assert item["audio"].abs().max() > 0.05  # the decoded mp3 holds the sound
    assert item["attention_mask"].shape == (24 + 39, 24 + 39)
    caption = data.clips[1].caption
    words = tokenizer.tokenize(caption)
    assert tokenizer.decode(tokenizer.convert_tokens_to_ids(words)) == caption
    assert any(n in caption for n in NOUNS)


def test_tensorizer_layout_and_masking(tokenizer: WordPiece) -> None:
    tz = CaptionTensorizer(tokenizer, max_img_seq_length=5, max_seq_length=16, mask_prob=0.5, max_masked_tokens=6,
                           rng=random.Random(1))
    text = "a red circle moves left. the circle is red."
    out = tz(text)
    n = len(tokenizer.tokenize(text)) + 2  # [CLS] ... [SEP]
    raw = tokenizer.convert_tokens_to_ids([tokenizer.cls_token, *tokenizer.tokenize(text), tokenizer.sep_token])
    mask = out["attention_mask"]
    assert torch.equal(mask[:n, :n], torch.tril(torch.ones(n, n, dtype=torch.long)))  # causal text
    assert mask[:n, 16:].all() and mask[16:, 16:].all()  # text -> media, media -> media
    assert not mask[16:, :16].any() and not mask[n:16].any()  # media never sees text; padding attends to nothing
    # next-token targets as the original: read from the masked list (it masks in place and aliases it)
    assert out["output_token_ids"][: n - 1].tolist() == out["input_ids"][1:n].tolist()
    assert out["output_token_ids"][: n - 1].tolist() != raw[1:]  # some targets are [MASK] or random words
    pos = out["masked_pos"].nonzero().flatten().tolist()
    assert len(pos) == min(round(0.5 * n), 6) and 0 not in pos  # [CLS] is never masked
    targets = out["masked_ids"][out["masked_ids"] != -1].tolist()
    assert targets == [raw[i] for i in pos]
    clean_tz = CaptionTensorizer(tokenizer, max_img_seq_length=5, max_seq_length=16, mask_prob=0.5,
                                 max_masked_tokens=6, rng=random.Random(1), lm_targets="clean")
    clean = clean_tz(text)
    assert clean["output_token_ids"][: n - 1].tolist() == raw[1:]  # the option: targets of the unmasked text
    assert torch.equal(clean["input_ids"], out["input_ids"])  # same draws, same masked input
    test_tz = CaptionTensorizer(tokenizer, max_img_seq_length=5, max_seq_length=16, is_train=False)
    assert test_tz("ignored")["masked_pos"].all()


def test_reader_errors_name_file_and_field(root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.caption.tsv"
    bad.write_text("train/x.mp4\tnot json\n")
    with pytest.raises(DataError, match=r"bad.caption.tsv:1: field 2"):
        read_caption_tsv(bad)
    bad.write_text("just-one-field\n")
    with pytest.raises(DataError, match="expected '<split>/<vid>.mp4<TAB>"):
        read_caption_tsv(bad)
    with pytest.raises(DataError, match="caption file not found"):
        read_caption_tsv(tmp_path / "missing.tsv")
    (tmp_path / "c.json").write_text(json.dumps([{"image_id": "a"}]))
    with pytest.raises(DataError, match="entry 0 lacks"):
        read_coco_captions(tmp_path / "c.json")
    hdf = tmp_path / "x_mp3.hdf"
    with h5py.File(hdf, "w") as f:
        f.create_dataset("audio_name", data=np.array(["a"], dtype=object), dtype=h5py.string_dtype())
    from favd.data import AudioArchive

    with pytest.raises(DataError, match="missing dataset 'mp3'"):
        AudioArchive(hdf).waveform("a")
    with pytest.raises(DataError, match="no audio named 'zz'"):
        FAVDDataset(root, "test", lambda t: {}, num_frames=4, img_res=32).audio.waveform("zz")


def test_coco_references_and_paragraph_split(root: Path) -> None:
    refs = read_coco_captions(root / "metadata" / "test.caption_coco_format.json")
    assert len(refs) == 2 and all(len(v) == 1 for v in refs.values())
    caption, visual, audio = split_description("A man speaks. He wears a suit. A mic is near. Applause rises.")
    assert caption == "A man speaks" and visual == ["He wears a suit", "A mic is near"]
    assert audio == ["Applause rises"]


def test_chinese_captions_through_the_same_reader(root: Path, tmp_path: Path) -> None:
    """Chinese paragraphs use the same layout with another caption file; BERT WordPiece splits CJK characters."""
    zh = root / "metadata" / "train.caption_zh.tsv"
    rows = [line.split("\t")[0] for line in (root / "metadata" / "train.caption.tsv").read_text().splitlines()]
    zh.write_text("".join(f"{key}\t{json.dumps([{'caption': '一个红色的圆向左移动。'}], ensure_ascii=False)}\n"
                          for key in rows), encoding="utf-8")
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "一", "个", "红", "色", "的", "圆", "向",
                                "左", "移", "动", "。"]) + "\n", encoding="utf-8")
    tok = WordPiece(vocab)
    tz = CaptionTensorizer(tok, max_img_seq_length=39, max_seq_length=16, rng=random.Random(0))
    data = FAVDDataset(root, "train", tz, num_frames=4, img_res=32, sample_rate=8000, clip_seconds=0.5,
                       caption_file="{split}.caption_zh.tsv")
    assert data.clips[0].caption == "一个红色的圆向左移动。"
    assert tok.tokenize(data.clips[0].caption) == list("一个红色的圆向左移动。")
    assert tok.vocab["[UNK]"] not in data[0]["output_token_ids"].tolist()
