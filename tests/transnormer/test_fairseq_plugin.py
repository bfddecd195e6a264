"""The fairseq --user-dir plugin builds our model through fairseq's registry."""

from argparse import Namespace
from pathlib import Path

import torch

PLUGIN = Path(__file__).resolve().parents[2] / "transnormer" / "fairseq_transnormer"


def test_plugin_registers_and_builds() -> None:
    from fairseq import utils
    from fairseq.data import Dictionary
    from fairseq.models import ARCH_CONFIG_REGISTRY, ARCH_MODEL_REGISTRY

    utils.import_user_module(Namespace(user_dir=str(PLUGIN)))
    assert "transnormer_ours_t1" in ARCH_MODEL_REGISTRY and "transnormer_t2" in ARCH_MODEL_REGISTRY
    d = Dictionary()
    for w in "abcdefgh":
        d.add_symbol(w)
    args = Namespace(tn_dim=16, tn_layers=2, tn_heads=2, tn_block_size=4, tokens_per_sample=16)
    ARCH_CONFIG_REGISTRY["transnormer_t2"](args)
    args.dropout = 0.0
    model = ARCH_MODEL_REGISTRY["transnormer_t2"].build_model(args, Namespace(source_dictionary=d))
    logits, _ = model(torch.randint(4, len(d), (2, 10)))
    assert logits.shape == (2, 10, len(d))
    assert model.decoder.model.cfg.diag_softmax and model.decoder.model.cfg.kernel == "1+elu"
