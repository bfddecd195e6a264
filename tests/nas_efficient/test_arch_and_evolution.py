import random

import pytest

from nas_efficient.arch import Arch
from nas_efficient.config import EvolutionConfig, SearchSpace
from nas_efficient.cost import LatencyPredictor, flops
from nas_efficient.evolution import evolve

SPACE = SearchSpace([8, 12, 16], [1, 2, 3], [16, 24, 32], [1, 2], ["cosformer", "softmax"])


def test_gene_round_trip_and_original_layout() -> None:
    arch = Arch(12, [24, 16], [2, 1], ["cosformer", "softmax"])
    gene = SPACE.to_gene(arch)
    # [embed, layers, ffn x 3, heads x 3, attention x 3]; unused slots repeat layer 0 (config2gene)
    assert gene == [12, 2, 24, 16, 24, 2, 1, 2, "cosformer", "softmax", "cosformer"]
    assert SPACE.from_gene(gene) == arch


def test_features_are_the_originals_five() -> None:
    arch = Arch(12, [24, 16], [2, 1], ["cosformer", "softmax"])
    # embed, layers, mean ffn, mean heads, mean attn_cal code (cosFormer 1, softmax 2)
    assert arch.features() == [12.0, 2.0, 20.0, 1.5, 1.5]


def test_sampling_stays_in_the_space() -> None:
    rng = random.Random(0)
    assert all(SPACE.contains(SPACE.sample(rng)) for _ in range(50))
    assert not SPACE.contains(Arch(64, [16], [1], ["softmax"]))


def test_bad_architectures_are_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="one entry per layer"):
        Arch(8, [16, 16], [1], ["softmax"])
    with pytest.raises(ValueError, match="unknown attention"):
        Arch(8, [16], [1], ["linear"])
    bad = tmp_path / "arch.json"
    bad.write_text('{"embed_dim": 8}')
    with pytest.raises(ValueError, match="arch.json: not an architecture file"):
        Arch.load(bad)


def cost(arch: Arch) -> float:
    return float(flops(arch, num_tokens=17, head_dim=4, num_classes=10, patch_pixels=4))


def test_evolution_finds_the_best_feasible_architecture() -> None:
    """Score = FLOPs (bigger is better) under a FLOPs budget: the optimum sits on the budget line."""
    budget = 0.5 * cost(SPACE.largest())
    result = evolve(SPACE, cost, lambda a: cost(a) <= budget, EvolutionConfig(15, 40, 10, 15, 15, seed=0), False)
    assert cost(result.best) <= budget
    assert all(cost(a) <= budget for a, _ in result.evaluated.values())
    # near the best a random search of many more samples finds
    rng = random.Random(1)
    feasible = [c for c in (cost(SPACE.sample(rng)) for _ in range(3000)) if c <= budget]
    assert result.best_score >= 0.97 * max(feasible)
    # parents only improve
    best_per_generation = [h[0] for h in result.history]
    assert best_per_generation == sorted(best_per_generation)


def test_evolution_is_deterministic_for_a_seed() -> None:
    cfg = EvolutionConfig(3, 12, 4, 4, 4, seed=3)
    a = evolve(SPACE, cost, lambda x: True, cfg, False)
    b = evolve(SPACE, cost, lambda x: True, cfg, False)
    assert a.best == b.best and a.history == b.history


def test_cosformer_is_cheaper_than_softmax_for_long_sequences() -> None:
    soft, cos = Arch(16, [32], [2], ["softmax"]), Arch(16, [32], [2], ["cosformer"])
    long = dict(num_tokens=1025, head_dim=8, num_classes=10, patch_pixels=4)
    assert flops(cos, **long) < 0.5 * flops(soft, **long)


def test_latency_predictor_learns_a_monotone_cost() -> None:
    rng = random.Random(0)
    archs = [SPACE.sample(rng) for _ in range(60)]
    latencies = [cost(a) / 1e4 for a in archs]
    predictor = LatencyPredictor().fit(archs[:48], latencies[:48])
    pred = predictor.predict(archs[48:])
    from scipy.stats import kendalltau

    assert kendalltau(pred, latencies[48:]).statistic > 0.6
    with pytest.raises(ValueError, match="at least 4"):
        LatencyPredictor().fit(archs[:2], latencies[:2])
