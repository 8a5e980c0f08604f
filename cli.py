"""The ``shipscreen`` command: a thin shell over the engine's public API.

Exit codes: 0 screened (rows with errors are reported in the output, not in the exit code); 1 inline
rule tests failed; 2 unusable rules, entities or input.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

import click
import yaml

from engine import ConfigError, InputError, Screener, __version__, run_inline_tests
from engine.bundled import bundled_dir
from engine.csvio import ResultWriter, ShipmentReader, load_column_map
from engine.results import SEVERITIES

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNUSABLE = 2

_DIR = click.Path(exists=False, file_okay=False, path_type=Path)


def _fail(message: str, code: int = EXIT_UNUSABLE) -> None:
    click.echo(f"shipscreen: {message}", err=True)
    sys.exit(code)


def _load(
    rules: Path | None,
    entities: Path | None,
    lists: tuple[Path, ...] = (),
    allow: tuple[Path, ...] = (),
) -> Screener:
    try:
        if rules is None and entities is None and not lists and not allow:
            return Screener.default()
        return Screener.load(rules=rules, entities=entities, lists=lists, allow=allow)
    except ConfigError as exc:
        _fail(str(exc))
        raise  # unreachable; keeps type checkers sure the function returns


_FILE = click.Path(exists=False, path_type=Path)
list_option = click.option(
    "--list",
    "lists",
    multiple=True,
    type=_FILE,
    help="Sanctions list to screen against as well: OFAC sdn.csv (alt.csv beside it is read too), "
    "OpenSanctions targets.simple.csv, or entity YAML. Repeatable.",
)
allow_option = click.option(
    "--allow",
    multiple=True,
    type=_FILE,
    help="Allow-list file of cleared matches (YAML with 'cleared:'). Repeatable.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shipscreen")
def main() -> None:
    """Screen shipments for signs of diversion to Russia's military."""


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file to write.",
)
@click.option("--rules", type=_DIR, help="Rule set directory (default: the bundled rules).")
@click.option("--entities", type=_DIR, help="Entity catalogue directory (default: bundled).")
@click.option(
    "--columns",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML file mapping input headers to shipment fields.",
)
@list_option
@allow_option
def screen(
    input_path: Path,
    output_path: Path,
    rules: Path | None,
    entities: Path | None,
    columns: Path | None,
    lists: tuple[Path, ...],
    allow: tuple[Path, ...],
) -> None:
    """Screen the shipments in INPUT (CSV) and write them, scored and explained, to OUTPUT."""
    started = time.monotonic()
    screener = _load(rules, entities, lists, allow)
    for loaded in screener.lists:
        click.echo(
            f"shipscreen: list {loaded.path}: {loaded.entries} entries ({loaded.format}), "
            f"sha256 {loaded.digest[:12]}",
            err=True,
        )
    try:
        mapping = load_column_map(columns) if columns else None
        reader = ShipmentReader(input_path, columns=mapping)
    except InputError as exc:
        _fail(str(exc))
        return
    bands: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    errors = 0
    with reader:
        for warning in reader.header.warnings:
            click.echo(f"shipscreen: {input_path}: {warning}", err=True)
        try:
            writer = ResultWriter(output_path, reader.header)
        except OSError as exc:
            _fail(f"{output_path}: cannot write: {exc.strerror or exc}")
            return
        with writer:
            for row in reader:
                result = screener.screen_input_row(row)
                writer.write(row.cells, result)
                if result.error is not None:
                    errors += 1
                    click.echo(f"shipscreen: {input_path}: {result.error}", err=True)
                else:
                    bands[str(result.band)] += 1
                    by_rule.update(result.rule_ids)
    total = sum(bands.values()) + errors
    summary = ", ".join(f"{bands[b]} {b}" for b in reversed(SEVERITIES))
    click.echo(
        f"shipscreen: screened {total} rows in {time.monotonic() - started:.1f} s: {summary}, "
        f"{errors} with errors -> {output_path}",
        err=True,
    )
    for rule_id, count in by_rule.most_common():
        click.echo(f"  {count:6d}  {rule_id}", err=True)
    click.echo(
        f"  rule set {screener.ruleset_digest[:12]}, catalogue {screener.catalogue_digest[:12]}",
        err=True,
    )


@main.group()
def rules() -> None:
    """Work with rule sets."""


