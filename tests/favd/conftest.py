"""Shared fixtures of the favd tests."""

import pytest

from favd.config import AudioSettings, BertSettings, ModelConfig, SwinSettings


def _golden_config() -> ModelConfig:
    return ModelConfig(
        swin=SwinSettings(patch_size=(2, 4, 4), embed_dim=8, depths=(2, 2), num_heads=(2, 2), window_size=(2, 4, 4),
                          drop_path_rate=0.0),
        audio=AudioSettings(sample_rate=8000, n_mels=36, win_length=200, hopsize=80, n_fft=256, freqm=4, timem=8,
                            input_tdim=51, embed_dim=16, depth=2, num_heads=2, s_patchout_t=1, s_patchout_f=1),
        bert=BertSettings(vocab_size=40, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                          intermediate_size=64, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                          max_position_embeddings=64, img_feature_dim=16),
        img_feature_dim=16, max_img_seq_length=39, lambda_=0.1, label_smoothing=0.1, loss_sparse_w=0.5)


@pytest.fixture
def golden_cfg() -> ModelConfig:
    """The tiny AVLFormer of the golden fixtures (golden/make_golden_avlformer.py)."""
    return _golden_config()
