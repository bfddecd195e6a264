"""FAVDBench metrics: BLEU-1..4, METEOR, ROUGE-L, CIDEr (pycocoevalcap), EntityScore and AudioScore.

- `caption_metrics`: what the original `src/evalcap/utils_caption_evaluate.py::evaluate_on_coco_caption`
  reports through COCOEvalCap (PTB tokenisation, then Bleu(4), Meteor, Rouge, Cider), less SPICE, which
  needs Stanford CoreNLP downloaded at run time.
- EntityScore: `Metrics/EntityScore/score.py` (`compute_entity_score`, `entity_avg`, `semantic_avg`,
  `compute_cosine_similarity`), with the noun extractor and the T5 encoder passed in.
- AudioScore: `Metrics/AudioScore/score.py` (`scale`) and `model/trilip.py` (`TriLip.forward`), see
  `favd.audioscore` for the model.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

# ----------------------------------------------------------------------------------------------
# BLEU, METEOR, ROUGE-L, CIDEr


def caption_metrics(predictions: dict[str, str], references: dict[str, list[str]], meteor: bool = True
                    ) -> dict[str, float]:
    """Corpus scores over the ids of `predictions` (as COCOEvalCap with params['image_id'] = result ids)."""
    missing = [k for k in predictions if k not in references]
    if missing:
        raise KeyError(f"no reference for prediction ids {missing[:5]}")
    with contextlib.redirect_stdout(io.StringIO()):  # the scorers print their internals
        return _caption_metrics(predictions, references, meteor)


def _caption_metrics(predictions: dict[str, str], references: dict[str, list[str]], meteor: bool) -> dict[str, float]:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    ids = list(predictions)
    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize({i: [{"caption": c} for c in references[i]] for i in ids})
    res = tokenizer.tokenize({i: [{"caption": predictions[i]}] for i in ids})
    out: dict[str, float] = {}
    bleu, _ = Bleu(4).compute_score(gts, res)
    out.update({f"Bleu_{n + 1}": float(b) for n, b in enumerate(bleu)})
    if meteor:
        from pycocoevalcap.meteor.meteor import Meteor

        out["METEOR"] = float(Meteor().compute_score(gts, res)[0])
    out["ROUGE_L"] = float(Rouge().compute_score(gts, res)[0])
    out["CIDEr"] = float(Cider().compute_score(gts, res)[0])
    return out


# ----------------------------------------------------------------------------------------------
# EntityScore

NounExtractor = Callable[[str], list[str]]
# words -> (hidden (n, L, d), padded to a common L as the original's pad_input_ids)
WordEncoder = Callable[[list[str], list[str]], tuple[torch.Tensor, torch.Tensor]]


def entity_recall(pred: Sequence[str], ref: Sequence[str]) -> float:
    """`entity_avg`: (predicted nouns found among the reference nouns) / (reference nouns); the original calls it
    precision, the paper R."""
    if len(ref) == 0:
        return 0
    return sum(1 for n in pred if n in ref) / len(ref)


def entity_comprehensiveness(pred_hidden: torch.Tensor, ref_hidden: torch.Tensor) -> float:
    """`compute_cosine_similarity`: for each predicted word, the best (cos + 1) / 2 over reference words,
    where cos is the per-position cosine of the two encoder outputs averaged over all (padded) positions;
    capped at 1, averaged over predicted words. pred_hidden (p, L, d), ref_hidden (r, L, d)."""
    sims = (F.cosine_similarity(pred_hidden[:, None], ref_hidden[None], dim=-1).mean(-1) + 1) / 2  # p, r
    # the original converts each score with .item() (float64 from then on)
    best = [min(max(float(v) for v in row), 1.0) for row in sims]
    return sum(best) / len(best)


def entity_score_from_nouns(pred_nouns: Sequence[str], ref_nouns: Sequence[str], encode: WordEncoder) -> float:
    """`compute_entity_score` after noun extraction; -1 when either side has no noun (skipped by the mean)."""
    if len(pred_nouns) == 0 or len(ref_nouns) == 0:
        return -1
    pred_h, ref_h = encode(list(pred_nouns), list(ref_nouns))
    comprehensiveness = entity_comprehensiveness(pred_h, ref_h)
    recall = entity_recall(pred_nouns, ref_nouns) + 1e-4  # the original's guard against division by zero
    return 2 * comprehensiveness * recall / (comprehensiveness + recall)


def entity_score(predictions: dict[str, str], references: dict[str, str], extract_nouns: NounExtractor,
                 encode: WordEncoder) -> dict[str, float]:
    """`process_file`: the mean over clips with nouns on both sides, and its range."""
    scores = []
    for key, pred in predictions.items():
        if key not in references:
            raise KeyError(f"no reference for prediction id {key!r}")
        s = entity_score_from_nouns(extract_nouns(pred), extract_nouns(references[key]), encode)
        if s != -1:
            scores.append(s)
    if not scores:
        return {"EntityScore": float("nan"), "EntityScore_min": float("nan"), "EntityScore_max": float("nan"),
                "EntityScore_n": 0}
    return {"EntityScore": sum(scores) / len(scores), "EntityScore_min": min(scores),
            "EntityScore_max": max(scores), "EntityScore_n": len(scores)}


class T5WordEncoder:
    """The T5 encoder the original uses (`t5-base`), from a local folder; words tokenised as a batch each side,
    then both sides zero-padded to the longer length (`pad_input_ids`)."""

    def __init__(self, model_dir: str, device: str = "cpu") -> None:
        from transformers import AutoTokenizer, T5EncoderModel

        self.tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        self.model = T5EncoderModel.from_pretrained(model_dir, local_files_only=True).to(device).eval()
        self.device = device

    def ids(self, words: list[str]) -> dict[str, torch.Tensor]:
        enc = self.tokenizer(words, return_tensors="pt", padding=True, truncation=True)
        return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}

    @torch.no_grad()
    def __call__(self, pred: list[str], ref: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        return encode_padded(self.model, self.ids(pred), self.ids(ref), self.device)


def encode_padded(model, pred_ids: dict[str, torch.Tensor], ref_ids: dict[str, torch.Tensor], device: str = "cpu"
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    length = max(pred_ids["input_ids"].shape[1], ref_ids["input_ids"].shape[1])
    out = []
    for enc in (pred_ids, ref_ids):
        padded = {k: F.pad(v, (0, length - v.shape[1])).to(device) for k, v in enc.items()}
        out.append(model(input_ids=padded["input_ids"], attention_mask=padded["attention_mask"]).last_hidden_state)
    return out[0], out[1]


def nltk_nouns(sentence: str) -> list[str]:
    """`noun_extracter`: NLTK word_tokenize + pos_tag, tags containing 'NN', Porter-stemmed, deduplicated.
    Needs the `nltk` package and its punkt / averaged-perceptron-tagger data."""
    try:  # optional: nltk is not pinned in this environment (see README)
        nltk = importlib.import_module("nltk")
        porter = importlib.import_module("nltk.stem.porter")
    except ImportError as err:
        raise ImportError("nltk_nouns needs the nltk package and its tagger data; pass another extract_nouns") from err
    tagged = nltk.pos_tag(nltk.word_tokenize(sentence))
    stem = porter.PorterStemmer().stem
    return sorted({stem(w) for w in {w for w, tag in tagged if "NN" in tag}})


class LexiconNouns:
    """A noun extractor from a fixed noun list (plural 's' folded), for generated data where the nouns are known.
    Not the NLTK tagger of the original: use `nltk_nouns` on real descriptions."""

    def __init__(self, nouns: Iterable[str]) -> None:
        self.nouns = {self.stem(n.lower()) for n in nouns}

    @staticmethod
    def stem(word: str) -> str:
        return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word

    def __call__(self, sentence: str) -> list[str]:
        words = re.findall(r"[a-z]+", sentence.lower())
        return sorted({self.stem(w) for w in words} & self.nouns)


class HashWordEncoder:
    """A deterministic stand-in for T5 (each word -> a fixed random vector per character trigram), for tests and the
    smoke run where T5 weights are unavailable. Scores made with it are not comparable to the paper's."""

    def __init__(self, dim: int = 64, seed: int = 0) -> None:
        self.dim, self.seed = dim, seed

    def _vec(self, gram: str) -> torch.Tensor:
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + sum(ord(c) * 131**i for i, c in enumerate(gram)))
        return torch.randn(self.dim, generator=g)

    def _word(self, word: str) -> torch.Tensor:
        w = f"#{word}#"
        return torch.stack([self._vec(w[i:i + 3]) for i in range(len(w) - 2)]).mean(0)

    def __call__(self, pred: list[str], ref: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        return (torch.stack([self._word(w) for w in pred])[:, None],
                torch.stack([self._word(w) for w in ref])[:, None])


# ----------------------------------------------------------------------------------------------
# AudioScore


def audio_score_scale(x: np.ndarray | float) -> np.ndarray:
    """`scale` of Metrics/AudioScore/score.py: f(s) = a exp(-b exp(-c s)), s = x / 100 mapped to [-1, 1]."""
    x = (np.asarray(x, dtype=np.float64) / 100 - 0.5) * 2
    x = np.exp(-0.693179 * np.exp(-10 * x)) * (1 / np.exp(-0.693179 * np.exp(-10)))
    return x * 100


def trilip_logits(img: torch.Tensor, txt: torch.Tensor, aud: torch.Tensor, logit_scale1: torch.Tensor,
                  logit_scale2: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """`TriLip.forward` after the encoders: features are not normalised; (b, b) logits and their transpose."""
    img_txt = logit_scale1 * ((img @ txt.t() + 1) / 2)
    txt_aud = logit_scale2 * ((aud @ txt.t() + 1) / 2)
    return (img_txt + txt_aud) / 2, (img_txt.t() + txt_aud.t()) / 2


def audio_score_from_logits(logits: torch.Tensor) -> np.ndarray:
    """Per-clip AudioScore: the scaled diagonal (clip i with its own description)."""
    return audio_score_scale(torch.diagonal(logits, 0).float().cpu().numpy())
