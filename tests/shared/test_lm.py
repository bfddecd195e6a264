"""shared.lm scores exactly what fairseq-eval-lm scores, with fairseq's own dataset classes as the reference."""

from __future__ import annotations

import math

import pytest
import torch

from shared.lm import (
    LMBlocks,
    eval_lm_perplexity,
    evaluate_ppl,
    lm_loss,
    perplexity,
    training_step_times,
    unigram_perplexity,
)

fairseq_data = pytest.importorskip("fairseq.data")
EOS, PAD = 2, 1


def fairseq_blocks(lines: list[torch.Tensor], length: int) -> torch.utils.data.Dataset:
    """What fairseq's language_modeling task builds for --sample-break-mode none (load_dataset)."""
    dictionary = fairseq_data.Dictionary()
    for i in range(40):
        dictionary.add_symbol(f"w{i}")
    sizes = [len(line) for line in lines]
    blocks = fairseq_data.TokenBlockDataset(lines, sizes, length, pad=PAD, eos=EOS, break_mode="none",
                                            include_targets=True)
    return fairseq_data.MonolingualDataset(blocks, blocks.sizes, dictionary, dictionary, add_eos_for_other_targets=False,
                                           shuffle=False, targets=["future"], add_bos_token=False)


def corpus(seed: int = 0) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.cat([torch.randint(4, 44, (int(torch.randint(3, 30, (1,), generator=g)),), generator=g),
                       torch.tensor([EOS])]) for _ in range(23)]


class TinyLM(torch.nn.Module):
    """A causal model whose logits depend on the token and on its predecessor (so a shift shows)."""

    def __init__(self, vocab: int = 44) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(1)
        self.a = torch.nn.Parameter(torch.randn(vocab, vocab, generator=g))
        self.b = torch.nn.Parameter(torch.randn(vocab, vocab, generator=g))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        prev = torch.cat([tokens.new_full((tokens.shape[0], 1), PAD), tokens[:, :-1]], dim=1)
        return self.a[tokens] + 0.5 * self.b[prev]


@pytest.mark.parametrize("length", [7, 16, 64])
def test_blocks_equal_fairseqs_blocks(length: int) -> None:
    lines = corpus()
    ours = LMBlocks(torch.cat(lines), length, EOS)
    theirs = fairseq_blocks(lines, length)
    assert len(ours) == len(theirs)
    for i in range(len(ours)):
        assert torch.equal(ours[i]["tokens"], theirs[i]["source"]), i
        assert torch.equal(ours[i]["target"], theirs[i]["target"]), i


@pytest.mark.parametrize("length", [7, 64])
def test_perplexity_equals_eval_lm_on_fairseqs_batches(length: int) -> None:
    """fairseq_cli/eval_lm.py: the log-probabilities of every non-pad target of fairseq's collated batches,
    summed, / count / ln 2, then 2 ** that."""
    lines = corpus(3)
    model = TinyLM().eval()
    theirs = fairseq_blocks(lines, length)
    score, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(theirs), 3):
            batch = theirs.collater([theirs[i] for i in range(start, min(start + 3, len(theirs)))])
            lprobs = model(batch["net_input"]["src_tokens"]).log_softmax(-1)
            target = batch["target"]
            scores = lprobs.gather(-1, target.unsqueeze(-1)).squeeze(-1)[target.ne(PAD)]
            score += float(scores.sum())
            count += scores.numel()
    expected = 2 ** (-score / count / math.log(2))
    ours = evaluate_ppl(model, LMBlocks(torch.cat(lines), length, EOS), batch_size=3, device="cpu")
    assert count == torch.cat(lines).numel()  # every token is scored once
    assert abs(ours - expected) <= 1e-6 * expected


def test_training_blocks_are_full_and_the_loss_is_the_mean_nll() -> None:
    stream = torch.cat(corpus())
    blocks = LMBlocks(stream, 16, EOS, full_only=True)
    assert len(blocks) == stream.numel() // 16 and all(len(blocks[i]["target"]) == 16 for i in range(len(blocks)))
    batch = {k: torch.stack([blocks[i][k] for i in range(4)]) for k in ("tokens", "target")}
    model = TinyLM()
    loss, logs = lm_loss(model, batch)
    expected = torch.nn.functional.cross_entropy(model(batch["tokens"]).flatten(0, 1), batch["target"].flatten())
    assert logs["ntokens"] == 64 and abs(float(loss) - float(expected)) <= 1e-6 * float(expected)


def test_unigram_baseline_scores_every_test_token() -> None:
    train = torch.tensor([4, 4, 4, 5])
    test = torch.tensor([4, 5])
    # add-one counts over 6 symbols: p(4) = 4/10, p(5) = 2/10
    assert unigram_perplexity(train, test, 6) == pytest.approx(math.exp(-(math.log(0.4) + math.log(0.2)) / 2))
    assert unigram_perplexity(torch.arange(10).repeat(100), torch.arange(10), 10) == pytest.approx(10.0)


def test_perplexity_reports_as_fairseq() -> None:
    assert perplexity(1234.5, 600) == pytest.approx(math.exp(1234.5 / 600))
    assert perplexity(0.0, 0) == 1.0  # eval_lm: no token scored, loss 0
    assert perplexity(1e6, 1) == float("inf")


def test_bad_streams_are_refused() -> None:
    with pytest.raises(ValueError, match="non-empty 1-D"):
        LMBlocks(torch.zeros(0, dtype=torch.long), 4, EOS)
    with pytest.raises(ValueError, match="no full block"):
        LMBlocks(torch.arange(5), 8, EOS, full_only=True)


def test_training_step_times_train_the_model() -> None:
    model = TinyLM()
    before = model.a.detach().clone()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    times = training_step_times(model, optimizer, batch_size=2, length=8, vocab_size=44, device=torch.device("cpu"),
                                steps=2, clip_grad_norm=1.0)
    assert len(times) == 2 and all(t > 0 for t in times)
    assert not torch.equal(model.a, before)  # three optimizer steps (one untimed) changed the weights


def test_eval_lm_output_is_read() -> None:
    out = "... | valid | loss 3.1\n2026 | INFO | fairseq_cli.eval_lm | Loss (base 2): 4.1090, Perplexity: 17.25\n"
    assert eval_lm_perplexity(out) == 17.25
    with pytest.raises(RuntimeError, match="printed no perplexity"):
        eval_lm_perplexity("Traceback ...")
