"""A tiny CIFAR-10 in the official python layout (cifar-10-batches-py/*), written by the tests."""

from nas_efficient.synthetic import write_cifar10

__all__ = ["write_cifar10"]
