"""The models of an experiment: the segmentation network trained on the pseudo labels (`build_model`), and the
two frozen models of the pseudo-label pipeline, Grounding DINO (transformers) and SAM (segment-anything).

`build_model(cfg)` builds DeepLab-v2 as mmsegmentation builds it for training (`segtrain.model_config`), without
loading any weights (the runner loads `train.pretrained` when it initialises the network).

Paper setting (run_pascal.sh / run_coco.sh): Grounding DINO Swin-T OGC (`groundingdino_swint_ogc.pth`,
config GroundingDINO_SwinT_OGC.py) and SAM ViT-H (`sam_vit_h_4b8939.pth`). `tiny` builds randomly initialised
models of the same classes, small enough for CPU tests and the smoke profile.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import torch
from segment_anything import sam_model_registry
from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer
from transformers import (
    BertConfig,
    BertTokenizerFast,
    GroundingDinoConfig,
    GroundingDinoForObjectDetection,
    SwinConfig,
)

from sam_wsss.classes import COCO_CLASSES, EXTRA_PROMPTS_VOC, VOC_CLASSES

SAM_TYPES = ("vit_h", "vit_l", "vit_b")


def num_classes_of(cfg) -> int:
    """21 for PASCAL VOC (background + 20), 81 for MS-COCO (background + 80)."""
    return 21 if cfg.train.dataset == "voc" else 81


def build_model(cfg) -> torch.nn.Module:
    """DeepLab-v2 of `cfg.train` (an `Experiment`), as an mmsegmentation EncoderDecoder, weights not loaded."""
    from mmengine.config import ConfigDict
    from mmengine.registry import DefaultScope
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules

    import sam_wsss.mmseg_modules  # noqa: F401  (registers DeepLabV2Head)
    from sam_wsss.segtrain import model_config

    register_all_modules(init_default_scope=False)
    with DefaultScope.overwrite_default_scope("mmseg"):  # its data preprocessor is found in mmseg's registry
        # ConfigDict: attribute access to test_cfg, as a runner's config gives
        return MODELS.build(ConfigDict(model_config(cfg.train, num_classes_of(cfg))))


def swint_ogc_config() -> GroundingDinoConfig:
    """GroundingDINO_SwinT_OGC.py in transformers' terms (Swin-T backbone, BERT-base text encoder, 900 queries)."""
    backbone = SwinConfig(embed_dim=96, depths=[2, 2, 6, 2], num_heads=[3, 6, 12, 24], window_size=7, image_size=224,
                          out_indices=[2, 3, 4])
    return GroundingDinoConfig(backbone_config=backbone, text_config=BertConfig(), num_queries=900, encoder_layers=6,
                               decoder_layers=6, d_model=256, encoder_ffn_dim=2048, decoder_ffn_dim=2048,
                               max_text_len=256, two_stage=True)


def tiny_grounding_dino_config() -> GroundingDinoConfig:
    backbone = SwinConfig(embed_dim=8, depths=[1, 1, 1, 1], num_heads=[1, 1, 1, 2], window_size=7, image_size=224, mlp_ratio=2.0,
                          out_indices=[2, 3, 4])
    # the vocabulary keeps BERT-base's ids of [CLS], [SEP], "." and "?" (the model splits phrases on them)
    text = BertConfig(vocab_size=TINY_VOCAB_SIZE, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                      intermediate_size=64, max_position_embeddings=64)
    # two decoder layers: transformers ties the box heads of layers 1.. to layer 0 and needs at least two
    return GroundingDinoConfig(backbone_config=backbone, text_config=text, num_queries=30, encoder_layers=1,
                               decoder_layers=2, d_model=32, encoder_ffn_dim=64, decoder_ffn_dim=64,
                               encoder_attention_heads=2, decoder_attention_heads=2, encoder_n_points=2,
                               decoder_n_points=2, max_text_len=64)


