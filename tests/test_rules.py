"""Rule loading: every problem reported at once with file, rule, path and a suggestion."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from engine import RuleSetError, Screener, load_rules, run_inline_tests
from engine.catalogue.bundled import bundled_dir
from engine.catalogue.entities import load_catalogue
from engine.rules.ruleset import RULE_KEYS

CATALOGUE = load_catalogue(bundled_dir("entities"))

GOOD = {
    "id": "test-rule",
    "title": "A test rule",
    "status": "experimental",
    "severity": "medium",
    "weight": 0.5,
    "description": "For tests.",
    "references": [],
    "when": {"goods_in": {"tags": ["chpl"]}},
    "message": "Goods: {goods}.",
    "falsepositives": ["None known."],
    "tags": [],
    "tests": {"hits": [{"hs_code": "8542.31"}], "passes": [{"hs_code": "0901.21"}]},
}


def write_rule(directory: Path, rule: dict[str, object], name: str | None = None) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / f"{name or rule['id']}.yaml"
    path.write_text(yaml.safe_dump(rule, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def problems(directory: Path) -> str:
    with pytest.raises(RuleSetError) as err:
        load_rules(directory, CATALOGUE)
    return str(err.value)


def test_a_good_rule_loads(tmp_path: Path) -> None:
    write_rule(tmp_path, GOOD)
    ruleset = load_rules(tmp_path, CATALOGUE)
    assert [r.id for r in ruleset.rules] == ["test-rule"]


def test_unknown_predicate_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    rule = {**GOOD, "when": {"all": [{"goods_in": {"tags": ["chpl"]}}, {"party_match": {}}]}}
    path = write_rule(tmp_path, rule)
    text = problems(tmp_path)
    assert (
        f"{path}:13:5: rule 'test-rule': when.all[1]: unknown condition 'party_match' "
        "(did you mean 'party_matches'?)"
    ) in text


def test_unknown_list_tag_category_and_field_are_reported(tmp_path: Path) -> None:
    rule = {
        **GOOD,
        "when": {
            "all": [
                {"goods_in": {"tags": ["chlp"], "categories": ["drone"]}},
                {"country_in": {"fields": ["destination_countries"], "tags": ["diversion-hubs"]}},
                {"text_has_phrase": {"fields": ["end_use"], "phrases": ["military-enduse"]}},
                {"party_matches": {"tags": ["sanctionned"]}},
            ]
        },
    }
    path = write_rule(tmp_path, rule)
    text = problems(tmp_path)
    head = ": rule 'test-rule': when.all"
    # Each problem names the line and column of the value at fault.
    assert (
        f"{path}:12:9{head}[0].goods_in.tags[0]: unknown goods tag 'chlp' (did you mean 'chpl'?)"
    ) in text
    assert (
        f"{path}:14:9{head}[0].goods_in.categories[0]: unknown goods category 'drone' "
        "(did you mean 'drones'?)"
    ) in text
    assert (
        f"{path}:17:9{head}[1].country_in.fields[0]: unknown country field "
        "'destination_countries' (did you mean 'destination_country'?)"
    ) in text
    assert (
        f"{path}:19:9{head}[1].country_in.tags[0]: unknown country tag 'diversion-hubs' "
        "(did you mean 'diversion-hub'?)"
    ) in text
    assert (
        f"{path}:24:9{head}[2].text_has_phrase.phrases[0]: unknown phrase list "
        "'military-enduse' (did you mean 'military-end-use'?)"
    ) in text
    assert f"{path}:27:9{head}[3].party_matches.tags[0]: unknown party tag 'sanctionned'" in text


def test_unknown_keys_and_bad_values_are_reported(tmp_path: Path) -> None:
    rule = {**GOOD, "severity": "severe", "weight": 1.5, "falsepositive": ["x"]}
    del rule["falsepositives"]
    write_rule(tmp_path, rule)
    text = problems(tmp_path)
    assert "severity: Input should be 'low', 'medium', 'high' or 'critical'" in text
    assert "weight: Input should be less than or equal to 1" in text
    assert "falsepositive: unknown key 'falsepositive' (did you mean 'falsepositives'?)" in text
    assert "falsepositives: Field required" in text


def test_predicate_parameters_are_checked(tmp_path: Path) -> None:
    rule = {**GOOD, "when": {"party_matches": {"tags": ["sanctioned"], "min_similarty": 0.9}}}
    rule["message"] = "Party: {party}."
    write_rule(tmp_path, rule)
    text = problems(tmp_path)
    assert (
        "when.party_matches.min_similarty: unknown key 'min_similarty' "
        "(did you mean 'min_similarity'?)"
    ) in text


def test_a_condition_with_two_keys_is_rejected(tmp_path: Path) -> None:
    rule = {**GOOD, "when": {"goods_in": {"tags": ["chpl"]}, "country_in": {"fields": ["route"]}}}
    write_rule(tmp_path, rule)
    assert "when: a condition has exactly one key; found goods_in, country_in" in problems(tmp_path)


def test_message_variables_must_be_filled(tmp_path: Path) -> None:
    write_rule(tmp_path, {**GOOD, "message": "Party {party} and {goods}."})
    assert "variable '{party}' is never filled" in problems(tmp_path)
    write_rule(tmp_path, {**GOOD, "message": "Nothing {goods.__class__}."})
    assert "message variables are plain names" in problems(tmp_path)


def test_every_problem_of_every_file_at_once(tmp_path: Path) -> None:
    write_rule(tmp_path, {**GOOD, "id": "one", "severity": "huge"})
    write_rule(tmp_path, {**GOOD, "id": "two", "when": {"goods_inn": {}}})
    write_rule(tmp_path, GOOD, name="three")
    text = problems(tmp_path)
    assert "one.yaml:4:11: rule 'one': severity" in text
    assert "two.yaml:9:3: rule 'two': when: unknown condition 'goods_inn'" in text
    assert "three.yaml:1:5: rule 'test-rule': id: id must match the file name 'three'" in text
    assert "3 problem(s)" in text


def test_duplicate_ids_and_keys(tmp_path: Path) -> None:
    write_rule(tmp_path, GOOD)
    sub = tmp_path / "more"
    write_rule(sub, GOOD)
    shutil.copy(sub / "test-rule.yaml", tmp_path / "test-rule.yml")
    assert "duplicate rule id" in problems(tmp_path)
    (tmp_path / "test-rule.yml").unlink()
    text = (tmp_path / "test-rule.yaml").read_text(encoding="utf-8")
    (tmp_path / "test-rule.yaml").write_text(text + "severity: high\n", encoding="utf-8")
    assert "duplicate key 'severity'" in problems(tmp_path)


def test_keys_must_be_in_the_fixed_order(tmp_path: Path) -> None:
    rule = {"title": GOOD["title"], **{k: v for k, v in GOOD.items() if k != "title"}}
    write_rule(tmp_path, rule)
    assert "keys out of order: write them as " + ", ".join(RULE_KEYS) in problems(tmp_path)


def test_unknown_fields_in_inline_tests(tmp_path: Path) -> None:
    write_rule(tmp_path, {**GOOD, "tests": {"hits": [{"hscode": "8542.31"}]}})
    assert "tests.hits[0].hscode: unknown field 'hscode' (did you mean 'hs_code'?)" in problems(
        tmp_path
    )


def test_deprecated_rules_are_kept_but_not_run(tmp_path: Path) -> None:
    write_rule(tmp_path, {**GOOD, "status": "deprecated"})
    screener = Screener(CATALOGUE, load_rules(tmp_path, CATALOGUE))
    assert screener.screen({"hs_code": "8542.31"}).hits == []


def test_a_dumped_rule_set_loads_and_screens_identically(
    tmp_path: Path, screener: Screener
) -> None:
    screener.ruleset.dump(tmp_path)
    again = Screener(screener.catalogue, load_rules(tmp_path, screener.catalogue))
    assert again.ruleset_digest == screener.ruleset_digest
    row = {"consignee": "Rosoboroneksport", "consignee_country": "RU", "hs_code": "8526.91"}
    assert again.screen(row) == screener.screen(row)


# ------------------------------------------------------------------------- the bundled rules


BUNDLED = Screener.default()
INLINE = run_inline_tests(BUNDLED)


def test_bundled_rules_have_inline_tests_of_both_kinds() -> None:
    for rule in BUNDLED.ruleset.rules:
        assert rule.tests.passes, rule.id
        if rule.id not in LIST_ONLY:
            assert rule.tests.hits, rule.id


# Rules that only lists loaded at screening time can make hit: tested with fixture lists in
# test_list_formats.py.
LIST_ONLY = {
    "owned-by-sanctioned": "no catalogue party is owned by a listed one",
    "export-denied-party": "no catalogue party is on the Denied Persons List",
    "sectoral-party": "no catalogue party is under sectoral sanctions only",
    "unverified-party": "no catalogue party is on the Unverified List",
}


def _party_tags(node: object) -> set[str]:
    """The tags a rule's party predicates test, anywhere in its condition."""
    if isinstance(node, list):
        return {t for item in node for t in _party_tags(item)}
    if not isinstance(node, dict):
        return set()
    found = {t for key, value in node.items() for t in _party_tags(value)}
    for predicate in ("party_matches", "party_owned_by"):
        if isinstance(node.get(predicate), dict):
            found |= set(node[predicate].get("tags", []))
    return found


