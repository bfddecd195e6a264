import pytest
import torch

from tnn.config import alm_config, blm_config, deit_small_config, deit_tiny_config
from tnn.model import TnnLM, TnnMaskedLM


def count(model: torch.nn.Module) -> int:
    # the original keeps the decay as a frozen nn.Parameter, so its count includes it; ours is a buffer
    return sum(p.numel() for p in model.parameters()) + sum(b.numel() for b in model.buffers())


def test_autoregressive_lm_parameter_count_matches_the_paper():
    # Table 2 of the paper (autoregressive LM on WikiText-103): TNN, 48.68M parameters
    with torch.device("meta"):
        model = TnnLM(alm_config(vocab_size=50264))  # GPT-2 BPE dictionary in fairseq: 50264 symbols
    assert round(count(model) / 1e6, 2) == 48.68


def test_lm_is_causal_and_extends_to_any_length():
    torch.manual_seed(0)
    model = TnnLM(alm_config(vocab_size=30, embed_dim=16, num_layers=2, glu_dim=16, rpe_dim=8, dropout=0.0)).eval()
    tokens = torch.randint(4, 30, (2, 24))
    logits = model(tokens)
    changed = tokens.clone()
    changed[:, 15:] = 5
    assert torch.allclose(model(changed)[:, :15], logits[:, :15], atol=1e-5)
    assert model(torch.randint(4, 30, (1, 300))).shape == (1, 300, 30)


def test_masked_lm_is_bidirectional_and_zeroes_padding():
    torch.manual_seed(0)
    cfg = blm_config(vocab_size=30, embed_dim=16, num_layers=2, glu_dim=16, rpe_dim=8, dropout=0.0)
    model = TnnMaskedLM(cfg).eval()
    tokens = torch.randint(4, 30, (1, 12))
    out = model(tokens)
    changed = tokens.clone()
    changed[:, -1] = 4 if tokens[0, -1] != 4 else 5
    assert not torch.allclose(model(changed)[:, 0], out[:, 0])  # the first position sees the last one
    assert out.shape == (1, 12, 30)


def test_wrong_direction_is_refused():
    with pytest.raises(ValueError, match="causal"):
        TnnLM(blm_config(vocab_size=10, embed_dim=8, num_layers=1, glu_dim=8, rpe_dim=4))
    with pytest.raises(ValueError, match="causal"):
        TnnMaskedLM(alm_config(vocab_size=10, embed_dim=8, num_layers=1, glu_dim=8, rpe_dim=4))


@pytest.mark.parametrize("make, original", [(deit_tiny_config, 6_422_056), (deit_small_config, 23_401_192)])
def test_image_classifier_counts_equal_the_original_builds(make, original):
    # OpenNLPLab/im tnn_vit_e3g1_tiny_rpe_l1_90_prenorm / tno_vit_e3g1_small_rpe_l1_90_prenorm (336fb23), built on
    # the meta device; both count the frozen decay parameters
    from tnn.image import TnnVit

    with torch.device("meta"):
        model = TnnVit(make())
    assert count(model) == original
