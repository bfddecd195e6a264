"""WikiText-103 bidirectional (masked) LM, TransNormer T2 (arch roberta_transnormer_t2), GPT-2 BPE data."""

from transnormer.experiment import blm_experiment

config = blm_experiment("t2")
