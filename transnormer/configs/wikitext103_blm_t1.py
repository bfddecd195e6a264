"""WikiText-103 bidirectional (masked) LM, TransNormer T1 (arch roberta_transnormer_t1), GPT-2 BPE data."""

from transnormer.experiment import blm_experiment

config = blm_experiment("t1")
