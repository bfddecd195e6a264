# ruff: noqa
"""Run the original EntityScore / AudioScore functions on fixed inputs; save inputs and values as JSON + tiny T5."""
import sys, json, importlib.util
sys.path.insert(0, "/tmp/favd_stubs")
import torch
from transformers import T5Config, T5EncoderModel

def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path); mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod); return mod

es = load("/tmp/favd_orig/Metrics/EntityScore/score.py", "es_score")
sys.path.insert(0, "/tmp/favd_orig/Metrics/AudioScore")
au = load("/tmp/favd_orig/Metrics/AudioScore/score.py", "au_score")
trilip = importlib.import_module("model.trilip")

VOCAB = "abcdefghijklmnopqrstuvwxyz"
def char_tokenizer(words, return_tensors="pt", padding=True, truncation=True):
    ids = [[VOCAB.index(c) + 2 for c in w if c in VOCAB] + [1] for w in words]  # 1 = </s>, 0 = pad
    n = max(map(len, ids))
    return {"input_ids": torch.tensor([i + [0] * (n - len(i)) for i in ids]),
            "attention_mask": torch.tensor([[1] * len(i) + [0] * (n - len(i)) for i in ids])}

torch.manual_seed(0)
t5 = T5EncoderModel(T5Config(vocab_size=32, d_model=16, d_kv=8, d_ff=32, num_layers=1, num_heads=2,
                             dropout_rate=0.0)).eval()
cases = [
    (["man", "stage", "suit", "microphon"], ["man", "microphon", "speech", "suit", "wall", "hair"]),
    (["dog"], ["cat", "tree"]),
    (["red", "ball", "circl"], ["red", "ball", "circl"]),
    (["a"], ["abcdefghijkl", "b"]),
]
out = {"entity": []}
with torch.no_grad():
    for pred, ref in cases:
        sem = es.semantic_avg(pred, ref, char_tokenizer, t5)
        rec = es.entity_avg(pred, ref)
        p = rec + 1e-4
        out["entity"].append({"pred": pred, "ref": ref, "semantic_avg": sem, "entity_avg": rec,
                              "entity_score": 2 * sem * p / (sem + p)})
out["entity_avg_empty_ref"] = es.entity_avg(["a"], [])
xs = [0.0, 10.0, 37.5, 50.0, 63.2, 99.0, 100.0, 140.0]
out["scale"] = {"x": xs, "y": [float(v) for v in au.scale(__import__("numpy").array(xs))]}
# TriLip arithmetic after the encoders: stub encoders returning fixed features
g = torch.Generator().manual_seed(3)
img, txt, aud = torch.randn(3, 512, generator=g), torch.randn(3, 512, generator=g), torch.randn(3, 5, 512, generator=g)
class VL(torch.nn.Module):
    def encode_image(self, x): return img
    def encode_text(self, x): return txt
class A(torch.nn.Module):
    def forward(self, x): return aud
    def freeze(self): pass
trilip.MyPasst = A
model = trilip.TriLip(VL()).eval()
with torch.no_grad():
    for s in (model.vis_scaler, model.txt_scaler, model.aud_scaler):
        for p in s.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.05 + (1.0 if p.ndim == 1 and "layer_norm" in "" else 0.0))
    logits, logits_t = model(None, None, None)
    scaled = {"img": model.vis_scaler(img), "txt": model.txt_scaler(txt), "aud": model.aud_scaler(aud)}
torch.save({"t5": t5.state_dict(), "t5_config": t5.config.to_dict(), "trilip_scaled": scaled,
            "logit_scales": [model.logit_scale1.detach(), model.logit_scale2.detach()],
            "trilip_logits": logits, "trilip_logits_t": logits_t,
            "trilip_scores": torch.tensor(au.scale(torch.diagonal(logits, 0).numpy()))}, sys.argv[1] + ".pt")
json.dump(out, open(sys.argv[1] + ".json", "w"), indent=1)
print(json.dumps(out)[:600])