@rules.command("check")
@click.argument("directory", required=False, type=_DIR)
@click.option("--entities", type=_DIR, help="Entity catalogue directory (default: bundled).")
@list_option
def rules_check(directory: Path | None, entities: Path | None, lists: tuple[Path, ...]) -> None:
    """Validate a rule set (default: the bundled one) and run its inline tests."""
    screener = _load(directory, entities, lists)
    source = directory or bundled_dir("rules")
    outcomes = run_inline_tests(screener)
    failed = [o for o in outcomes if not o.passed]
    for outcome in failed:
        click.echo(outcome.describe(), err=True)
    n_rules = len(screener.ruleset.rules)
    click.echo(
        f"{source}: {n_rules} rules valid; {len(outcomes) - len(failed)} of {len(outcomes)} "
        "inline tests passed"
    )
    if failed:
        sys.exit(EXIT_FAILED)


@rules.command("test")
@click.argument("directory", required=False, type=_DIR)
@click.option("--entities", type=_DIR, help="Entity catalogue directory (default: bundled).")
@list_option
@click.option(
    "--properties",
    is_flag=True,
    help="Also check the engine's properties against the rule set (needs shipscreen[testing]).",
)
@click.option(
    "--examples",
    type=click.IntRange(1, 100000),
    default=60,
    show_default=True,
    help="Examples per property.",
)
@click.option(
    "--random",
    "random_examples",
    is_flag=True,
    help="Draw new examples each run instead of the same deterministic ones.",
)
@click.option("-v", "--verbose", is_flag=True, help="List the inline tests that pass too.")
def rules_test(
    directory: Path | None,
    entities: Path | None,
    lists: tuple[Path, ...],
    properties: bool,
    examples: int,
    random_examples: bool,
    verbose: bool,
) -> None:
    """Run a rule set's inline tests and, with --properties, the engine's properties against it."""
    screener = _load(directory, entities, lists)
    source = directory or bundled_dir("rules")
    outcomes = run_inline_tests(screener)
    failed = [o for o in outcomes if not o.passed]
    for outcome in outcomes if verbose else failed:
        click.echo(outcome.describe())
    click.echo(f"{source}: {len(outcomes) - len(failed)} of {len(outcomes)} inline tests passed")
    broken = 0
    if properties:
        try:
            from engine.properties import PROPERTIES, check_property
        except ImportError as exc:
            _fail(f"--properties: {exc}")
            return
        click.echo(f"properties ({examples} examples each):")
        for prop in PROPERTIES:
            failure = check_property(
                prop, screener, max_examples=examples, seed=not random_examples
            )
            if failure is None:
                click.echo(f"  ok      {prop.name}: {prop.description}")
                continue
            broken += 1
            click.echo(f"  FAILED  {prop.name}: {failure.message}")
            click.echo(f"          {_example_text(failure.example)}")
    if failed or broken:
        sys.exit(EXIT_FAILED)


def _example_text(example: object) -> str:
    """A failing example as the user can paste it (a shipment into a rule's tests)."""
    if isinstance(example, dict):
        line = yaml.safe_dump([example], allow_unicode=True, default_flow_style=None, width=10**6)
        return "paste into a rule's tests: " + line.strip()
    return f"example: {example!r}"


@main.command()
@click.argument("name")
@list_option
@allow_option
@click.option("--entities", type=_DIR, help="Entity catalogue directory (default: bundled).")
@click.option(
    "--min-similarity",
    type=click.FloatRange(0.7, 1.0),
    default=0.7,
    show_default=True,
    help="The lowest similarity to show.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def match(
    name: str,
    lists: tuple[Path, ...],
    allow: tuple[Path, ...],
    entities: Path | None,
    min_similarity: float,
    fmt: str,
) -> None:
    """Show the catalogue and list entries NAME resembles, best first, with the evidence."""
    screener = _load(None, entities, lists, allow)
    found = screener.match(name, min_similarity=min_similarity)
    if fmt == "json":
        click.echo(
            json.dumps([m.model_dump(mode="json") for m in found], ensure_ascii=False, indent=2)
        )
        return
    if not found:
        click.echo(f"'{name}': no entry reaches {min_similarity:.0%} similarity")
        return
    for m in found:
        tags = ", ".join(m.tags) or "no tags"
        click.echo(
            f"{m.similarity:6.1%}  {m.entry_name}  [{m.list} {m.entry_id}; {m.kind}; {tags}]"
        )
        if m.matched_name != m.entry_name:
            click.echo(f"        on the name '{m.matched_name}'")
        click.echo(f"        {m.how}")
        if m.source:
            click.echo(f"        source: {m.source}")
        if m.cleared:
            click.echo(f"        suppressed: {m.cleared}")


if __name__ == "__main__":
    main()
