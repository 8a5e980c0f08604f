"""Rules: one YAML file each, Sigma-style metadata, a condition tree, a message and inline tests."""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from rapidfuzz import fuzz, process

from engine.catalogue.entities import (
    TAG_PATTERN,
    Catalogue,
    Number,
    Text,
    error_message,
    located,
)
from engine.catalogue.yamlio import Loc, YamlDocument, read_yaml, yaml_files
from engine.errors import ConfigError, Problem, RuleSetError
from engine.reading.record import FIELDS
from engine.results import Severity
from engine.rules.conditions import (
    ALL_VARIABLES,
    NODE_TYPES,
    Condition,
    check_references,
    node_key,
    variables,
)

RULE_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "status",
    "severity",
    "weight",
    "description",
    "references",
    "when",
    "message",
    "falsepositives",
    "tags",
    "tests",
)
Status = Literal["experimental", "test", "stable", "deprecated"]
# Variables every message may use besides those its predicates fill.
COMMON_VARIABLES = frozenset({"shipment_id"})


def _cell(value: Any) -> Any:
    """A test shipment's value: text or a number, as a cell of a CSV file would read."""
    if type(value) not in (str, int, float):
        what = "a boolean" if isinstance(value, bool) else type(value).__name__
        raise ValueError(f"a shipment field holds text or a number, not {what}")
    return value


Cell = Annotated[str | int | float, BeforeValidator(_cell)]
TestShipment = dict[Text, Cell]


class RuleTests(BaseModel):
    """Shipments that must make the rule hit, and shipments that must not."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hits: list[TestShipment] = []
    passes: list[TestShipment] = []


class Rule(BaseModel):
    """One rule of a rule set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[Text, Field(pattern=TAG_PATTERN, max_length=80)]
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    status: Status
    severity: Severity
    weight: Annotated[Number, Field(gt=0, le=1)]  # a number written as one: not `yes`, not "0.5"
    description: Annotated[Text, Field(min_length=1)]
    references: list[Text] = []
    when: Condition
    message: Annotated[Text, Field(min_length=1)]
    falsepositives: Annotated[list[Annotated[Text, Field(min_length=1)]], Field(min_length=1)]
    tags: list[Annotated[Text, Field(pattern=TAG_PATTERN)]] = []
    tests: RuleTests = RuleTests()

    @field_validator("message")
    @classmethod
    def _template(cls, value: str) -> str:
        for name in template_fields(value):
            if name not in ALL_VARIABLES | COMMON_VARIABLES:
                known = sorted(ALL_VARIABLES | COMMON_VARIABLES)
                raise ValueError(f"unknown variable '{{{name}}}' in message; known: {known}")
        return value

    @property
    def active(self) -> bool:
        """Whether the rule is evaluated (deprecated rules are kept but not run)."""
        return self.status != "deprecated"

    def render(self, values: Mapping[str, str]) -> str:
        """The message with its variables filled."""
        return self.message.format_map(values)

    def to_data(self) -> dict[str, Any]:
        """The rule as plain data, keys in the canonical order, ready to write as YAML."""
        data = self.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        data["tests"] = self.tests.model_dump(mode="json")
        data.setdefault("references", [])
        data.setdefault("tags", [])
        return {k: data[k] for k in RULE_KEYS if k in data}


