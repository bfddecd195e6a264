"""Long Range Arena, shared by `tnn` and `transnormer`: readers, generators, classifier wrapper, baseline.

Readers (one per task, map-style datasets of {"ids", "label"}): listops, text, retrieval, image,
pathfinder (Pathfinder and Path-X). batching.FixedLengthCollate pads them to the task length:
`tokens` long (b, n), `padding_mask` bool (b, n) True at padding, `label`. classifier.SequenceClassifier
wraps any encoder `(tokens, padding_mask) -> features`; transformer_baseline is LRA's Transformer;
tasks.TASKS holds lengths, classes and the baseline sizes; train.py runs a config. See README.md.
"""
