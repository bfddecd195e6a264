"""Evolutionary search under a cost constraint (mixFormer/HAT `Evolution.run_evo_search`).

Each generation keeps the `parent_size` best genes, then adds `mutation_size` mutants (each gene
slot re-drawn with probability `mutation_prob`) and `crossover_size` children (each slot from one of
two random parents); every new gene must satisfy the constraint, or it is drawn again. Defaults are
the original's: 30 generations, population 125 = 25 parents + 50 mutants + 50 crossovers, p = 0.3.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from tqdm import tqdm

from nas_efficient.arch import Arch
from nas_efficient.config import EvolutionConfig, SearchSpace


@dataclass
class SearchResult:
    best: Arch
    best_score: float
    history: list[list[float]] = field(default_factory=list)  # parents' scores per generation
    evaluated: dict[str, tuple[Arch, float]] = field(default_factory=dict)  # every scored arch, by JSON


def evolve(space: SearchSpace, score: Callable[[Arch], float], feasible: Callable[[Arch], bool],
           cfg: EvolutionConfig, progress: bool = True) -> SearchResult:
    """Maximise `score` over the architectures of `space` for which `feasible` holds."""
    rng = random.Random(cfg.seed)
    choices = space.gene_choices()
    cache: dict[str, tuple[Arch, float]] = {}

    def draw(make: Callable[[], list]) -> list:
        for _ in range(cfg.max_draws):
            gene = make()
            if feasible(space.from_gene(gene)):
                return gene
        raise RuntimeError(f"no architecture satisfied the constraint in {cfg.max_draws} draws")

    def scored(gene: list) -> float:
        arch = space.from_gene(gene)
        key = arch.to_json()
        if key not in cache:
            cache[key] = (arch, score(arch))
        return cache[key][1]

    def mutate(gene: list) -> list:
        return [rng.choice(choices[i]) if rng.random() < cfg.mutation_prob else g for i, g in enumerate(gene)]

    def crossover(a: list, b: list) -> list:
        return [x if rng.random() < 0.5 else y for x, y in zip(a, b, strict=True)]

    population = [draw(lambda: [rng.choice(c) for c in choices]) for _ in range(cfg.population_size)]
    history: list[list[float]] = []
    for _ in tqdm(range(cfg.generations), desc="evolution", disable=not progress):
        ranked = sorted(population, key=scored, reverse=True)
        parents = ranked[: cfg.parent_size]
        history.append([scored(g) for g in parents])
        mutants = [draw(lambda p=parents: mutate(rng.choice(p))) for _ in range(cfg.mutation_size)]
        children = [draw(lambda p=parents: crossover(*rng.sample(p, 2))) for _ in range(cfg.crossover_size)]
        population = parents + mutants + children
    best = max(population, key=scored)
    return SearchResult(space.from_gene(best), scored(best), history, cache)