def test_the_rules_without_inline_hits_test_tags_no_catalogue_party_carries() -> None:
    carried = {t for p in CATALOGUE.parties.values() for t in p.listing_tags}
    for rule_id in LIST_ONLY:
        data = yaml.safe_load((bundled_dir("rules") / f"{rule_id}.yaml").read_text("utf-8"))
        assert not data["tests"]["hits"], rule_id
        tags = _party_tags(data["when"])
        assert tags, rule_id
        if rule_id != "owned-by-sanctioned":  # its owners carry the tag, not the party
            assert not tags & carried, rule_id


@pytest.mark.parametrize("outcome", INLINE, ids=lambda o: f"{o.rule_id}/{o.group}/{o.index}")
def test_inline_rule_tests(outcome: object) -> None:
    assert outcome.passed, outcome.describe()  # type: ignore[attr-defined]


def test_an_inline_test_can_fail(tmp_path: Path) -> None:
    write_rule(tmp_path, {**GOOD, "tests": {"hits": [{"hs_code": "0901.21"}], "passes": []}})
    screener = Screener(CATALOGUE, load_rules(tmp_path, CATALOGUE))
    [outcome] = run_inline_tests(screener)
    assert not outcome.passed
    assert "expected the rule to hit; hits: no rule [FAILED]" in outcome.describe()
