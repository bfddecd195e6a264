"""AVLFormer against the original code's outputs (golden/avlformer_tiny.pt, made by golden/make_golden_avlformer.py):
same weights (converted from the original's state dict), same inputs, fp32, max abs diff <= 1e-4."""

from pathlib import Path

import pytest
import torch

from favd.convert import convert_state_dict
from favd.model import AVLFormer, _beam_search, _greedy

GOLDEN = torch.load(Path(__file__).parent / "golden" / "avlformer_tiny.pt", weights_only=False)
TOL = 1e-4
GEN_LEN = GOLDEN["gen_mask"].shape[1] - 39  # text positions of the test-time mask (39 media tokens)


@pytest.fixture
def model(golden_cfg) -> AVLFormer:
    m = AVLFormer(golden_cfg)
    state = {k: v.float() for k, v in GOLDEN["state_dict"].items()}
    m.load_state_dict(convert_state_dict(state, m.state_dict()), strict=True)
    return m.eval()


def test_media_tokens_match_original(model: AVLFormer) -> None:
    x, o = GOLDEN["inputs"], GOLDEN["outputs"]
    with torch.no_grad():
        vid = model.swin(x["frames"].permute(0, 2, 1, 3, 4))
        torch.manual_seed(5)  # structured patchout draws its rows/columns from the global stream, as the original
        aud = model.norm(model.passt(x["audio"]))
    assert (vid - o["swin_out"]).abs().max() <= TOL
    assert (aud - o["audio_tokens"]).abs().max() <= TOL


def test_logits_match_original(model: AVLFormer) -> None:
    x, o = GOLDEN["inputs"], GOLDEN["outputs"]
    with torch.no_grad():
        torch.manual_seed(5)
        logits = model(x["input_ids"], x["attention_mask"], x["frames"], x["audio"], x["token_type_ids"])
    assert logits.shape == o["logits"].shape
    assert (logits - o["logits"]).abs().max() <= TOL


def test_losses_match_original(model: AVLFormer) -> None:
    x, o = GOLDEN["inputs"], GOLDEN["outputs"]
    with torch.no_grad():
        torch.manual_seed(5)
        loss, logs = model.loss(x)
    assert abs(logs["lm_loss"] - o["lm_loss"]) <= TOL
    assert abs(logs["mask_loss"] - o["mask_loss"]) <= TOL
    assert abs(logs["loss_sparsity"] - o["sparsity"]) <= TOL
    # the original adds the sparsity term in its training loop: loss + loss_sparse_w * sparsity
    assert abs(loss - (o["loss"] + 0.5 * o["sparsity"])) <= TOL


def test_greedy_generation_matches_original(model: AVLFormer) -> None:
    x, o = GOLDEN["inputs"], GOLDEN["outputs"]
    torch.manual_seed(5)
    ids, logprob = model.generate(x["frames"], x["audio"], GOLDEN["gen_mask"], max_length=GEN_LEN, bos_token_id=1,
                                  eos_token_id=2, pad_token_id=0, mask_token_id=3)
    assert ids.tolist() == o["gen_ids"].tolist()
    assert (logprob - o["gen_logprob"]).abs().max() <= TOL


def test_converter_strips_wrappers_and_rejects_mismatches(model: AVLFormer) -> None:
    own = model.state_dict()
    wrapped = {"module." + k: v for k, v in GOLDEN["state_dict"].items()}
    assert set(convert_state_dict({"model": wrapped}, own)) == set(own)
    broken = dict(GOLDEN["state_dict"])
    broken.pop("fc.weight")
    with pytest.raises(KeyError, match="fc.weight"):
        convert_state_dict(broken, own)
    bad_shape = dict(GOLDEN["state_dict"])
    bad_shape["fc.bias"] = torch.zeros(3)
    with pytest.raises(ValueError, match="fc.bias"):
        convert_state_dict(bad_shape, own)


def test_training_mode_runs_and_backpropagates(golden_cfg) -> None:
    x = GOLDEN["inputs"]
    m = AVLFormer(golden_cfg).train()
    loss, _ = m.loss(x)
    loss.backward()
    assert torch.isfinite(loss)
    assert m.learn_vid_att.weight.grad is not None and m.swin.backbone.patch_embed.proj.weight.grad is not None
    assert m.passt.net.patch_embed.proj.weight.grad is not None


def test_cached_media_generation_equals_full_recomputation(model: AVLFormer) -> None:
    x = GOLDEN["inputs"]
    outs = []
    for cache in (True, False):
        torch.manual_seed(5)
        outs.append(model.generate(x["frames"], x["audio"], GOLDEN["gen_mask"], max_length=GEN_LEN, bos_token_id=1,
                                   eos_token_id=2, pad_token_id=0, mask_token_id=3, cache_media=cache))
    assert outs[0][0].tolist() == outs[1][0].tolist()
    assert (outs[0][1] - outs[1][1]).abs().max() <= TOL


def test_beam_search_matches_original(model: AVLFormer) -> None:
    x, o = GOLDEN["inputs"], GOLDEN["outputs"]
    torch.manual_seed(5)
    ids, score = model.generate(x["frames"], x["audio"], GOLDEN["gen_mask"], max_length=GEN_LEN, bos_token_id=1,
                                eos_token_id=2, pad_token_id=0, mask_token_id=3, num_beams=3)
    assert ids.tolist() == o["beam_ids"].tolist()
    assert (score - o["beam_score"]).abs().max() <= TOL


def test_beam_and_greedy_search_on_a_toy_scorer_match_original() -> None:
    """Logits from a table indexed by (position, last token): beam search and greedy decoding disagree here."""
    o = GOLDEN["outputs"]
    table = o["toy_table"]
    length = table.shape[0]

    def next_logits(ids: torch.Tensor) -> torch.Tensor:
        return table[ids.shape[1] - 1, ids[:, -1]]

    start = torch.tensor([[1], [4]])
    ids, score = _beam_search(next_logits, start.repeat_interleave(3, 0), 2, 3, length, 2, 0, 1.0)
    assert ids.tolist() == o["toy_beam_ids"].tolist()
    assert (score - o["toy_beam_score"]).abs().max() <= TOL
    ids, lp = _greedy(next_logits, start, length, 2, 0)
    assert ids.tolist() == o["toy_greedy_ids"].tolist()
    assert (lp - o["toy_greedy_logprob"]).abs().max() <= TOL
    assert o["toy_beam_ids"].tolist() != o["toy_greedy_ids"].tolist()


def test_video_only_variant_runs(golden_cfg) -> None:
    golden_cfg.use_audio, golden_cfg.max_img_seq_length = False, 32  # 2 x 4 x 4 video tokens
    m = AVLFormer(golden_cfg).eval()
    x = dict(GOLDEN["inputs"])
    keep = list(range(12 + 32))
    x["attention_mask"] = x["attention_mask"][:, keep][:, :, keep]
    loss, _ = m.loss(x)
    assert torch.isfinite(loss) and m.passt is None


def test_every_trainable_parameter_gets_a_gradient(golden_cfg) -> None:
    """DDP (without find_unused_parameters) needs a gradient for every parameter that requires one."""
    m = AVLFormer(golden_cfg).train()
    loss, _ = m.loss(GOLDEN["inputs"])
    loss.backward()
    missing = [n for n, p in m.named_parameters() if p.requires_grad and p.grad is None]
    assert missing == []
