"""The segmentation network on the pseudo labels: an mmsegmentation config built from `SegTrainConfig`.

The model is DeepLab-v2: ResNet-101 at output stride 8 (every block of layer3 / layer4 dilated by 2 / 4),
frozen BatchNorm statistics as in DeepLab's Caffe models, and the ASPP head of `mmseg_modules.DeepLabV2Head`.
Training follows deeplab-pytorch's VOC recipe (configs/voc12.yaml, main.py, libs/datasets/base.py): each image
rescaled by a factor drawn from 0.5 / 0.75 / 1.0 / 1.25 / 1.5 of its original size, padded to the crop (image
with the mean, labels with 255), randomly cropped to 321, flipped with probability 0.5; SGD with momentum 0.9,
ASPP weights at 10x and ASPP biases at 20x the backbone's learning rate (biases without weight decay),
polynomial decay (power 0.9); cross-entropy ignoring 255, summed over the full-scale, 0.5x, 0.75x and max-fused
logits (MSC, `mmseg_modules.MSCEncoderDecoder`).
"""

from __future__ import annotations

from pathlib import Path

from sam_wsss.config import SegTrainConfig


def backbone_channels(cfg: SegTrainConfig) -> int:
    """Width of the last ResNet stage: 8x the base width, x4 for bottleneck blocks (depth >= 50)."""
    return cfg.base_channels * 8 * (4 if cfg.depth >= 50 else 1)


def model_config(cfg: SegTrainConfig, num_classes: int) -> dict:
    backbone = dict(type="ResNet", depth=cfg.depth, base_channels=cfg.base_channels, num_stages=4,
                    out_indices=(3,), dilations=tuple(cfg.dilations), strides=(1, 2, 1, 1), style="pytorch",
                    norm_cfg=dict(type="BN", requires_grad=False), norm_eval=True,
                    contract_dilation=cfg.contract_dilation)
    if cfg.pretrained:
        backbone["init_cfg"] = dict(type="Pretrained", checkpoint=cfg.pretrained)
    msc = dict(type="MSCEncoderDecoder", msc_scales=tuple(cfg.msc_scales)) if cfg.msc_scales else dict(
        type="EncoderDecoder")
    return dict(
        **msc,
        # normalised images padded with 0 = padded with the mean before normalising, as deeplab-pytorch pads
        data_preprocessor=dict(type="SegDataPreProcessor", mean=list(cfg.pixel_mean), std=list(cfg.pixel_std),
                               bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size=(cfg.crop_size, cfg.crop_size)),
        backbone=backbone,
        decode_head=dict(type="DeepLabV2Head", in_channels=backbone_channels(cfg), in_index=0,
                         dilations=tuple(cfg.aspp_dilations),
                         num_classes=num_classes, align_corners=False,
                         loss_decode=dict(type="CrossEntropyLoss", use_sigmoid=False, loss_weight=1.0,
                                          avg_non_ignore=True)),  # mean over labelled pixels, as nn.CrossEntropyLoss
        train_cfg=dict(), test_cfg=dict(mode="whole"))


def param_groups(cfg: SegTrainConfig) -> dict:
    """mmengine custom_keys (the longest matching key wins): ASPP biases, then the rest of the head."""
    keys = {f"decode_head.aspp.{i}.bias": dict(lr_mult=cfg.head_bias_lr_mult, decay_mult=0.0)
            for i in range(len(cfg.aspp_dilations))}
    return {**keys, "decode_head": dict(lr_mult=cfg.head_lr_mult)}


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
        dict(type="RandomRescale", factors=tuple(cfg.scales)),
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
        train_cfg=dict(type="IterBasedTrainLoop", max_iters=cfg.max_steps, val_interval=cfg.val_interval),
        val_cfg=dict(type="ValLoop"),
        optim_wrapper=dict(type="AmpOptimWrapper" if cfg.amp else "OptimWrapper",
                           optimizer=dict(type="SGD", lr=cfg.lr, momentum=cfg.momentum,
                                          weight_decay=cfg.weight_decay),
                           paramwise_cfg=dict(custom_keys=param_groups(cfg))),
        param_scheduler=[dict(type="IntervalPolyLR", interval=cfg.poly_interval, power=cfg.poly_power, begin=0,
                              end=cfg.max_steps, by_epoch=False)],
        default_hooks=dict(timer=dict(type="IterTimerHook"),
                           logger=dict(type="LoggerHook", interval=max(1, min(50, cfg.max_steps // 10)),
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
