import math

import pytest
import torch

from shared.lm import LMBlocks
from tnn.data import DataError, load_dictionary, load_tokens
from tnn.metrics import avg_nll_base2, perplexity, unigram_perplexity
from tnn.synthetic import generate_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return generate_corpus(tmp_path_factory.mktemp("corpus"), words=20,
                           tokens={"train": 2000, "valid": 300, "test": 300}, seed=1)


def test_generated_corpus_reads_back_through_fairseq_layout(corpus):
    d = load_dictionary(corpus)
    assert len(d) == 24 and d.pad() == 1 and d.eos() == 2
    tokens = load_tokens(corpus, "train", len(d))
    assert tokens.numel() >= 2000 and tokens.min() >= 2 and tokens.max() < len(d)
    assert (tokens == d.eos()).sum() > 50  # every line ends with </s>


def test_blocks_cover_every_target_once(corpus):
    tokens = load_tokens(corpus, "test")
    blocks = LMBlocks(tokens, 64, eos=2)
    targets = torch.cat([blocks[i]["target"] for i in range(len(blocks))])
    assert torch.equal(targets, tokens)  # as fairseq-eval-lm: the first token too, predicted from </s>
    assert blocks[0]["tokens"][0] == 2 and torch.equal(blocks[0]["tokens"][1:], tokens[:63])
    assert torch.equal(blocks[1]["tokens"][0], tokens[63]) and torch.equal(blocks[1]["target"][0], tokens[64])


def test_missing_and_malformed_files_name_the_file(corpus, tmp_path):
    with pytest.raises(DataError, match=r"valid\.bin: missing"):
        load_tokens(tmp_path, "valid")
    with pytest.raises(DataError, match=r"dict\.txt: missing"):
        load_dictionary(tmp_path)
    (tmp_path / "dict.txt").write_text("only-a-symbol-without-count\n")
    with pytest.raises(DataError, match=r"dict\.txt"):
        load_dictionary(tmp_path)
    with pytest.raises(DataError, match=r"token id .* >= dictionary size 10"):
        load_tokens(corpus, "train", vocab_size=10)


def test_perplexity_matches_fairseq_reporting():
    from fairseq.logging.meters import safe_round
    from fairseq.utils import get_perplexity

    nll_sum, ntok = 1234.5, 600  # summed NLL in nats over the split's targets
    # fairseq_cli/eval_lm.py: avg_nll_loss = -score_sum / count / math.log(2); ppl = 2 ** avg_nll_loss
    avg = nll_sum / ntok / math.log(2)
    assert avg_nll_base2(nll_sum, ntok) == pytest.approx(avg)
    assert perplexity(nll_sum, ntok) == pytest.approx(2**avg)
    assert safe_round(perplexity(nll_sum, ntok), 2) == pytest.approx(float(get_perplexity(avg, round=2, base=2)))
    assert perplexity(0.0, 10) == 1.0  # all-correct: certain predictions
    assert perplexity(1e6, 1) == float("inf")  # overflow, as fairseq's get_perplexity
    assert perplexity(1.0, 0) == 1.0  # eval_lm: nothing scored, loss 0
    with pytest.raises(ValueError, match="num_tokens"):
        avg_nll_base2(1.0, 0)


def test_unigram_baseline_of_uniform_tokens_is_the_vocabulary_size():
    train = torch.arange(10).repeat(100)
    test = torch.arange(10).repeat(5)
    assert unigram_perplexity(train, test, 10) == pytest.approx(10.0)
