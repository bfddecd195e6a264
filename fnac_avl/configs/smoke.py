"""Smoke run: the generated colour/tone dataset (fnac_avl.synthetic), ResNet-18-shaped encoders at 1/8 width,
64-pixel frames, on CPU in about a minute. Same data readers, losses, trainer and metrics as the paper
configs; only sizes, the learning rate and the schedule of the FNAC terms shrink; the last checkpoint is kept.
"""

import dataclasses

from fnac_avl.config import DataConfig, FNACConfig, LossConfig, ModelConfig, default_train

# the FNAC terms are means over a batch x batch matrix of softmax differences, so their size goes as 1/batch:
# 100 at the paper's batch of 256 is 100 * 32 / 256 = 12.5 at 32 (at 100 they flatten every similarity)
FNAC_WEIGHT = 100 * 32 / 256


def get_config(root: str = "runs/fnac_avl/smoke/data/smoke") -> FNACConfig:
    train = default_train()
    return FNACConfig(
        data=DataConfig(generate=root, train_root=f"{root}/train", subset_list=f"{root}/metadata/flickr_smoke.txt",
                        testset="flickr", test_root=f"{root}/flickr_test", test_csv=f"{root}/metadata/flickr_test.csv",
                        test_annotations=f"{root}/flickr_test_anno",
                        image_size=64,  # a 2 x 2 feature map: one cell per image half
                        gen_size=64, cache=True, eval_batch_size=96),
        model=ModelConfig(embed_dim=64, image_widths=(8, 16, 32, 64), audio_widths=(8, 16, 32, 64), dropout_img=0.0),
        # from scratch, the contrastive term needs ~150 updates to leave chance
        loss=LossConfig(warmup_epochs=10, w_fns_audio=FNAC_WEIGHT, w_tne=FNAC_WEIGHT, w_fns_image=FNAC_WEIGHT),
        train=dataclasses.replace(train, batch_size=32, seed=0, optim=dataclasses.replace(train.optim, lr=3e-3),
                                  log_every=15, ckpt_every=10_000, progress=False),
        epochs=16,
    )
