# ruff: noqa
"""Run the original AVLFormer code (tiny config, fixed seeds) and save inputs/outputs + its state dict."""
import sys, types, json
sys.path.insert(0, "/tmp/favd_stubs"); sys.path.insert(0, "/tmp/favd_orig/AVLFormer")
import torch
torch.Tensor.cuda = lambda self, *a, **k: self  # the original moves the diagonal mask to CUDA
from src.layers.bert.modeling_bert import BertConfig, BertForImageCaptioning
from src.modeling.video_captioning_e2e_vid_swin_bert import VideoTransformer
from src.modeling.video_swin.swin_transformer import SwinTransformer3D
from src.modeling.passt.passt import PaSST
from src.modeling.passt.preprocess import AugmentMelSTFT
from src.modeling.load_passt import MyPasst
import torch.nn as nn

OUT = sys.argv[1]
torch.manual_seed(0)

class Wrap(nn.Module):
    def __init__(self, b): super().__init__(); self.backbone = b
    def forward(self, x): return self.backbone(x)

swin = SwinTransformer3D(patch_size=(2, 4, 4), embed_dim=8, depths=[2, 2], num_heads=[2, 2], window_size=(2, 4, 4),
                         drop_path_rate=0.0, patch_norm=True)
swin.init_weights()

class TinyPasst(MyPasst):
    def __init__(self):
        nn.Module.__init__(self)
        self.mel = AugmentMelSTFT(n_mels=36, sr=8000, win_length=200, hopsize=80, n_fft=256, freqm=4, timem=8,
                                  htk=False, fmin=0.0, fmax=None, norm=1, fmin_aug_range=10, fmax_aug_range=2000)
        self.net = PaSST(u_patchout=0, s_patchout_t=1, s_patchout_f=1, img_size=(36, 51), patch_size=16, stride=10,
                         in_chans=1, num_classes=0, embed_dim=16, depth=2, num_heads=2, distilled=True)
        self.linear = nn.Linear(16, 16)

passt = TinyPasst()
cfg = BertConfig(vocab_size_or_config_json_file=40, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                 intermediate_size=64, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                 max_position_embeddings=64)
cfg.img_feature_dim = 16; cfg.img_feature_type = 'frcnn'; cfg.lambda_ = 0.1; cfg.label_smoothing = 0.1
cfg.output_attentions = False; cfg.output_hidden_states = False
bert = BertForImageCaptioning(cfg)
args = types.SimpleNamespace(use_checkpoint=False, freeze_backbone=False, img_feature_dim=16, grid_feat=True,
                             mask_prob=0.25, max_img_seq_length=39, learn_mask_enabled=True, sparse_mask_soft2hard=False)
model = VideoTransformer(args, cfg, Wrap(swin), bert, passt)
with torch.no_grad():  # give the learned mask and biases non-trivial values
    model.learn_vid_att.weight.normal_(0, 2)
    for n, p in model.named_parameters():
        if n.endswith("bias") or "LayerNorm" in n or "norm" in n:
            p.add_(0.1 * torch.randn_like(p))
    # sharper word distributions that depend on the clip, so greedy and beam search take different paths
    model.trans_encoder.cls.predictions.decoder.weight.mul_(8)
    model.trans_encoder.bert.img_embedding.weight.mul_(6)
    for n, p in model.trans_encoder.bert.encoder.named_parameters():
        if n.endswith("weight") and "LayerNorm" not in n:
            p.mul_(8)
model.eval()

B, L = 2, 12
g = torch.Generator().manual_seed(1)
frames = torch.randn(B, 4, 3, 32, 32, generator=g)
frames[1] = frames[1] * 3 + 1  # two clearly different clips
audio = torch.randn(B, 1, 4000, generator=g) * 0.1
input_ids = torch.randint(5, 40, (B, L), generator=g); input_ids[:, 0] = 1
input_ids[1, 9:] = 0
masked_pos = torch.zeros(B, L, dtype=torch.long); masked_pos[0, [2, 5]] = 1; masked_pos[1, [3]] = 1
masked_ids = torch.tensor([[7, 9, -1], [11, -1, -1]])
output_ids = torch.randint(5, 40, (B, L), generator=g); output_ids[1, 8:] = 0
token_type = torch.zeros(B, L, dtype=torch.long)
n = L + 39
att = torch.zeros(B, n, n)
for b, sl in enumerate([L, 9]):
    att[b, :sl, :sl] = torch.tril(torch.ones(sl, sl)); att[b, :sl, L:] = 1; att[b, L:, L:] = 1

inputs = dict(frames=frames, audio=audio, input_ids=input_ids, masked_pos=masked_pos, masked_ids=masked_ids,
              output_token_ids=output_ids, token_type_ids=token_type, attention_mask=att)
state = {k: v.clone() for k, v in model.state_dict().items()}

