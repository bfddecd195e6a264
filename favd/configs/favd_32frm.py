"""AVLFormer on FAVDBench, the paper's main setting (see configs/_common.py for the recipe)."""

from favd.configs._common import paper_config


def get_config():
    return paper_config()
