import json

import numpy as np
import pytest

from sam_wsss.data import coco_dataset, coco_image_labels, read_cls_labels, read_split, voc_dataset
from sam_wsss.label_map import save_label_png


def test_generated_voc_tree_reads_through_the_official_layout(tiny_voc):
    from_xml = voc_dataset(tiny_voc, "train")
    from_file = voc_dataset(tiny_voc, "train", cls_labels=str(tiny_voc / "cls_labels.npy"))
    assert len(from_xml) == 6 and from_xml.ids == from_file.ids
    for image_id in from_xml.ids:
        assert from_xml.labels(image_id) == from_file.labels(image_id)
        gt = from_xml.gt(image_id)
        assert set(np.unique(gt)) <= {0, 8, 12, 15, 255} and (gt == 255).any()  # outlines are ignored
        assert from_xml.image(image_id).shape == (48, 48, 3)
        assert set(from_xml.labels(image_id)) == set(np.unique(gt).tolist()) - {0, 255}


def test_missing_and_malformed_files_are_named(tiny_voc, tmp_path):
    with pytest.raises(FileNotFoundError, match="JPEGImages"):
        voc_dataset(tmp_path, "train")
    with pytest.raises(FileNotFoundError, match="nosplit.txt"):
        voc_dataset(tiny_voc, "nosplit")
    (tmp_path / "empty.txt").write_text("\n")
    with pytest.raises(ValueError, match="empty.txt: split file is empty"):
        read_split(tmp_path / "empty.txt")
    np.save(tmp_path / "bad.npy", {"a": np.zeros(5)}, allow_pickle=True)
    with pytest.raises(ValueError, match=r"bad.npy: labels of a have shape \(5,\); expected \(20,\)"):
        read_cls_labels(tmp_path / "bad.npy", 21)
    dataset = voc_dataset(tiny_voc, "val")
    save_label_png(np.full((4, 4), 40, np.uint8), tmp_path / "x.png")
    dataset.gt_path = lambda i: tmp_path / "x.png"
    with pytest.raises(ValueError, match=r"x.png: values \[40\] are neither classes 0..20 nor ignore 255"):
        dataset.gt("any")


def test_coco_labels_come_from_instance_categories(tmp_path):
    root = tmp_path / "coco"
    (root / "train2014").mkdir(parents=True)
    (root / "coco_seg_anno").mkdir()
    instances = {"images": [{"id": 9, "file_name": "COCO_train2014_000000000009.jpg"},
                            {"id": 25, "file_name": "COCO_train2014_000000000025.jpg"}],
                 "annotations": [{"id": 1, "image_id": 9, "category_id": 64}, {"id": 2, "image_id": 9, "category_id": 1},
                                 {"id": 3, "image_id": 9, "category_id": 1}]}
    (root / "instances.json").write_text(json.dumps(instances))
    (root / "train.txt").write_text("COCO_train2014_000000000009\nCOCO_train2014_000000000025\n")
    labels = coco_image_labels(root / "instances.json")
    assert labels == {"COCO_train2014_000000000009": [1, 59], "COCO_train2014_000000000025": []}
    dataset = coco_dataset(root, str(root / "train.txt"), str(root / "instances.json"))
    assert str(dataset.gt_path("COCO_train2014_000000000009")).endswith("coco_seg_anno/000000000009.png")
    instances["annotations"].append({"id": 4, "image_id": 9, "category_id": 12})  # 12 is not a COCO category
    (root / "instances.json").write_text(json.dumps(instances))
    with pytest.raises(ValueError, match="instances.json: annotation 4 has category_id 12"):
        coco_image_labels(root / "instances.json")
