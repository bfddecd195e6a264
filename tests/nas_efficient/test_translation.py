import json
import random

import pytest
import torch

from nas_efficient import translation_pipeline, translation_search
from nas_efficient.config import EvolutionConfig
from nas_efficient.super_modules import SuperSelfAttention
from nas_efficient.translation_arch import TranslationArch, TranslationSearchSpace, standalone_space, tiny_space
from nas_efficient.translation_model import TranslationModelConfig, TranslationSupernet, count_parameters

QUIET = TranslationModelConfig(qkv_dim=48, max_positions=64, dropout=0.0, attention_dropout=0.0, activation_dropout=0.0)


def tiny_supernet(seed: int = 0) -> TranslationSupernet:
    torch.manual_seed(seed)
    return TranslationSupernet(30, 1, tiny_space(), QUIET).eval()


@pytest.mark.parametrize("space", [TranslationSearchSpace(), tiny_space()], ids=["wmt14", "tiny"])
def test_genes_round_trip_and_samples_stay_in_the_space(space) -> None:
    rng = random.Random(0)
    choices = space.gene_choices()
    for _ in range(50):
        arch = space.sample(rng)
        gene = space.to_gene(arch)
        assert space.contains(arch) and space.from_gene(gene) == arch
        assert len(gene) == len(choices) and all(g in c for g, c in zip(gene, choices, strict=True))
    assert len(arch.features()) == 12


def test_arch_rejects_bad_descriptions(tmp_path) -> None:
    good = tiny_space().largest()
    with pytest.raises(ValueError, match="attention"):
        TranslationArch(**{**json.loads(good.to_json()), "encoder_attention": ["softmax", "linear"]})
    with pytest.raises(ValueError, match="cross link"):
        TranslationArch(**{**json.loads(good.to_json()), "decoder_cross_links": [2, 2]})
    (tmp_path / "a.json").write_text('{"encoder_embed_dim": 8}')
    with pytest.raises(ValueError, match="a.json"):
        TranslationArch.load(tmp_path / "a.json")
    assert TranslationArch.load(good.save(tmp_path / "b.json")) == good


def test_wmt_supernet_parameter_count() -> None:
    """large.yml's SuperTransformer (embed 1024, FFN 5120, 6+6 layers, qkv 1024), one attention type, a
    32k joined vocabulary: the module's parameters equal the closed-form count of the largest sub-network."""
    space = TranslationSearchSpace(attention=["softmax"])
    with torch.device("meta"):
        model = TranslationSupernet(32768, 1, space, TranslationModelConfig())
    largest = space.largest()
    assert sum(p.numel() for p in model.parameters()) == count_parameters(model, largest, 32768)
    e, f = 1024, 5120
    attention, ffn = 4 * e * e + 4 * e, 2 * e * f + f + e
    by_hand = 32768 * e + 6 * (attention + ffn + 4 * e) + 6 * (2 * attention + ffn + 6 * e) + 4 * e
    assert by_hand == 235_094_016 == count_parameters(model, largest, 32768)


@pytest.mark.parametrize("kind", ["cosformer", "softmax"])
def test_decoder_is_causal_and_source_padding_is_ignored(kind) -> None:
    model = tiny_supernet()
    arch = TranslationArch(48, 48, [96, 64], [4, 2], [kind, kind], [96, 64], [2, 4], [4, 2], [-1, 1], [kind, kind])
    src, prev = torch.randint(4, 30, (2, 6)), torch.randint(4, 30, (2, 5))
    out = model(src, prev, arch)
    changed = prev.clone()
    changed[:, 3:] = 7
    assert torch.allclose(model(src, changed, arch)[:, :3], out[:, :3], atol=1e-6)
    if kind == "softmax":  # cosFormer's θ depends on the padded length, softmax sees no difference
        padded = torch.cat([torch.ones(2, 3, dtype=torch.long), src], dim=1)  # fairseq left-pads sources
        assert torch.allclose(model(padded, prev, arch), out, atol=1e-5)


def test_cosformer_padding_keys_contribute_nothing() -> None:
    torch.manual_seed(0)
    attn = SuperSelfAttention(16, 16, "cosformer").eval()
    x = torch.randn(1, 5, 16)
    padded = torch.cat([x, torch.randn(1, 3, 16)], dim=1)  # right padding, junk in the padded slots
    mask = torch.tensor([[False] * 5 + [True] * 3])
    out = attn(padded, 2, 8, key_padding_mask=mask)[:, :5]
    assert torch.allclose(out, attn(x, 2, 8, length=8), atol=1e-6)


