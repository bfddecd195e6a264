from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from shared.config import ConfigError, apply_overrides, from_dict, load_config, save_config, to_dict, validate
from shared.trainer import TrainerConfig


@dataclass
class Model:
    dim: int = 64
    dropout: float = 0.1
    act: Literal["gelu", "relu"] = "gelu"
    kernel: tuple[int, int] = (3, 3)
    pretrained: str | None = None


@dataclass
class Experiment:
    name: str = "toy"
    layers: list[int] = field(default_factory=lambda: [2, 2])
    model: Model = field(default_factory=Model)
    train: TrainerConfig = field(default_factory=TrainerConfig)


def test_overrides_parse_by_field_type() -> None:
    cfg = apply_overrides(
        Experiment(),
        [
            "model.dim=128",
            "model.dropout=0",
            "model.act=relu",
            "model.kernel=(5, 7)",
            "model.pretrained=none",
            "train.optim.lr=3e-4",
            "train.clip_grad_norm=1.5",
            "train.compile=true",
            "name=big",
        ],
    )
    assert cfg.model == Model(dim=128, dropout=0.0, act="relu", kernel=(5, 7), pretrained=None)
    assert cfg.train.optim.lr == 3e-4 and cfg.train.clip_grad_norm == 1.5 and cfg.train.compile is True
    assert cfg.name == "big"
    assert Experiment().model.dim == 64, "overrides must not mutate the defaults"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("model.dimm=3", "unknown config key 'model.dimm' (did you mean 'model.dim'?)"),
        ("trian.max_steps=3", "unknown config key 'trian.max_steps' (did you mean 'train'?)"),
        ("model.dim=1.5", "config key 'model.dim' expects an int, got '1.5'"),
        ("train.optim.lr=fast", "config key 'train.optim.lr' expects a float, got 'fast'"),
        ("model.act=tanh", "config key 'model.act' expects one of ['gelu', 'relu'], got 'tanh'"),
        ("train.compile=maybe", "config key 'train.compile' expects a bool"),
        ("model.kernel=(1, 2, 3)", "config key 'model.kernel' expects tuple[int, int]"),
        ("model=3", "config key 'model' is a section"),
        ("model.dim.x=3", "'dim' is a int, not a section"),
        ("model.dim", "expected the form key=value"),
    ],
)
def test_bad_overrides_name_the_key(override: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        apply_overrides(Experiment(), [override])
    assert message in str(err.value)


def test_config_file_with_wrong_type_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.py"
    path.write_text(
        "from tests.shared.test_config import Experiment, Model\n"
        "config = Experiment(model=Model(dim='64'))\n"
    )
    with pytest.raises(ConfigError, match=r"bad\.py: config key 'model\.dim' expects int, got '64'"):
        load_config(path)


def test_config_file_without_config(tmp_path: Path) -> None:
    path = tmp_path / "empty.py"
    path.write_text("x = 1\n")
    with pytest.raises(ConfigError, match="defines neither `config` nor `get_config\\(\\)`"):
        load_config(path)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.py")


def test_saved_config_round_trips(tmp_path: Path) -> None:
    cfg = apply_overrides(Experiment(), ["model.kernel=(1, 5)", "train.max_steps=7"])
    save_config(cfg, tmp_path / "config.json")
    assert load_config(tmp_path / "config.json") == cfg
    data = json.loads((tmp_path / "config.json").read_text())
    data["model"]["dim"] = "wide"
    with pytest.raises(ConfigError, match="config key 'model.dim' expects int"):
        from_dict(data)
    data["model"]["dim"] = 8
    data["train"]["lrr"] = 1
    with pytest.raises(ConfigError, match="unknown config key 'train.lrr'"):
        from_dict(data)


def test_validate_accepts_ints_for_floats_and_rejects_bools_for_ints() -> None:
    validate(Experiment(model=Model(dropout=0)))
    with pytest.raises(ConfigError, match="model.dim"):
        validate(Experiment(model=Model(dim=True)))
    assert to_dict(Experiment())["model"]["kernel"] == [3, 3]
    assert dataclasses.is_dataclass(from_dict(to_dict(Experiment())).train)


def test_a_bool_is_not_a_float() -> None:
    """`dropout=True` in a config file is a mistake, not 1.0."""
    with pytest.raises(ConfigError, match="config key 'model.dropout' expects float, got True"):
        validate(Experiment(model=Model(dropout=True)))
    data = to_dict(Experiment())
    data["train"]["optim"]["lr"] = False
    with pytest.raises(ConfigError, match="config key 'train.optim.lr' expects float, got False"):
        from_dict(data)


def test_list_elements_are_checked() -> None:
    with pytest.raises(ConfigError, match="config key 'layers' expects int, got '3'"):
        validate(Experiment(layers=[2, "3"]))
    with pytest.raises(ConfigError, match="config key 'layers' expects int, got 2.5"):
        apply_overrides(Experiment(), ["layers=[1, 2.5]"])
    data = to_dict(Experiment())
    data["layers"] = [1, None]
    with pytest.raises(ConfigError, match="config key 'layers' expects int, got None"):
        from_dict(data)
    assert apply_overrides(Experiment(), ["layers=[4, 4, 8]"]).layers == [4, 4, 8]
