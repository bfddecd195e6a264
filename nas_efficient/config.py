"""Every schema of the CIFAR-10 experiments: the search space, the supernet, the data, the search and the run.

Experiment files in `configs/` build a `NasConfig` from the factories of `configs/_common.py`.
(The translation experiments are fairseq command lines, `configs/wmt14_en_de.sh`, whose model settings
are `TranslationModelConfig`; their search space is `translation_arch.TranslationSearchSpace`.)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

from nas_efficient.arch import Arch
from shared import paths
from shared.trainer import TrainerConfig


@dataclass
class SearchSpace:
    """The choices for each architecture dimension (mixFormer's `*-choice` options)."""

    embed_dims: list[int] = field(default_factory=lambda: [320, 384, 448])
    layer_nums: list[int] = field(default_factory=lambda: [12, 13, 14])
    ffn_dims: list[int] = field(default_factory=lambda: [1792, 1568, 1344, 896, 672])
    heads: list[int] = field(default_factory=lambda: [5, 6, 7])
    attention: list[str] = field(default_factory=lambda: ["cosformer", "softmax"])

    @property
    def max_layers(self) -> int:
        return max(self.layer_nums)

    def largest(self, attention: str = "softmax") -> Arch:
        n = self.max_layers
        return Arch(max(self.embed_dims), [max(self.ffn_dims)] * n, [max(self.heads)] * n, [attention] * n)

    def smallest(self, attention: str = "cosformer") -> Arch:
        n = min(self.layer_nums)
        return Arch(min(self.embed_dims), [min(self.ffn_dims)] * n, [min(self.heads)] * n, [attention] * n)

    def sample(self, rng: random.Random) -> Arch:
        n = rng.choice(self.layer_nums)
        return Arch(rng.choice(self.embed_dims), [rng.choice(self.ffn_dims) for _ in range(n)],
                    [rng.choice(self.heads) for _ in range(n)], [rng.choice(self.attention) for _ in range(n)])

    def contains(self, arch: Arch) -> bool:
        return (arch.embed_dim in self.embed_dims and arch.num_layers in self.layer_nums
                and set(arch.ffn_dims) <= set(self.ffn_dims) and set(arch.heads) <= set(self.heads)
                and set(arch.attention) <= set(self.attention))

    # genes, as mixFormer's evolution encodes architectures (`Converter.config2gene`)
    def gene_choices(self) -> list[list]:
        n = self.max_layers
        return ([self.embed_dims, self.layer_nums] + [self.ffn_dims] * n + [self.heads] * n
                + [self.attention] * n)

    def to_gene(self, arch: Arch) -> list:
        n, used = self.max_layers, arch.num_layers

        def fill(values: list) -> list:
            return [values[i] if i < used else values[0] for i in range(n)]

        return [arch.embed_dim, used] + fill(arch.ffn_dims) + fill(arch.heads) + fill(arch.attention)

    def from_gene(self, gene: list) -> Arch:
        n = self.max_layers
        used = gene[1]
        ffn, heads, attention = gene[2:2 + n], gene[2 + n:2 + 2 * n], gene[2 + 2 * n:2 + 3 * n]
        return Arch(gene[0], list(ffn[:used]), list(heads[:used]), list(attention[:used]))


@dataclass
class SupernetConfig:
    image_size: int = 224  # CIFAR-10 images resized to 224, as the original's classification task
    patch_size: int = 16
    in_chans: int = 3
    num_classes: int = 10
    head_dim: int = 64  # `change_qkv`: q/k/v width = heads x 64
    causal_cosformer: bool = True  # the original builds the image model's cosFormer with causal=True
    dropout: float = 0.0
    activation_dropout: float = 0.1  # fairseq's --relu-dropout
    attention_dropout: float = 0.0
    drop_path: float = 0.1
    # the original's cosFormer carries a position buffer of this length (`weight_index`, seq_len=4096); it
    # is counted in the original's sub-network parameter count
    cosformer_positions: int = 4096


@dataclass
class DataConfig:
    dataset: Literal["cifar10", "digits"] = "cifar10"
    root: str = field(default_factory=lambda: str(paths.dataset("cifar10")))
    augment: bool = True
    eval_batch_size: int = 256


@dataclass
class ArchFields:
    """A sub-network written inline (used when `arch_file` is empty)."""

    embed_dim: int = 384
    ffn_dims: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)

    def to_arch(self) -> Arch:
        return Arch(self.embed_dim, list(self.ffn_dims), list(self.heads), list(self.attention))


@dataclass
class NasConfig:
    mode: Literal["supernet", "subnet"] = "supernet"
    arch_file: str = ""
    arch: ArchFields = field(default_factory=ArchFields)
    space: SearchSpace = field(default_factory=SearchSpace)
    model: SupernetConfig = field(default_factory=SupernetConfig)
    data: DataConfig = field(default_factory=DataConfig)
    label_smoothing: float = 0.1
    train: TrainerConfig = field(default_factory=TrainerConfig)


@dataclass
class EvolutionConfig:
    """mixFormer/HAT's evolution: 30 generations of 125 = 25 parents + 50 mutants + 50 crossovers, p = 0.3."""

    generations: int = 30
    population_size: int = 125
    parent_size: int = 25
    mutation_size: int = 50
    crossover_size: int = 50
    mutation_prob: float = 0.3
    seed: int = 0
    max_draws: int = 100_000  # gives up if the constraint rejects this many candidates in a row

    def __post_init__(self) -> None:
        if self.population_size != self.parent_size + self.mutation_size + self.crossover_size:
            raise ValueError("population_size must equal parent_size + mutation_size + crossover_size")


@dataclass
class SearchOptions:
    constraint: Literal["latency", "flops"] = "latency"
    budget: float = 0.0  # ms or MACs; <= 0: the median over the measured sample
    # the original's second constraint (`--modelSize-constraint 25000000`, search_cifar_mix.sh): the
    # sub-network's `get_sampled_params_numel`; 0 turns it off
    max_parameters: int = 25_000_000
    latency_samples: int = 100
    latency_repeats: int = 10
    latency_warmup: int = 3  # untimed forward passes before each measured architecture
    eval_limit: int | None = None  # score on the first N validation images (None: all)


@dataclass
class TranslationModelConfig:
    """The translation supernet's fixed sizes and dropouts (the fairseq plugin fills it from its arguments)."""

    qkv_dim: int = 1024  # large.yml `qkv-dim`
    max_positions: int = 1024
    dropout: float = 0.3
    attention_dropout: float = 0.1
    activation_dropout: float = 0.1  # fairseq's --relu-dropout
