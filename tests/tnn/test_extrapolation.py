"""Why TNN extrapolates (paper Sec. 3.4): with the decay lambda^|k|, a prediction far beyond the training
length depends on a bounded window of recent tokens, so it is made from the same kind of context as in
training. Without the decay the RPE's coefficients do not vanish with the offset and every token of an
arbitrarily long history weighs in. The same weights are scored with and without the decay."""

from __future__ import annotations

import torch

from tnn.config import alm_config
from tnn.model import TnnLM

TRAIN_LENGTH = 64
WINDOW = 512  # 0.99 ** 512 = 0.006: what lies further back is decayed away


def far_context_effect(use_decay: bool) -> tuple[float, float]:
    """Max change of the last position's logits when every token more than WINDOW back is replaced,
    for a sequence of 16 x the training length; and the logits' scale."""
    torch.manual_seed(0)
    cfg = alm_config(vocab_size=50, embed_dim=32, num_layers=2, glu_dim=32, rpe_dim=16, dropout=0.0,
                     use_decay=use_decay, gamma=0.99)
    model = TnnLM(cfg).eval()
    if not use_decay:  # the very same weights as the decayed model, only the decay removed
        decayed = TnnLM(alm_config(**{**cfg.__dict__, "use_decay": True})).eval()
        model.load_state_dict({k: v for k, v in decayed.state_dict().items() if not k.endswith(".gamma")})
    n = 16 * TRAIN_LENGTH
    g = torch.Generator().manual_seed(1)
    tokens = torch.randint(4, 50, (1, n), generator=g)
    changed = tokens.clone()
    changed[:, : n - WINDOW] = torch.randint(4, 50, (1, n - WINDOW), generator=g)
    with torch.no_grad():
        last, last_changed = model(tokens)[0, -1], model(changed)[0, -1]
    return float((last - last_changed).abs().max()), float(last.abs().max())


def test_decayed_model_sees_a_bounded_window_and_undecayed_one_does_not() -> None:
    diff, scale = far_context_effect(use_decay=True)
    assert scale > 0.1
    assert diff < 1e-2 * scale  # what lies beyond the window barely moves the prediction
    diff_no_decay, scale_no_decay = far_context_effect(use_decay=False)
    assert diff_no_decay > 0.1 * scale_no_decay  # the whole history weighs in
