"""Dataclass configs: Python config files, `--set a.b=value` overrides, and the resolved config saved per run.

A config file is a Python module that defines `config` (a dataclass instance) or `get_config()`.
Every value is checked against its field's annotation, so a typo or a wrong type fails loudly,
naming the key, instead of training the wrong experiment.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import importlib
import importlib.util
import json
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union

CLASS_KEY = "__class__"


class ConfigError(ValueError):
    """A config file, key or value that does not fit the dataclass schema."""


# ----------------------------------------------------------------------------------------------
# loading


def load_config(path: str | Path) -> Any:
    """Load a config from a Python file (`config` or `get_config()`) or a saved `config.json`."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as err:
            raise ConfigError(f"{path}: not valid JSON ({err})") from err
        return from_dict(data, source=str(path))
    if path.suffix != ".py":
        raise ConfigError(f"{path}: expected a .py config file or a saved config.json")
    spec = importlib.util.spec_from_file_location(f"_config_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if hasattr(module, "get_config"):
        cfg = module.get_config()
    elif hasattr(module, "config"):
        cfg = module.config
    else:
        raise ConfigError(f"{path}: defines neither `config` nor `get_config()`")
    if not dataclasses.is_dataclass(cfg) or isinstance(cfg, type):
        raise ConfigError(f"{path}: `config` must be a dataclass instance, got {type(cfg).__name__}")
    validate(cfg, source=str(path))
    return cfg


# ----------------------------------------------------------------------------------------------
# overrides


def apply_overrides(cfg: Any, overrides: list[str]) -> Any:
    """Return a copy of `cfg` with each `dotted.key=value` applied; values are parsed by the field's type."""
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"override {item!r}: expected the form key=value, e.g. train.lr=3e-4")
        cfg = _set(cfg, key.strip().split("."), text.strip(), full_key=key.strip())
    return cfg


