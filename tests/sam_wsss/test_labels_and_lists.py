"""The original's inputs: VOC image-level labels by the rule of its cls_labels.npy (PSA's XML reading) and the
COCO image lists of its metadata (images with at least one annotation)."""

import json

import numpy as np
import pytest

from sam_wsss.data import annotated_image_stems, labels_from_xml, read_cls_labels, voc_dataset
from sam_wsss.synthetic import voc_xml

VOC_ANNOTATION = """<annotation><folder>VOC2012</folder><filename>2008_000123.jpg</filename>
<size><width>500</width><height>375</height><depth>3</depth></size><segmented>0</segmented>
<object><name>person</name><pose>Left</pose><truncated>1</truncated><difficult>0</difficult>
<bndbox><xmin>10</xmin><ymin>20</ymin><xmax>200</xmax><ymax>370</ymax></bndbox>
<part><name>head</name><bndbox><xmin>50</xmin><ymin>25</ymin><xmax>90</xmax><ymax>70</ymax></bndbox></part>
<part><name>hand</name><bndbox><xmin>20</xmin><ymin>200</ymin><xmax>40</xmax><ymax>230</ymax></bndbox></part>
</object>
<object><name>bottle</name><pose>Unspecified</pose><truncated>0</truncated><difficult>1</difficult>
<bndbox><xmin>300</xmin><ymin>100</ymin><xmax>310</xmax><ymax>130</ymax></bndbox></object>
<object><name>person</name><pose>Right</pose><truncated>0</truncated><difficult>0</difficult>
<bndbox><xmin>250</xmin><ymin>20</ymin><xmax>480</xmax><ymax>370</ymax></bndbox></object>
<object><name>pottedplant</name><pose>Unspecified</pose><truncated>1</truncated><difficult>0</difficult>
<bndbox><xmin>400</xmin><ymin>300</ymin><xmax>499</xmax><ymax>375</ymax></bndbox></object>
</annotation>
"""


def test_voc_labels_come_from_every_name_element_of_the_xml(tmp_path):
    """PSA's make_cls_labels.py rule: any <name> that is a class counts, difficult objects included; part names
    (head, hand) are no class. A difficult bottle is 255 in the masks, so the masks' classes would miss it."""
    path = tmp_path / "2008_000123.xml"
    path.write_text(VOC_ANNOTATION)
    assert labels_from_xml(path) == [5, 15, 16]  # bottle, person, pottedplant (1-based)


def test_xml_labels_write_the_original_cls_labels_format(tmp_path, tiny_voc):
    from sam_wsss.prepare import write_cls_labels

    ids = voc_dataset(tiny_voc, "train").ids
    target = tmp_path / "voc"
    (target / "Annotations").mkdir(parents=True)
    for image_id in ids:
        (target / "Annotations" / f"{image_id}.xml").write_text((tiny_voc / "Annotations" / f"{image_id}.xml").read_text())
    path = write_cls_labels(target, ids)
    table = np.load(path, allow_pickle=True).item()
    assert all(v.dtype == np.float32 and v.shape == (20,) for v in table.values())  # as metadata/pascal/cls_labels.npy
    assert read_cls_labels(path, 21) == {i: labels_from_xml(target / "Annotations" / f"{i}.xml") for i in ids}


def test_voc_reader_without_cls_labels_reads_the_xml(tmp_path, tiny_voc):
    dataset = voc_dataset(tiny_voc, "train")
    first = dataset.ids[0]
    (tiny_voc / "Annotations" / f"{first}.xml").rename(tmp_path / "moved.xml")
    try:
        with pytest.raises(FileNotFoundError, match=f"Annotations/{first}.xml: XML annotation missing"):
            voc_dataset(tiny_voc, "train")
    finally:
        (tmp_path / "moved.xml").rename(tiny_voc / "Annotations" / f"{first}.xml")
    bad = tmp_path / "bad.xml"
    bad.write_text("<annotation><object><name>cat</name>")
    with pytest.raises(ValueError, match="bad.xml: not a VOC XML annotation"):
        labels_from_xml(bad)


def test_generated_xml_names_the_masks_classes():
    text = voc_xml("x", (10, 12), [(15, (1, 1, 5, 5)), (8, (2, 2, 9, 9))])
    assert text.count("<object>") == 2 and "<part><name>head</name>" in text and "<difficult>1</difficult>" in text


def test_coco_lists_leave_out_images_without_annotations(tmp_path):
    instances = {"images": [{"id": 9, "file_name": "COCO_train2014_000000000009.jpg"},
                            {"id": 25, "file_name": "COCO_train2014_000000000025.jpg"},
                            {"id": 8, "file_name": "COCO_train2014_000000000008.jpg"}],
                 "annotations": [{"id": 1, "image_id": 25, "category_id": 1}, {"id": 2, "image_id": 9, "category_id": 64},
                                 {"id": 3, "image_id": 9, "category_id": 1}]}
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(instances))
    # image 8 has no annotation: the original's metadata/coco lists (82,081 / 40,137 of 82,783 / 40,504) skip such images
    assert annotated_image_stems(path) == ["COCO_train2014_000000000009", "COCO_train2014_000000000025"]
    path.write_text(json.dumps({"images": []}))
    with pytest.raises(ValueError, match="instances.json: cannot read COCO instances"):
        annotated_image_stems(path)
