"""Smoke run: the generated shapes-and-tones set (favd.synthetic), a tiny AVLFormer, CPU, about a minute.

Same code path as favd_32frm.py (reader, tensorizer, Video Swin, PaSST, BERT, both losses, learned attention,
greedy decoding, metrics); the sizes shrink, there is no pretrained initialisation, so the backbone learns at
the full LR, and EntityScore uses the generator's noun list and a hashed word encoder instead of NLTK + T5.
The reproduce harness moves `data.root` into the run folder (`<out>/data`).
"""

from favd.config import AudioSettings, BertSettings, DataConfig, EvalConfig, FAVDConfig, ModelConfig, SwinSettings
from favd.synthetic import NOUNS
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig

ROOT = "runs/favd/smoke/data"


def get_config() -> FAVDConfig:
    data = DataConfig(
        root=ROOT, vocab_file=ROOT + "/vocab.txt", generate=True, gen_num_train=160, gen_num_test=40,
        num_frames=4, img_res=32, clip_seconds=0.5, max_seq_length=24, max_gen_length=24,
        mask_prob=0.5,  # more supervised positions per clip: the model starts from scratch
        max_masked_tokens=12, eval_batch_size=40, cache_decoded=True)
    model = ModelConfig(
        swin=SwinSettings(embed_dim=16, depths=(2, 2), num_heads=(2, 4), window_size=(2, 4, 4), drop_path_rate=0.0),
        audio=AudioSettings(sample_rate=8000, n_mels=36, win_length=200, hopsize=80, n_fft=256, freqm=4, timem=8,
                            input_tdim=51, embed_dim=32, depth=1, num_heads=2, s_patchout_t=1, s_patchout_f=1),
        img_feature_dim=32,
        max_img_seq_length=32 + 7,  # 2 x 4 x 4 video tokens + 1 + 2 x 3 audio tokens
        bert=BertSettings(vocab_size=32, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                          intermediate_size=128, max_position_embeddings=64, img_feature_dim=32,
                          hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0))
    train = TrainerConfig(
        batch_size=8, max_steps=200, clip_grad_norm=1.0, log_every=50, ckpt_every=200, progress=False,
        optim=OptimConfig(lr=2e-3, weight_decay=0.01),
        schedule=ScheduleConfig(name="linear", warmup_steps=20))
    return FAVDConfig(data=data, model=model, train=train, backbone_coef_lr=1.0,
                      eval=EvalConfig(meteor=False, entity_nouns="lexicon", entity_lexicon=NOUNS, t5_dir=""))
