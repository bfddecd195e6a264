"""WikiText-103 bidirectional (masked) LM, TransNormer T1 (arch roberta_transnormer_t1), GPT-2 BPE data."""

from transnormer.config import LMExperiment, blm_experiment


def get_config() -> LMExperiment:
    return blm_experiment("t1")