with torch.no_grad():
    torch.manual_seed(5)
    logits = model(input_ids=input_ids, attention_mask=att.clone(), token_type_ids=token_type, img_feats=frames,
                   audio_feat=audio, masked_pos=masked_pos, is_training=False)[0]
    torch.manual_seed(5)
    out = model(input_ids=input_ids, attention_mask=att.clone(), token_type_ids=token_type, img_feats=frames,
                audio_feat=audio, masked_pos=masked_pos, masked_ids=masked_ids, output_token_ids=output_ids,
                is_training=True)
    loss, _, lm_loss, mask_loss, sparsity = out[0], out[1], out[2], out[3], out[-1]
    # generation: test-time mask over max_gen_len = 8 text positions
    G = 10
    gatt = torch.zeros(B, G + 39, G + 39)
    gatt[:, :G, :G] = torch.tril(torch.ones(G, G)); gatt[:, :G, G:] = 1; gatt[:, G:, G:] = 1
    torch.manual_seed(5)
    gen = model(is_decode=True, input_ids=torch.zeros(B, G, dtype=torch.long), attention_mask=gatt,
                token_type_ids=torch.zeros(B, G, dtype=torch.long), img_feats=frames, audio_feat=audio,
                masked_pos=torch.ones(B, G, dtype=torch.long), do_sample=False, bos_token_id=1, pad_token_id=0,
                eos_token_ids=[2], mask_token_id=3, add_od_labels=False, od_labels_start_posid=G, max_length=G,
                num_beams=1, temperature=1, top_k=0, top_p=1, repetition_penalty=1, length_penalty=1,
                num_return_sequences=1, num_keep_best=1)
    torch.manual_seed(5)
    beam = model(is_decode=True, input_ids=torch.zeros(B, G, dtype=torch.long), attention_mask=gatt,
                 token_type_ids=torch.zeros(B, G, dtype=torch.long), img_feats=frames, audio_feat=audio,
                 masked_pos=torch.ones(B, G, dtype=torch.long), do_sample=False, bos_token_id=1, pad_token_id=0,
                 eos_token_ids=[2], mask_token_id=3, add_od_labels=False, od_labels_start_posid=G, max_length=G,
                 num_beams=3, temperature=1, top_k=0, top_p=1, repetition_penalty=1, length_penalty=1,
                 num_return_sequences=1, num_keep_best=1)
    # the media tokens alone (video swin + passt + fc + rms norm)
    torch.manual_seed(5)
    aud = model.norm(model.passt(audio))
    vid = model.swin(frames.permute(0, 2, 1, 3, 4))
state["trans_encoder.cls_img_feat.decoder.weight"] = state["trans_encoder.cls_img_feat.decoder.weight"].half()  # unused by every output; halves the file
torch.save({"state_dict": state, "inputs": inputs, "gen_mask": gatt,
            "outputs": {"logits": logits, "loss": loss, "lm_loss": lm_loss, "mask_loss": mask_loss,
                        "sparsity": torch.as_tensor(sparsity), "gen_ids": gen[0][:, 0], "gen_logprob": gen[1][:, 0],
                        "beam_ids": beam[0][:, 0], "beam_score": beam[1][:, 0],
                        "audio_tokens": aud, "swin_out": vid}}, OUT)
print("logits", logits.shape, "loss", float(loss), float(lm_loss), float(mask_loss), float(sparsity))
print("beam", beam[0][:, 0].tolist(), beam[1].flatten().tolist())
print("gen", gen[0][:, 0].tolist(), gen[1].flatten().tolist(), "aud", aud.shape, "vid", vid.shape)

# beam search on a toy scorer whose next-token logits depend on the position and the last token, so that beam
# search and greedy decoding disagree: the original `_generate_beam_search` / `_generate_no_beam_search` with a stub
from src.layers.bert.modeling_utils import PreTrainedModel
V, L, K = 7, 9, 3
table = torch.randn(L, V, V, generator=torch.Generator().manual_seed(11)) * 2.5


class Toy:
    num_keep_best, od_labels_len = 1, 0

    def prepare_inputs_for_generation(self, ids, past=None):
        return {"input_ids": torch.cat([ids, torch.full_like(ids[:, :1], 3)], 1)}  # [MASK] appended

    def __call__(self, input_ids):
        pos = input_ids.shape[1] - 2  # the last generated token
        logits = torch.zeros(input_ids.shape[0], input_ids.shape[1], V)
        logits[:, -1] = table[pos, input_ids[:, -2]]
        return (logits,)

    def _do_output_past(self, outputs):
        return False


toy = Toy()
start = torch.tensor([[1], [4]])
bs = PreTrainedModel._generate_beam_search(toy, start, 1, L, False, 1, 0, 1, 1, 0, [2], 2, 1.0, K, V)
toy_start_beams = start.repeat_interleave(K, 0)
greedy = PreTrainedModel._generate_no_beam_search(toy, start, 1, L, False, 1, 0, 1, 1, 0, [2], 2)
extra = {"toy_table": table, "toy_beam_ids": bs[0][:, 0], "toy_beam_score": bs[1][:, 0],
         "toy_greedy_ids": greedy[0][:, 0], "toy_greedy_logprob": greedy[1][:, 0]}
saved = torch.load(OUT, weights_only=False)
saved["outputs"].update(extra)
torch.save(saved, OUT)
print("toy beam", bs[0][:, 0].tolist(), bs[1].flatten().tolist())
print("toy greedy", greedy[0][:, 0].tolist())
