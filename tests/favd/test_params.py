"""The paper config's model, built on the meta device, has the published sizes of its parts.

The paper gives no total for AVLFormer; its parts are published models:
Video Swin-B "88M" (Liu et al., Video Swin Transformer, Table 1; ours without the 600-way head),
BERT-base "110M" (Devlin et al.), PaSST-S on a DeiT-B/ViT-B body "86M" (Touvron et al., DeiT, Table 1).
"""

import pytest
import torch

from favd.model import AVLFormer, count_parameters
from shared.config import load_config


@pytest.fixture(scope="module")
def paper_model() -> AVLFormer:
    cfg = load_config("favd/configs/favd_32frm.py")
    with torch.device("meta"):
        return AVLFormer(cfg.model)


def test_parts_match_published_sizes(paper_model: AVLFormer) -> None:
    bert = paper_model.trans_encoder.bert
    assert count_parameters(paper_model.swin) == pytest.approx(88e6, rel=0.01)
    assert count_parameters(bert) - count_parameters(bert.img_embedding) == pytest.approx(110e6, rel=0.01)
    assert count_parameters(paper_model.passt.net) == pytest.approx(86e6, rel=0.015)


def test_total_and_token_layout(paper_model: AVLFormer) -> None:
    # 311.6M: the parts above, the LM head, the unused image-feature head the original keeps, fc, 768->512
    # audio projection and the 1257 x 1257 learned attention (784 video + 473 audio tokens)
    assert count_parameters(paper_model) == 311_587_603
    assert paper_model.learn_vid_att.weight.shape == (1257 * 1257, 1)


def test_variant_configs_build() -> None:
    video_only = load_config("favd/configs/favd_32frm_video_only.py")
    with torch.device("meta"):
        model = AVLFormer(video_only.model)
    assert model.passt is None
    # the same parts less PaSST, its 768->512 projection and the audio rows/cols of the learned attention
    assert count_parameters(model) == 311_587_603 - 85_736_960 - (1257**2 - 784**2)
    assert load_config("favd/configs/favd_32frm_mlm_only.py").model.lambda_ == 0.0


def test_paper_config_follows_the_original_recipe_and_the_shared_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPRO_DATA", "/d")
    monkeypatch.setenv("REPRO_WEIGHTS", "/w")
    cfg = load_config("favd/configs/favd_32frm.py")
    assert cfg.init.bert == ""  # BERT from scratch, as the original's load_bert.py ends up doing
    assert cfg.init.video_swin == "/w/video_swin/swin_base_patch244_window877_kinetics600_22k.pth"
    assert cfg.init.passt == "/w/passt/passt-s-f128-p16-s10-ap.476-swa.pt"
    assert cfg.data.root == "/d/favdbench" and cfg.data.vocab_file == "/w/bert-base-uncased/vocab.txt"
    assert cfg.data.lm_targets == "masked" and cfg.data.eval_gain and cfg.model.activation_checkpoint
    assert (cfg.train.batch_size, cfg.train.max_steps, cfg.train.schedule.warmup_steps) == (16, 70312, 7031)
    assert (cfg.train.optim.lr, cfg.train.optim.weight_decay, cfg.train.seed) == (1e-4, 0.2, 88)
