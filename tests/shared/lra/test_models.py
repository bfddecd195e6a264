"""The baseline encoder, the classifier heads and the LRA-size parameter counts."""

from __future__ import annotations

import torch

from shared.lra.classifier import SequenceClassifier, classifier_inputs, pool
from shared.lra.model import baseline_model_config, build_classifier
from shared.lra.transformer_baseline import TransformerEncoder, sinusoidal_table


def tiny_encoder(**kw) -> TransformerEncoder:
    args = dict(vocab_size=20, max_len=12, emb_dim=16, num_heads=2, num_layers=2, qkv_dim=16, mlp_dim=32, dropout=0.0,
                attention_dropout=0.0)
    return TransformerEncoder(**{**args, **kw}).eval()


def test_padding_does_not_change_real_positions() -> None:
    torch.manual_seed(0)
    enc = tiny_encoder(cls_token=True)
    tokens = torch.randint(1, 20, (2, 12))
    mask = torch.zeros(2, 12, dtype=torch.bool)
    mask[0, 7:] = True
    mask[1, 3:] = True
    other = tokens.clone()
    other[mask] = torch.randint(1, 20, (int(mask.sum()),))  # change only padded tokens
    a, b = enc(tokens, mask), enc(other, mask)
    assert a.shape == (2, 13, 16)
    assert torch.allclose(a[:, 0], b[:, 0], atol=1e-6)  # CLS
    assert torch.allclose(a[0, 1:8], b[0, 1:8], atol=1e-6) and torch.allclose(a[1, 1:4], b[1, 1:4], atol=1e-6)
    assert not torch.allclose(a[0, 8:], b[0, 8:])  # the padded positions themselves did change
    # masked mean over real tokens is unchanged too; LRA's plain mean is not
    assert torch.allclose(pool(a, mask, "masked_mean"), pool(b, mask, "masked_mean"), atol=1e-6)
    # and without the mask the real positions would see the change
    free = torch.zeros_like(mask)
    assert not torch.allclose(enc(tokens, free)[0, 1:8], enc(other, free)[0, 1:8])


def test_all_padding_row_stays_finite() -> None:
    enc = tiny_encoder(cls_token=False)
    out = enc(torch.zeros(1, 12, dtype=torch.long), torch.ones(1, 12, dtype=torch.bool))
    assert torch.isfinite(out).all()


def test_sinusoidal_table_matches_lra_formula() -> None:
    t = sinusoidal_table(5, 4)
    assert torch.allclose(t[3], torch.tensor([torch.sin(torch.tensor(3.0)), torch.cos(torch.tensor(3.0)),
                                              torch.sin(torch.tensor(3 / 100.0)), torch.cos(torch.tensor(3 / 100.0))]))


def test_dual_encoder_shapes_and_interactions() -> None:
    torch.manual_seed(0)
    for interaction, width in (("nli", 64), ("concat", 32)):
        clf = SequenceClassifier(tiny_encoder(cls_token=False), 16, 2, 24, "cls", dual=True, interaction=interaction)
        assert clf.head[0].in_features == width and clf.head[2].out_features == 12  # mlp_dim // 2, as LRA
        t1, t2 = torch.randint(1, 20, (3, 12)), torch.randint(1, 20, (3, 12))
        m = torch.zeros(3, 12, dtype=torch.bool)
        logits = clf(*classifier_inputs({"tokens1": t1, "padding_mask1": m, "tokens2": t2, "padding_mask2": m}))
        assert logits.shape == (3, 2)
        swapped = clf(t2, m, t1, m)
        assert not torch.allclose(logits, swapped)  # order matters through u - v / the concat order


def lra_listops_parameter_count() -> int:
    """By hand from LRA's ListOps Transformer: emb 512, qkv 512, mlp 1024, 4 layers, 10 classes, vocab 17,
    CLS token, sinusoidal positions (no parameters), no q/k/v/out biases."""
    d, q, m, layers, classes, vocab = 512, 512, 1024, 4, 10, 17
    block = 2 * (2 * d) + 3 * d * q + q * d + (d * m + m) + (m * d + d)  # two LayerNorms, attention, MLP
    head = (d * m + m) + (m * classes + classes)  # Dense(mlp_dim) -> ReLU -> Dense(classes)
    return vocab * d + d + layers * block + 2 * d + head


def test_lra_size_parameter_counts() -> None:
    with torch.device("meta"):
        listops = build_classifier("listops", baseline_model_config("listops"), 2000)
        retrieval = build_classifier("retrieval", baseline_model_config("retrieval"), 4000)
    assert lra_listops_parameter_count() == 8_948_746
    assert sum(p.numel() for p in listops.parameters()) == 8_948_746
    # Retrieval: emb 128, qkv 128, mlp 512, 4 layers, vocab 257, no CLS, NLI head 4*128 -> 512 -> 256 -> 2
    d, m = 128, 512
    block = 4 * d + 4 * d * d + (d * m + m) + (m * d + d)
    head = (4 * d * m + m) + (m * (m // 2) + m // 2) + ((m // 2) * 2 + 2)
    assert sum(p.numel() for p in retrieval.parameters()) == 257 * d + 4 * block + 2 * d + head


def test_pooling_modes_read_the_right_positions() -> None:
    features = torch.arange(2 * 4 * 3, dtype=torch.float32).view(2, 4, 3)
    mask = torch.tensor([[False, False, True, True], [False, False, False, False]])
    assert torch.equal(pool(features, mask, "cls"), features[:, 0])
    assert torch.equal(pool(features, mask, "last"), features[:, -1])
    assert torch.equal(pool(features, mask, "mean"), features.mean(dim=1))
    assert torch.equal(pool(features, mask, "masked_mean")[0], features[0, :2].mean(dim=0))