def _set(node: Any, parts: list[str], text: str, full_key: str) -> Any:
    name = parts[0]
    fields = {f.name: f for f in dataclasses.fields(node)}
    if name not in fields:
        prefix = full_key[: len(full_key) - len(".".join(parts))]
        close = difflib.get_close_matches(name, fields, n=1)
        hint = f" (did you mean {prefix + close[0]!r}?)" if close else ""
        raise ConfigError(
            f"unknown config key {full_key!r}{hint}; keys here: {', '.join(sorted(fields))}"
        )
    hint = _type_hints(type(node))[name]
    current = getattr(node, name)
    if len(parts) > 1:
        if not dataclasses.is_dataclass(current):
            raise ConfigError(f"config key {full_key!r}: {name!r} is a {_type_name(hint)}, not a section")
        return dataclasses.replace(node, **{name: _set(current, parts[1:], text, full_key)})
    if dataclasses.is_dataclass(current):
        raise ConfigError(f"config key {full_key!r} is a section; set one of its fields, e.g. {full_key}.<field>=...")
    return dataclasses.replace(node, **{name: parse_value(text, hint, full_key)})


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def parse_value(text: str, hint: Any, key: str) -> Any:
    """Parse command-line text into a value of type `hint`, or raise ConfigError naming `key`."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if type(None) in options and text.lower() in ("none", "null"):
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return parse_value(text, option, key)
            except ConfigError:
                continue
        raise ConfigError(f"config key {key!r} expects {_type_name(hint)}, got {text!r}")
    if origin is Literal:
        for choice in typing.get_args(hint):
            if str(choice) == text:
                return choice
        raise ConfigError(f"config key {key!r} expects one of {list(typing.get_args(hint))}, got {text!r}")
    if hint is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ConfigError(f"config key {key!r} expects a bool (true/false), got {text!r}")
    if hint is int:
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"config key {key!r} expects an int, got {text!r}") from None
    if hint is float:
        try:
            return float(text)
        except ValueError:
            raise ConfigError(f"config key {key!r} expects a float, got {text!r}") from None
    if hint is str:
        return text
    if hint is Path:
        return Path(text)
    if origin in (tuple, list, dict):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise ConfigError(f"config key {key!r} expects {_type_name(hint)} as a Python literal, got {text!r}") from None
        return check_value(value, hint, key)
    raise ConfigError(f"config key {key!r}: its type {_type_name(hint)} cannot be set from the command line")


# ----------------------------------------------------------------------------------------------
# validation and (de)serialisation


def validate(cfg: Any, source: str = "config", prefix: str = "") -> None:
    """Check every field of a dataclass config (recursively) against its annotation."""
    hints = _type_hints(type(cfg))
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if dataclasses.is_dataclass(value):
            validate(value, source, f"{prefix}{f.name}.")
        else:
            check_value(value, hints[f.name], prefix + f.name, source)


def check_value(value: Any, hint: Any, key: str, source: str = "") -> Any:
    """Return `value` if it matches `hint` (ints are accepted for floats), else raise ConfigError."""
    where = f"{source}: " if source else ""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)

    def fail() -> typing.NoReturn:
        raise ConfigError(f"{where}config key {key!r} expects {_type_name(hint)}, got {value!r}")

    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        for option in args:
            try:
                return check_value(value, option, key, source)
            except ConfigError:
                continue
        fail()
    if hint is type(None):
        if value is not None:
            fail()
        return value
    if origin is Literal:
        if value not in args:
            fail()
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail()
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            fail()
        return value
    if hint in (bool, str):
        if not isinstance(value, hint):
            fail()
        return value
    if hint is Path:
        if not isinstance(value, (str, Path)):
            fail()
        return Path(value)
    if origin is tuple:
        if not isinstance(value, (tuple, list)):
            fail()
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(check_value(v, args[0], key, source) for v in value)
        if args and len(args) != len(value):
            fail()
        return tuple(check_value(v, a, key, source) for v, a in zip(value, args, strict=True)) if args else tuple(value)
    if origin is list:
        if not isinstance(value, (tuple, list)):
            fail()
        return [check_value(v, args[0], key, source) for v in value] if args else list(value)
    if origin is dict:
        if not isinstance(value, dict):
            fail()
        return value
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, hint):
            fail()
        return value
    if isinstance(hint, type) and not isinstance(value, hint):
        fail()
    return value


def to_dict(cfg: Any) -> dict:
    """A JSON-ready dict of the config, with each dataclass's class recorded so it can be loaded back."""
    out: dict[str, Any] = {CLASS_KEY: f"{type(cfg).__module__}:{type(cfg).__qualname__}"}
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if dataclasses.is_dataclass(value):
            out[f.name] = to_dict(value)
        elif isinstance(value, Path):
            out[f.name] = str(value)
        elif isinstance(value, tuple):
            out[f.name] = list(value)
        else:
            out[f.name] = value
    return out


def from_dict(data: dict, cls: type | None = None, source: str = "config", prefix: str = "") -> Any:
    """Rebuild a config saved by `to_dict`, checking every value."""
    if cls is None:
        target = data.get(CLASS_KEY)
        if not isinstance(target, str) or ":" not in target:
            raise ConfigError(f"{source}: field {CLASS_KEY!r} missing; expected 'module:ClassName'")
        module_name, _, qualname = target.partition(":")
        try:
            cls = importlib.import_module(module_name)
            for part in qualname.split("."):
                cls = getattr(cls, part)
        except (ImportError, AttributeError) as err:
            raise ConfigError(f"{source}: cannot import config class {target!r} ({err})") from err
    hints = _type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names - {CLASS_KEY})
    if unknown:
        raise ConfigError(f"{source}: unknown config key {prefix + unknown[0]!r}; keys here: {', '.join(sorted(names))}")
    kwargs = {}
    for name in names & set(data):
        hint, value = hints[name], data[name]
        if dataclasses.is_dataclass(hint) and isinstance(value, dict):
            kwargs[name] = from_dict(value, hint, source, f"{prefix}{name}.")
        else:
            kwargs[name] = check_value(value, hint, prefix + name, source)
    return cls(**kwargs)


def save_config(cfg: Any, path: str | Path) -> None:
    Path(path).write_text(json.dumps(to_dict(cfg), indent=2) + "\n")


def _type_hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _type_name(hint: Any) -> str:
    if isinstance(hint, type):
        return hint.__name__
    return str(hint).replace("typing.", "")
