"""AVLFormer's building blocks: Video Swin (video), PaSST (audio), the BERT multimodal transformer (text)."""
