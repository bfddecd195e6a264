"""WikiText-103 bidirectional (masked) LM, TransNormer T2 (arch roberta_transnormer_t2), GPT-2 BPE data."""

from transnormer.config import LMExperiment, blm_experiment


def get_config() -> LMExperiment:
    return blm_experiment("t2")