def template_fields(template: str) -> list[str]:
    """The variable names of a message template; a ValueError for anything but plain names."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"message is not a valid template: {exc}") from exc
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"message variables are plain names like {{party}}; got '{{{name}}}'")
        names.append(name)
    return names


@dataclass(frozen=True)
class RuleSet:
    """A validated set of rules, in id order."""

    rules: tuple[Rule, ...]
    source: str | None = None

    @property
    def active(self) -> tuple[Rule, ...]:
        """The rules that are evaluated."""
        return tuple(r for r in self.rules if r.active)

    def get(self, rule_id: str) -> Rule:
        """The rule with this id."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def digest(self) -> str:
        """A SHA-256 of the rules' content, independent of file names and order."""
        payload = [r.to_data() for r in sorted(self.rules, key=lambda r: r.id)]
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def dump(self, directory: str | Path) -> list[Path]:
        """Write each rule to ``directory/<id>.yaml``; return the paths."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for rule in self.rules:
            path = out / f"{rule.id}.yaml"
            text = yaml.safe_dump(rule.to_data(), sort_keys=False, allow_unicode=True, width=100)
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        return paths


def _suggest(value: str, choices: Iterable[str]) -> str | None:
    found = process.extractOne(
        value, list(choices), scorer=fuzz.ratio, processor=None, score_cutoff=60
    )
    return None if found is None else str(found[0])


def _at(data: Any, loc: tuple[int | str, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _format_loc(data: Any, loc: tuple[int | str, ...]) -> tuple[str, tuple[int | str, ...]]:
    """A readable path for a pydantic location, with the tagged-union tags folded away."""
    parts: list[str] = []
    clean: list[int | str] = []
    i = 0
    while i < len(loc):
        part = loc[i]
        node = _at(data, tuple(clean))
        # pydantic puts the union tag into the location before the node's own field of that name.
        if (
            isinstance(node, dict)
            and node_key(node) == part
            and i + 1 < len(loc)
            and loc[i + 1] == part
        ):
            i += 1
            part = loc[i]
        clean.append(part)
        parts.append(f"[{part}]" if isinstance(part, int) else (f".{part}" if parts else str(part)))
        i += 1
    return "".join(parts), tuple(clean)


_PATH_PART = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def _parse_path(path: str) -> Loc:
    """The location a readable path names: 'when.all[1].goods_in' -> ('when', 'all', 1, ...)."""
    return tuple(int(i) if i else name for i, name in _PATH_PART.findall(path))


def _validation_problems(
    exc: ValidationError, data: dict[str, Any], file: str, item: str, document: YamlDocument | None
) -> list[Problem]:
    problems = []
    for err in exc.errors():
        path, clean = _format_loc(data, tuple(err["loc"]))
        message = error_message(err)
        suggestion = None
        if err["type"] == "condition":
            node = err.get("input")
            if isinstance(node, dict) and len(node) == 1:
                key = str(next(iter(node)))
                message = f"unknown condition '{key}'"
                suggestion = _suggest(key, NODE_TYPES)
            elif isinstance(node, dict):
                keys = ", ".join(map(str, node))
                message = f"a condition has exactly one key; found {keys or 'none'}"
            else:
                message = f"a condition is a mapping with one key; found {type(node).__name__}"
        elif err["type"] == "extra_forbidden":
            key = str(clean[-1]) if clean else ""
            message = f"unknown key '{key}'"
            parent = _at(data, clean[:-1])
            model_fields = _fields_for(parent, clean)
            suggestion = _suggest(key, model_fields) if model_fields else None
        where = located(file, document, clean, key=err["type"] == "extra_forbidden")
        problems.append(
            Problem(file=where, item=item, path=path, message=message, suggestion=suggestion)
        )
    return problems


def _fields_for(parent: Any, loc: tuple[int | str, ...]) -> list[str]:
    """Known keys at a location, for suggestions on unknown keys."""
    if len(loc) == 1:
        return list(RULE_KEYS)
    owner = loc[-2] if len(loc) >= 2 else None
    if isinstance(owner, str) and owner in NODE_TYPES:
        spec = NODE_TYPES[owner].model_fields[owner if owner != "not" else "not_"].annotation
        if isinstance(spec, type) and issubclass(spec, BaseModel):
            return [f.alias or name for name, f in spec.model_fields.items()]
    if owner == "tests":
        return ["hits", "passes"]
    return []


def _check_rule(
    rule: Rule,
    data: dict[str, Any],
    catalogue: Catalogue,
    file: str,
    item: str,
    document: YamlDocument | None,
) -> list[Problem]:
    problems: list[Problem] = []

    def report(path: str, message: str, choices: list[str] | None) -> None:
        bad = message.rsplit("'", 2)[-2] if message.count("'") >= 2 else ""
        suggestion = _suggest(bad, choices) if choices and bad else None
        key = message.startswith("unknown field")
        where = located(file, document, _parse_path(path), key=key)
        problems.append(
            Problem(file=where, item=item, path=path, message=message, suggestion=suggestion)
        )

    check_references(rule.when, catalogue, report)
    available = variables(rule.when) | COMMON_VARIABLES
    for name in template_fields(rule.message):
        if name not in available:
            report(
                "message",
                f"variable '{{{name}}}' is never filled: no predicate of the rule provides it "
                f"(outside 'not'); available: {', '.join(sorted(available))}",
                None,
            )
    for group in ("hits", "passes"):
        for i, shipment in enumerate(getattr(rule.tests, group)):
            for key in shipment:
                if key not in FIELDS:
                    report(f"tests.{group}[{i}].{key}", f"unknown field '{key}'", list(FIELDS))
    stem = Path(file).stem
    if rule.id != stem:
        message = f"id must match the file name '{stem}'"
        where = located(file, document, ("id",))
        problems.append(Problem(file=where, item=item, path="id", message=message))
    keys = [k for k in data if k in RULE_KEYS]
    expected = [k for k in RULE_KEYS if k in data]
    if keys != expected:
        problems.append(
            Problem(
                file=file,
                item=item,
                message="keys out of order: write them as " + ", ".join(expected),
            )
        )
    return problems


def parse_rule(
    data: Any, catalogue: Catalogue, *, file: str, document: YamlDocument | None = None
) -> tuple[Rule | None, list[Problem]]:
    """Validate one rule's data against the schema and the catalogue (``document``, the file the
    data was read from, gives problems their lines)."""
    if not isinstance(data, dict):
        found = "the file is empty" if data is None else f"found {_kind(data)}"
        message = f"a rule file holds one mapping (id, title, ...); {found}"
        return None, [Problem(file=file, message=message)]
    rid = data.get("id")
    item = f"rule '{rid}'" if isinstance(rid, str) else "rule"
    try:
        rule = Rule.model_validate(data)
    except ValidationError as exc:
        return None, _validation_problems(exc, data, file, item, document)
    problems = _check_rule(rule, data, catalogue, file, item, document)
    return (rule if not problems else None), problems


def _kind(data: Any) -> str:
    return "a list" if isinstance(data, list) else f"the value {str(data)[:40]!r}"


def _bundled_rules() -> Path | None:
    """The bundled rules folder, if this installation has one."""
    from engine.catalogue.bundled import bundled_dir

    try:
        return bundled_dir("rules").resolve()
    except ConfigError:
        return None


def load_rules(directory: str | Path, catalogue: Catalogue) -> RuleSet:
    """Load every ``*.yaml`` rule in ``directory``; raise RuleSetError listing every problem.

    Only the folder's own ``*.yaml``/``*.yml`` files are read; a subfolder holding YAML files, and
    an entry that is not a regular file (a FIFO, a dangling symlink...), are problems.
    """
    root = Path(directory)
    found = yaml_files(root)
    if found is None:
        raise RuleSetError(f"{root}: not a directory of rule files")
    files, problems = found
    if not files and not problems:
        raise RuleSetError(f"{root}: no rule files (*.yaml) found")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    bundled = _bundled_rules()
    for path in files:
        cache = bundled is not None and path.parent.resolve() == bundled
        document, file_problems = read_yaml(path, label=str(path), cache=cache)
        if document is None:
            problems.extend(file_problems)
            continue
        data = document.data
        rule, rule_problems = parse_rule(data, catalogue, file=str(path), document=document)
        problems.extend(rule_problems)
        if rule is None:
            continue
        if rule.id in seen:
            problems.append(
                Problem(
                    file=str(path),
                    item=f"rule '{rule.id}'",
                    path="id",
                    message=f"duplicate rule id (also in {seen[rule.id]})",
                )
            )
            continue
        seen[rule.id] = str(path)
        rules.append(rule)
    if problems:
        raise RuleSetError(f"{root}: {len(problems)} problem(s) in the rule set", problems=problems)
    return RuleSet(rules=tuple(sorted(rules, key=lambda r: r.id)), source=str(root))
