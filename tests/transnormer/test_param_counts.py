"""Each paper config's model, built on the meta device, has the original architecture's parameter count.

The counts of the originals were taken by building fairseq-evo's modules on the meta device
(golden/README.md): transnormer_t1 and transnormer_t2 on WikiText-103 have 155,988,540 parameters
(the paper's table lists about 156M for every LM it compares; 137.1M of them are the 267,744 x 512
embedding). As fairseq counts, the fixed Householder vectors (stored as parameters) are included.
"""

import pytest
import torch

from shared.config import load_config
from transnormer.model import TransNormerBidirectional, TransNormerLM, count_parameters

CONFIGS = "transnormer/configs"


@pytest.mark.parametrize("name, expected", [("wikitext103_alm_t1", 155_988_540), ("wikitext103_alm_t2", 155_988_540),
                                            ("ablation_no_diag", 155_988_540), ("ablation_norm_first", 155_988_540),
                                            ("ablation_all_diag", 155_988_540)])
def test_alm_configs_match_the_original_count(golden: dict, name: str, expected: int) -> None:
    assert golden["param_counts"]["alm_t1"] == expected
    cfg = load_config(f"{CONFIGS}/{name}.py")
    with torch.device("meta"):
        model = TransNormerLM(cfg.model)
    assert count_parameters(model) == expected


def test_scaling_ablation_has_the_same_mixing_weights() -> None:
    cfg = load_config(f"{CONFIGS}/ablation_scaling.py")
    with torch.device("meta"):
        model = TransNormerLM(cfg.model)
    assert count_parameters(model) == 155_988_540


@pytest.mark.parametrize("name", ["wikitext103_blm_t1", "wikitext103_blm_t2", "ablation_blm_scaling", "ablation_blm_no_diag",
                                  "ablation_blm_all_diag", "ablation_blm_norm_first", "ablation_blm_block32",
                                  "ablation_blm_block128"])
def test_blm_layers_match_the_original_count(golden: dict, name: str) -> None:
    cfg = load_config(f"{CONFIGS}/{name}.py")
    with torch.device("meta"):
        model = TransNormerBidirectional(cfg.model)
    layers = sum(count_parameters(layer) for layer in model.layers)
    assert layers == golden["param_counts"]["blm_t1_layers"] == golden["param_counts"]["blm_t2_layers"] == 85_031_040
    # RoBERTa-base around them: 50,265 x 768 embedding, 514 learned positions, embedding LayerNorm, LM head
    assert count_parameters(model) == 124_673_241
