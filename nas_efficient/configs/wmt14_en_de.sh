#!/usr/bin/env bash
# WMT'14 En-De with mixed-attention architecture search, through fairseq (mixFormer/HAT recipe).
#
#   bash nas_efficient/configs/wmt14_en_de.sh supernet                 # 1. train the SuperTransformer
#   python -m nas_efficient.translation_search --checkpoint runs/nas_efficient/wmt14_supernet/checkpoint_last.pt \
#       --data-bin $DATA --out runs/nas_efficient/wmt14_search       # 2. evolutionary search -> best_arch.json
#   bash nas_efficient/configs/wmt14_en_de.sh subnet ARCH.json         # 3. retrain the found SubTransformer
#   bash nas_efficient/configs/wmt14_en_de.sh test CHECKPOINT ARCH.json  # 4. beam search + sacreBLEU
#
# Data: HAT's binarized WMT'14 En-De with a joined dictionary (configs/wmt14.en-de/preprocess.sh of the
# original; or fairseq's examples/translation/prepare-wmt14en2de.sh + fairseq-preprocess --joined-dictionary),
# in $DATA (default ${REPRO_DATA:-data}/wmt14_en_de; `python -m nas_efficient.prepare --dataset wmt14_en_de`).
# Training settings from mixFormer configs/wmt14.en-de/{supertransformer,subtransformer}/large.yml: 50k
# updates, lr 1e-3 inverse-sqrt with 8k warm-up from 1e-7, max-tokens 4096 per GPU and update-freq 16 on 8
# GPUs (128 GPU-batches per update: update-freq is 128 / GPUs here), dropout 0.3, attention and ReLU
# dropout 0.1, label smoothing 0.1, fp16. The original's optimizer is RAdam, which this fairseq lacks: Adam.
# Test settings from configs/wmt14.en-de/test.sh: beam 4, length penalty 0.6, BPE removed, sacreBLEU on
# detokenized output.
set -euo pipefail
stage=${1:?usage: wmt14_en_de.sh supernet | subnet ARCH.json | test CHECKPOINT ARCH.json}
DATA=${DATA:-${REPRO_DATA:-data}/wmt14_en_de}
RUNS=${RUNS:-runs/nas_efficient}
PLUGIN=nas_efficient/fairseq_nas
PYTHON=${PYTHON:-python}

if [ ! -f "$DATA/dict.en.txt" ]; then
  echo "$DATA/dict.en.txt missing: prepare WMT'14 En-De first (see the header of this file and nas_efficient/README.md)" >&2
  exit 2
fi
GPUS=${GPUS:-$("$PYTHON" -c "import torch; print(max(torch.cuda.device_count(), 1))")}
# 128 GPU-batches per update whatever the machine: use the most GPUs that divide 128 (6 GPUs -> 4)
while (( 128 % GPUS != 0 )); do GPUS=$((GPUS - 1)); done

common=(--user-dir "$PLUGIN" --task translation --source-lang en --target-lang de
  --optimizer adam --adam-betas "(0.9, 0.98)" --lr 0.001 --lr-scheduler inverse_sqrt --warmup-updates 8000
  --warmup-init-lr 1e-07 --weight-decay 0.0 --clip-norm 0.0
  --criterion label_smoothed_cross_entropy --label-smoothing 0.1 --max-tokens 4096 --update-freq $((128 / GPUS)) --distributed-world-size "$GPUS"
  --max-update 50000 --fp16 --fp16-scale-window 256 --threshold-loss-scale 0.03125 --ddp-backend no_c10d
  --keep-last-epochs 10 --log-interval 100 --num-workers 2)

case "$stage" in
  supernet)
    fairseq-train "$DATA" "${common[@]}" --arch mixformer_translation_wmt_en_de --save-dir "$RUNS/wmt14_supernet"
    ;;
  subnet)
    arch=${2:?subnet needs ARCH.json}
    fairseq-train "$DATA" "${common[@]}" --arch mixformer_translation_wmt_en_de --subnet-arch "$arch" \
      --subnet-standalone --save-dir "$RUNS/wmt14_subnet_$(basename "$arch" .json)"
    ;;
  test)
    ckpt=${2:?test needs CHECKPOINT}
    arch=${3:-}
    out=$(dirname "$ckpt")/generate_test.txt
    fairseq-generate "$DATA" --user-dir "$PLUGIN" --path "$ckpt" --gen-subset test --beam 4 --lenpen 0.6 \
      --batch-size 64 --required-batch-size-multiple 1 --remove-bpe ${arch:+--model-overrides "{'subnet_arch': '$arch'}"} \
      > "$out"
    detok() { sacremoses -l de detokenize; }  # the paper scores detokenized text
    grep ^H "$out" | sort -t- -k2 -n | cut -f3- | detok > "$out.sys"
    grep ^T "$out" | sort -t- -k2 -n | cut -f2- | detok > "$out.ref"
    "$PYTHON" -c "import sys; from nas_efficient.metrics import bleu; \
sys_, ref = (open(p).read().splitlines() for p in sys.argv[1:]); print(f'sacreBLEU {bleu(sys_, ref):.2f}')" \
      "$out.sys" "$out.ref"
    ;;
  *)
    echo "unknown stage $stage (supernet | subnet ARCH.json | test CHECKPOINT [ARCH.json])" >&2
    exit 2
    ;;
esac
