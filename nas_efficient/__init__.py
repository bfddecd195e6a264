"""Neural Architecture Search on Efficient Transformers and Beyond."""
