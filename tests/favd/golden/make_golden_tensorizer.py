# ruff: noqa
"""Run the original CaptionTensorizer and BertTokenizer (OpenNLPLab/FAVDBench at 061c3ea) on fixed paragraphs and
seeds; save the vocabulary, the inputs and every tensor it returns, as tensorizer_golden.pt.

    git --git-dir=<FAVDBench mirror> archive 061c3ea AVLFormer/src | tar x -C /tmp/favd_orig
    python tests/favd/golden/make_golden_tensorizer.py /tmp/favd_orig/AVLFormer tests/favd/golden/tensorizer_golden.pt

The tokenizer modules are loaded from the original files under one throwaway package, with import stubs for what
they import but do not call here (boto3, botocore, requests, six; src.utils.comm.is_main_process).
Draws: the original uses Python's global `random` (shuffle, random(), randint); it is seeded before each call.
"""
import importlib.util
import random
import sys
import tempfile
import types
from pathlib import Path

import torch

ORIG, OUT = Path(sys.argv[1]), Path(sys.argv[2])

# ---- stubs for imports the tokenizer code makes but does not use here
for name in ("boto3", "requests"):
    sys.modules[name] = types.ModuleType(name)
six = types.ModuleType("six"); six.PY2 = False; sys.modules["six"] = six  # only six.PY2 is read
botocore = types.ModuleType("botocore")
botocore.exceptions = types.ModuleType("botocore.exceptions")
botocore.exceptions.ClientError = Exception
sys.modules["botocore"], sys.modules["botocore.exceptions"] = botocore, botocore.exceptions
src = types.ModuleType("src"); src.__path__ = []
utils = types.ModuleType("src.utils"); utils.__path__ = []
comm = types.ModuleType("src.utils.comm"); comm.is_main_process = lambda: True
sys.modules.update({"src": src, "src.utils": utils, "src.utils.comm": comm})

pkg = types.ModuleType("origbert"); pkg.__path__ = [str(ORIG / "src" / "layers" / "bert")]
sys.modules["origbert"] = pkg


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


load("origbert.file_utils", ORIG / "src/layers/bert/file_utils.py")
load("origbert.tokenization_utils", ORIG / "src/layers/bert/tokenization_utils.py")
tok_mod = load("origbert.tokenization_bert", ORIG / "src/layers/bert/tokenization_bert.py")
ct = load("orig_caption_tensorizer", ORIG / "src/datasets/caption_tensorizer.py")

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = [".", ",", "'", "a", "an", "the", "man", "woman", "in", "red", "blue", "shirt", "is", "playing", "guitar",
         "on", "stage", "he", "has", "short", "black", "hair", "and", "wears", "glasses", "there", "are", "lights",
         "behind", "him", "music", "loud", "crowd", "cheers", "&", "dog", "barks", "rock", "roll", "##s", "##ing",
         "sing", "play", "loudly", "#", "smile", "happy", "people", "clap", "hands"]
VOCAB = SPECIAL + WORDS

TEXTS = [
    "A man in a red shirt is playing guitar on stage. He has short black hair and wears glasses. "
    "There are lights behind him. Loud rock music is playing and the crowd cheers.",
    "A dog barks. The woman sings loudly &amp; the people clap hands. Rock &#39;n&#39; roll is playing.",
    "The happy woman smiles \U0001F600 and sings \U0001F3B8. The crowd cheers.",
    "a man plays guitar.",
]
# (text index, seed, max_seq_len, mask_prob, max_masked_tokens): the paper's 0.25 / 75, a short limit that
# truncates the long paragraph, and a high mask rate that draws many random words
CASES = [(0, 0, 60, 0.25, 75), (0, 1, 24, 0.25, 75), (1, 2, 40, 0.5, 20), (2, 3, 40, 0.25, 75), (3, 4, 12, 0.9, 10),
         (1, 5, 40, 0.9, 40), (0, 6, 60, 0.9, 60),
         (0, 34, 60, 0.9, 60)]  # seed 34 draws the id one past the vocabulary: the original turns it into [UNK]
IMG = 7

with tempfile.TemporaryDirectory() as tmp:
    vocab_file = Path(tmp) / "vocab.txt"
    vocab_file.write_text("\n".join(VOCAB) + "\n")
    tokenizer = tok_mod.BertTokenizer(str(vocab_file), do_lower_case=True)
    cases = []
    for text_i, seed, max_len, prob, max_masked in CASES:
        tz = ct.CaptionTensorizer(tokenizer, max_img_seq_length=IMG, max_seq_length=max_len, max_seq_a_length=max_len,
                                  mask_prob=prob, max_masked_tokens=max_masked, attn_mask_type="learn_vid_att",
                                  is_train=True, text_mask_type="random")
        random.seed(seed)
        out = tz.tensorize_example_e2e(TEXTS[text_i], torch.zeros(1), torch.zeros(1))
        input_ids, attention_mask, segment_ids, _, _, masked_pos, mlm_targets, input_token_ids, output_token_ids = out
        cases.append({"text": text_i, "seed": seed, "max_seq_length": max_len, "mask_prob": prob,
                      "max_masked_tokens": max_masked, "input_ids": input_ids,
                      "attention_mask": attention_mask.to(torch.uint8),
                      "token_type_ids": segment_ids, "masked_pos": masked_pos.long(), "masked_ids": mlm_targets,
                      "output_token_ids": output_token_ids,
                      "tokens": tokenizer.tokenize(tz.prepro_raw_txt(TEXTS[text_i]))})
    test_tz = ct.CaptionTensorizer(tokenizer, max_img_seq_length=IMG, max_seq_length=20, max_seq_a_length=20,
                                   is_train=False, attn_mask_type="learn_vid_att")
    test = test_tz.tensorize_example_e2e("", torch.zeros(1), torch.zeros(1))
    decoded = [tokenizer.decode(ids, skip_special_tokens=True) for ids in
               ([2, 6, 7, 1, 16, 15, 0, 3], [2, 6, 1, 12, 13, 42, 4, 0, 3], [41, 42, 11, 43, 0])]

torch.save({"vocab": VOCAB, "texts": TEXTS, "img_seq_len": IMG, "cases": cases,
            "test": {"input_ids": test[0], "attention_mask": test[1].to(torch.uint8), "masked_pos": test[5].long(),
                     "max_seq_length": 20},
            "decode": {"ids": [[2, 6, 7, 1, 16, 15, 0, 3], [2, 6, 1, 12, 13, 42, 4, 0, 3], [41, 42, 11, 43, 0]],
                       "text": decoded}}, OUT)
print(f"wrote {OUT}: {len(cases)} training cases")
