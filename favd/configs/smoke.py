"""Smoke run: the generated shapes-and-tones set (favd.synthetic), a tiny AVLFormer, CPU, about a minute.

Same code path as favd_32frm.py (reader, tensorizer, Video Swin, PaSST, BERT, both losses, learned attention,
greedy decoding, metrics); the sizes shrink, there is no pretrained initialisation, so the backbone learns at
the full LR, and EntityScore uses the generator's noun list and a hashed word encoder instead of NLTK + T5.
"""

from favd.modules.bert import BertSettings
from favd.synthetic import NOUNS
from favd.train import FAVDConfig

ROOT = "runs/favd/data/smoke"

config = FAVDConfig()
config.data.root = ROOT
config.data.vocab_file = ROOT + "/vocab.txt"
config.data.generate = True
config.data.gen_num_train = 160
config.data.gen_num_test = 40
config.data.num_frames = 4
config.data.img_res = 32
config.data.clip_seconds = 0.5
config.data.max_seq_length = 24
config.data.max_gen_length = 24
config.data.mask_prob = 0.5  # more supervised positions per clip: the model starts from scratch
config.data.max_masked_tokens = 12
config.data.eval_batch_size = 40
config.data.cache_decoded = True

m = config.model
m.swin.embed_dim, m.swin.depths, m.swin.num_heads = 16, (2, 2), (2, 4)
m.swin.window_size, m.swin.drop_path_rate = (2, 4, 4), 0.0
a = m.audio
a.sample_rate, a.n_mels, a.win_length, a.hopsize, a.n_fft = 8000, 36, 200, 80, 256
a.freqm, a.timem, a.input_tdim = 4, 8, 51
a.embed_dim, a.depth, a.num_heads, a.s_patchout_t, a.s_patchout_f = 32, 1, 2, 1, 1
m.img_feature_dim = 32
m.max_img_seq_length = 32 + 7  # 2 x 4 x 4 video tokens + 1 + 2 x 3 audio tokens
m.bert = BertSettings(vocab_size=32, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                      intermediate_size=128, max_position_embeddings=64, img_feature_dim=32,
                      hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)

config.backbone_coef_lr = 1.0
config.train.batch_size = 8
config.train.max_steps = 200
config.train.optim.lr = 2e-3
config.train.optim.weight_decay = 0.01
config.train.schedule.name = "linear"
config.train.schedule.warmup_steps = 20
config.train.clip_grad_norm = 1.0
config.train.log_every = 50
config.train.ckpt_every = 200
config.train.progress = False
config.eval.meteor = False
config.eval.entity_nouns = "lexicon"
config.eval.entity_lexicon = NOUNS
config.eval.t5_dir = ""