def test_subnetwork_equals_standalone_network_with_sliced_weights() -> None:
    model = tiny_supernet()
    arch = tiny_space().sample(random.Random(3))
    alone = TranslationSupernet(30, 1, standalone_space(arch), QUIET).eval()
    shared = model.state_dict()
    alone.load_state_dict({k: shared[k][tuple(slice(0, n) for n in v.shape)] for k, v in alone.state_dict().items()})
    src, prev = torch.randint(4, 30, (2, 6)), torch.randint(4, 30, (2, 5))
    assert torch.allclose(alone(src, prev, arch), model(src, prev, arch), atol=1e-5)


def test_fairseq_train_generate_beats_copying_and_search_beats_random(tmp_path) -> None:
    """fairseq-preprocess -> fairseq-train (supernet, one sampled sub-network per update) -> fairseq-generate
    -> sacrebleu, then the evolutionary search on the trained supernet."""
    results = translation_pipeline.smoke(tmp_path, updates=400, run_search=True)
    assert results["sentences"] == 100
    assert results["baseline"] < 10 and results["ours"] > results["baseline"] + 50
    found = results["search"]
    assert found["params"] <= found["budget"] and found["valid_loss"] <= found["random_valid_loss"]
    assert TranslationArch.load(tmp_path / "best_arch.json") == TranslationArch(**found["arch"])
    summary = translation_search.run(tmp_path / "supernet" / "checkpoint_last.pt", tmp_path / "data-bin",
                                     tmp_path / "search", "latency", 0.0, EvolutionConfig(2, 10, 2, 4, 4), "src", "tgt",
                                     100, 6)
    assert summary["cost"] <= summary["budget"] and (tmp_path / "search" / "pareto.png").stat().st_size > 0
    assert "| cost | valid_loss | arch |" in (tmp_path / "search" / "pareto.md").read_text()


def test_fairseq_nas_samples_per_update_fixes_subnets_and_decodes_the_last_position(tmp_path) -> None:
    from argparse import Namespace

    from fairseq.data import Dictionary

    from nas_efficient import fairseq_nas as plugin

    vocab = Dictionary()
    for i in range(20):
        vocab.add_symbol(f"w{i}")
    task = Namespace(source_dictionary=vocab, target_dictionary=vocab)
    args = Namespace(max_source_positions=64, max_target_positions=64)
    plugin.mixformer_tiny(args)
    model = plugin.MixFormerTranslationModel.build_model(args, task)
    draws = []
    for update in (5, 6, 5):
        model.set_num_updates(update)
        draws.append(model.state.current(training=True))
    assert draws[0] == draws[2] != draws[1] and model.state.current(training=False) == tiny_space().largest()
    arch = tiny_space().sample(random.Random(2))
    fixed_args = Namespace(**{**vars(args), "subnet_arch": str(arch.save(tmp_path / "a.json")), "subnet_standalone": True})
    fixed = plugin.MixFormerTranslationModel.build_model(fixed_args, task)
    fixed.set_num_updates(9)
    assert fixed.state.current(training=True) == arch and fixed.supernet.space == standalone_space(arch)
    # the checkpoint's arguments keep the architecture itself, not the file's path
    assert fixed_args.subnet_arch.startswith("{") and plugin.load_arch(fixed_args.subnet_arch) == arch
    model.eval()
    src, prev = torch.randint(4, len(vocab), (2, 6)), torch.randint(4, len(vocab), (2, 5))
    full, _ = model(src, torch.tensor([6, 6]), prev)
    step, _ = model.decoder(prev, model.encoder(src), incremental_state={})
    assert torch.allclose(step[:, 0], full[:, -1], atol=1e-6)
    order = torch.tensor([1, 0])
    reordered = model.encoder.reorder_encoder_out(model.encoder(src), order)
    assert torch.allclose(model.decoder(prev[order], reordered)[0], full[order], atol=1e-6)


@pytest.mark.parametrize("kind", ["cosformer", "softmax"])
def test_mixed_precision_forward_and_backward_as_the_fp16_wmt_recipe(kind) -> None:
    """The WMT recipe trains in fp16 (fairseq); under CPU bf16 autocast both attentions run forward and backward
    and stay close to fp32."""
    model = tiny_supernet().train()
    arch = TranslationArch(48, 48, [96, 64], [4, 2], [kind, kind], [96, 64], [2, 4], [4, 2], [-1, 1], [kind, kind])
    src, prev = torch.randint(4, 30, (2, 6)), torch.randint(4, 30, (2, 5))
    reference = model.eval()(src, prev, arch).float()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = model(src, prev, arch)
    assert out.dtype == torch.bfloat16
    scale = reference.abs().max()
    assert (out.float() - reference).abs().max() < 0.05 * scale
    model.train()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = model(src, prev, arch).float().logsumexp(-1).mean()
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)