# BERT-base-uncased ids that code depends on: [PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103, "." 1012, "?" 1029
_FIXED_IDS = {0: "[PAD]", 100: "[UNK]", 101: "[CLS]", 102: "[SEP]", 103: "[MASK]", 1012: ".", 1029: "?"}
_TINY_WORDS = sorted({w for name in VOC_CLASSES + COCO_CLASSES for w in name.split()}
                     | {w for words in EXTRA_PROMPTS_VOC.values() for w in words})
TINY_VOCAB_SIZE = 1030 + len(_TINY_WORDS)


def tiny_tokenizer() -> BertTokenizerFast:
    """A BERT word-piece tokenizer over the class words of VOC and COCO, with BERT-base's special-token ids."""
    tokens = [_FIXED_IDS.get(i, f"[unused{i}]") for i in range(1030)] + _TINY_WORDS
    return BertTokenizerFast(vocab={token: i for i, token in enumerate(tokens)}, do_lower_case=True)


def build_grounding_dino(kind: str, weights: str = "", tokenizer: str = "", seed: int = 0):
    """(model in eval mode, tokenizer). kind: "swint_ogc" (weights: a transformers folder, or an original .pth
    converted on load; tokenizer: a bert-base-uncased folder) or "tiny" (random, seeded)."""
    if kind == "tiny":
        torch.manual_seed(seed)
        return GroundingDinoForObjectDetection(tiny_grounding_dino_config()).eval(), tiny_tokenizer()
    if kind != "swint_ogc":
        raise ValueError(f"detector.kind {kind!r} unknown; expected 'swint_ogc' or 'tiny'")
    if not weights:
        raise ValueError("detector.weights is empty: give groundingdino_swint_ogc.pth or a transformers folder")
    path = Path(weights)
    if path.is_dir():
        model = GroundingDinoForObjectDetection.from_pretrained(path)
    else:
        from sam_wsss.convert import load_original_checkpoint

        model = GroundingDinoForObjectDetection(swint_ogc_config())
        model.load_state_dict(load_original_checkpoint(path), strict=True)
    if not tokenizer:
        raise ValueError("detector.tokenizer is empty: give a folder holding bert-base-uncased's vocab.txt")
    return model.eval(), BertTokenizerFast.from_pretrained(tokenizer)


def tiny_sam(seed: int = 0, image_size: int = 128) -> Sam:
    """SAM with the ViT image encoder shrunk (1 block, width 32) and a 32-wide prompt encoder and mask decoder."""
    torch.manual_seed(seed)
    dim, patch = 32, 16
    encoder = ImageEncoderViT(img_size=image_size, patch_size=patch, embed_dim=dim, depth=1, num_heads=2,
                              mlp_ratio=2, out_chans=dim, qkv_bias=True,
                              norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), use_rel_pos=True,
                              window_size=4, global_attn_indexes=(0,))
    prompt = PromptEncoder(embed_dim=dim, image_embedding_size=(image_size // patch, image_size // patch),
                           input_image_size=(image_size, image_size), mask_in_chans=8)
    decoder = MaskDecoder(num_multimask_outputs=3, transformer_dim=dim, iou_head_depth=2, iou_head_hidden_dim=32,
                          transformer=TwoWayTransformer(depth=1, embedding_dim=dim, mlp_dim=64, num_heads=2))
    return Sam(image_encoder=encoder, prompt_encoder=prompt, mask_decoder=decoder).eval()


def build_sam(kind: str, weights: str = "", seed: int = 0) -> Sam:
    """kind: "vit_h" (paper), "vit_l", "vit_b" with `weights` a segment-anything checkpoint; or "tiny" (random)."""
    if kind == "tiny":
        return tiny_sam(seed)
    if kind not in SAM_TYPES:
        raise ValueError(f"segmenter.kind {kind!r} unknown; expected one of {SAM_TYPES} or 'tiny'")
    if not weights:
        raise ValueError(f"segmenter.weights is empty: give the SAM {kind} checkpoint (e.g. sam_vit_h_4b8939.pth)")
    return sam_model_registry[kind](checkpoint=weights).eval()
