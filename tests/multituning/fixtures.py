"""Tiny datasets in exactly the official on-disk layouts, for the readers' tests (written by multituning.synthetic)."""

from multituning.synthetic import (  # noqa: F401
    AIRCRAFT_VARIANTS,
    CARS_CLASSES,
    DTD_CLASSES,
    write_cifar10,
    write_dtd,
    write_fashion_mnist,
    write_fgvc_aircraft,
    write_stanford_cars,
)
