"""The segmentation network on the pseudo labels: an mmsegmentation config built from `SegTrainConfig`.

The model is DeepLab-v2: ResNet-101 at output stride 8 (dilations 2 and 4 in the last two stages), frozen
BatchNorm statistics as in DeepLab's Caffe models, and the ASPP head of `mmseg_modules.DeepLabV2Head`.
Training: random rescale (0.5-1.5), random crop, horizontal flip; SGD with momentum, the head at 10x the
backbone's learning rate, polynomial decay (power 0.9); cross-entropy ignoring 255.
"""

from __future__ import annotations

from pathlib import Path

from sam_wsss.config import SegTrainConfig

IMAGENET_MEAN_255 = [123.675, 116.28, 103.53]
IMAGENET_STD_255 = [58.395, 57.12, 57.375]


def backbone_channels(cfg: SegTrainConfig) -> int:
    """Width of the last ResNet stage: 8x the base width, x4 for bottleneck blocks (depth >= 50)."""
    return cfg.base_channels * 8 * (4 if cfg.depth >= 50 else 1)


def model_config(cfg: SegTrainConfig, num_classes: int) -> dict:
    backbone = dict(type="ResNet", depth=cfg.depth, base_channels=cfg.base_channels, num_stages=4,
                    out_indices=(3,), dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1), style="pytorch",
                    norm_cfg=dict(type="BN", requires_grad=False), norm_eval=True, contract_dilation=True)
    if cfg.pretrained:
        backbone["init_cfg"] = dict(type="Pretrained", checkpoint=cfg.pretrained)
    return dict(
        type="EncoderDecoder",
        data_preprocessor=dict(type="SegDataPreProcessor", mean=IMAGENET_MEAN_255, std=IMAGENET_STD_255,
                               bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size=(cfg.crop_size, cfg.crop_size)),
        backbone=backbone,
        decode_head=dict(type="DeepLabV2Head", in_channels=backbone_channels(cfg), in_index=0,
                         num_classes=num_classes, align_corners=False,
                         loss_decode=dict(type="CrossEntropyLoss", use_sigmoid=False, loss_weight=1.0,
                                          avg_non_ignore=True)),  # mean over labelled pixels, as nn.CrossEntropyLoss
        train_cfg=dict(), test_cfg=dict(mode="whole"))


def _dataset(cfg: SegTrainConfig, split: str, labels: str, pipeline: list, test: bool) -> dict:
    images = cfg.val_image_folder if test else cfg.image_folder
    common = dict(data_root=cfg.data_root, ann_file=split, pipeline=pipeline,
                  data_prefix=dict(img_path=images, seg_map_path=labels))
    if cfg.dataset == "voc":
        return dict(type="PascalVOCDataset", **common)
    # COCO: pseudo labels are named by image id, the ground truth by its 12-digit number
    return dict(type="CocoObjectDataset", gt_by_number=test, **common)


def mmseg_config(cfg: SegTrainConfig, pseudo_dir: str | Path, num_classes: int) -> dict:
    """A complete mmengine config dict: model, data, schedule, hooks, evaluation."""
    crop = (cfg.crop_size, cfg.crop_size)
    train_pipeline = [
        dict(type="LoadImageFromFile"), dict(type="LoadAnnotations"),
        dict(type="RandomResize", scale=crop, ratio_range=cfg.scale_range, keep_ratio=True),
        dict(type="RandomCrop", crop_size=crop),
        dict(type="RandomFlip", prob=0.5),
        dict(type="PackSegInputs"),
    ]
    test_pipeline = [dict(type="LoadImageFromFile"), dict(type="LoadAnnotations"), dict(type="PackSegInputs")]
    sampler = dict(type="InfiniteSampler", shuffle=True)
    return dict(
        default_scope="mmseg",
        custom_imports=dict(imports=["sam_wsss.mmseg_modules"], allow_failed_imports=False),
        model=model_config(cfg, num_classes),
        work_dir=cfg.work_dir,
        randomness=dict(seed=cfg.seed),
        train_dataloader=dict(batch_size=cfg.batch_size, num_workers=cfg.num_workers,
                              persistent_workers=cfg.num_workers > 0, sampler=sampler,
                              dataset=_dataset(cfg, cfg.train_split, str(Path(pseudo_dir).resolve()),
                                               train_pipeline, test=False)),
        val_dataloader=dict(batch_size=1, num_workers=cfg.num_workers, persistent_workers=cfg.num_workers > 0,
                            sampler=dict(type="DefaultSampler", shuffle=False),
                            dataset=_dataset(cfg, cfg.val_split, cfg.val_gt_folder, test_pipeline, test=True)),
        val_evaluator=dict(type="IoUMetric", iou_metrics=["mIoU"]),
        train_cfg=dict(type="IterBasedTrainLoop", max_iters=cfg.iters, val_interval=cfg.val_interval),
        val_cfg=dict(type="ValLoop"),
        optim_wrapper=dict(type="AmpOptimWrapper" if cfg.amp else "OptimWrapper",
                           optimizer=dict(type="SGD", lr=cfg.lr, momentum=cfg.momentum,
                                          weight_decay=cfg.weight_decay),
                           paramwise_cfg=dict(custom_keys={"decode_head": dict(lr_mult=cfg.head_lr_mult)})),
        param_scheduler=[dict(type="PolyLR", eta_min=0.0, power=cfg.poly_power, begin=0, end=cfg.iters,
                              by_epoch=False)],
        default_hooks=dict(timer=dict(type="IterTimerHook"),
                           logger=dict(type="LoggerHook", interval=max(1, min(50, cfg.iters // 10)),
                                       log_metric_by_epoch=False),
                           param_scheduler=dict(type="ParamSchedulerHook"),
                           checkpoint=dict(type="CheckpointHook", by_epoch=False, interval=cfg.val_interval,
                                           max_keep_ckpts=2),
                           sampler_seed=dict(type="DistSamplerSeedHook")),
        env_cfg=dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method="fork"), dist_cfg=dict(backend="nccl")),
        log_processor=dict(by_epoch=False),
        log_level=cfg.log_level,
        launcher="none",
        resume=False,
    )
