"""The bundled entity catalogue: complete, sourced, consistent; the loader's checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from engine import CatalogueError, Screener, load_catalogue
from engine.catalogue import yamlio
from engine.catalogue.bundled import bundled_dir
from tests.conftest import shared_path

CATALOGUE = load_catalogue(bundled_dir("entities"))

FIRMS_THE_DOCUMENTS_NAME = {
    "poly-technologies": {"sanctioned", "named-supplier"},
    "nanan-baofeng-electronic": {"named-supplier"},
    "avic-international": {"named-supplier"},
    "kret": {"sanctioned"},
    "rostec": {"sanctioned"},
    "rosoboronexport": {"sanctioned"},
    "wuhan-global-sensor": {"sanctioned", "named-supplier"},
    "wuhan-tongsheng": {"sanctioned", "named-supplier"},
    "hikvision": {"named-supplier"},
    "iray-technology": {"sanctioned", "named-supplier"},
    "ncrieo": {"named-supplier"},
    "dji": {"named-supplier"},
    "huawei": {"named-supplier"},
}


def _sources(data: object) -> list[dict[str, str]]:
    """Every source mapping anywhere in a YAML tree."""
    found: list[dict[str, str]] = []
    if isinstance(data, dict):
        if "document" in data or "public" in data:
            found.append(data)
        for value in data.values():
            found.extend(_sources(value))
    elif isinstance(data, list):
        for value in data:
            found.extend(_sources(value))
    return found


@pytest.mark.parametrize(("party_id", "tags"), sorted(FIRMS_THE_DOCUMENTS_NAME.items()))
def test_every_firm_the_documents_name_is_catalogued(party_id: str, tags: set[str]) -> None:
    party = CATALOGUE.parties[party_id]
    assert tags <= set(party.tags)
    assert party.country in {"CN", "RU"}
    assert party.sources


def test_sanctioned_firms_carry_a_blocking_designation() -> None:
    for party in CATALOGUE.parties.values():
        blocking = any(d.blocking for d in party.designations)
        assert blocking == ("sanctioned" in party.tags), party.id


def test_baofeng_records_the_denial_as_a_dispute() -> None:
    party = CATALOGUE.parties["nanan-baofeng-electronic"]
    assert any("Nanan" in d.statement for d in party.disputes)
    assert "Fujian Baofeng Electronics" not in party.all_names()


def test_rostec_is_parent_of_kret() -> None:
    assert "rostec" in {o.owner for o in CATALOGUE.parties["kret"].owners}


def test_native_script_names_are_present() -> None:
    native = CATALOGUE.parties["rosoboronexport"].native_names
    assert any(re.search("[а-яА-Я]", n) for n in native)
    assert any(re.search("[\u4e00-\u9fff]", n) for n in CATALOGUE.parties["hikvision"].native_names)


def test_chpl_has_its_50_codes_in_six_tiers() -> None:
    chpl = [c for c in CATALOGUE.categories.values() if "chpl" in c.tags]
    assert len(chpl) == 50
    assert {c.chpl_tier for c in chpl} == {"1", "2", "3A", "3B", "4A", "4B"}
    assert all(len(c.hs) == 1 and len(c.hs[0]) == 6 for c in chpl)


def test_chpl_matches_the_bis_list() -> None:
    import csv

    path = shared_path("reference", "chpl_2024-02-23.csv")
    with path.open(encoding="utf-8") as fh:
        reference = {r["hs6"]: r["tier"] for r in csv.DictReader(fh)}
    ours = {c.hs[0]: c.chpl_tier for c in CATALOGUE.categories.values() if "chpl" in c.tags}
    assert ours == reference


MILITARY_HS = {
    "8710",
    "8806",
    "8807",
    "880260",
    "841111",
    "841112",
    "841121",
    "841122",
    "841191",
    "840710",
    "9301",
    "9305",
    "9306",
    "391220",
    "901310",
}
HEAVY_MACHINERY_HS = {"842911", "842919", "842952", "842959", "870422", "870423", "870432", "8701"}


def test_military_tag_covers_the_policy_and_only_it() -> None:
    military = [c for c in CATALOGUE.categories.values() if "military" in c.tags]
    covered = {code for c in military for code in c.hs}
    assert all(any(code.startswith(m) for m in MILITARY_HS) for code in covered)
    for code in MILITARY_HS:
        assert any(code.startswith(c) or c.startswith(code) for c in covered), code
    by_description = {c.id for c in military if not c.hs}
    assert by_description == {"body-armour", "ballistic-helmets", "jamming-equipment"}


def test_heavy_machinery_tag_covers_the_policy() -> None:
    codes = {
        code for c in CATALOGUE.categories.values() if "heavy-machinery" in c.tags for code in c.hs
    }
    assert codes == HEAVY_MACHINERY_HS


@pytest.mark.parametrize(
    "good",
    [
        "navigation",
        "jamming",
        "fighter",
        "helicopter",
        "antenna",
        "drone",
        "body",
        "helmet",
        "sight",
        "machine tool",
        "microelectronic",
        "nitrocellulose",
        "tank",
        "uav",
        "turbojet",
        "satellite",
        "5g",
        "excavator",
        "bulldozer",
        "bearing",
        "truck",
        "tractor",
        "rifle",
        "ammunition",
        "avionic",
        "infrared",
        "radar",
    ],
)
def test_every_good_the_documents_name_has_a_category(good: str) -> None:
    titles = [c.title.lower() + " " + c.id for c in CATALOGUE.categories.values()]
    assert any(good in t or good.replace(" ", "-") in t for t in titles), good


def test_country_roles() -> None:
    tagged = {c.code: set(c.tags) for c in CATALOGUE.countries.values()}
    assert {"RU", "BY"} == {k for k, v in tagged.items() if "sanctioned-destination" in v}
    hubs = {k for k, v in tagged.items() if "diversion-hub" in v}
    assert hubs == {"AE", "TR", "KG", "KZ", "UZ", "AM", "GE"}
    for code in hubs:
        assert CATALOGUE.countries[code].sources


def test_phrase_lists() -> None:
    assert {"military-end-use", "civilian-claims", "logistics-companies"} <= set(
        CATALOGUE.phrase_lists
    )
    phrases = CATALOGUE.phrase_lists["military-end-use"].phrases
    assert any(re.search("[а-я]", p) for p in phrases)
    assert any(re.search("[a-z]", p) for p in phrases)


def test_every_entry_cites_a_source() -> None:
    for path in sorted(bundled_dir("entities").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("parties", "categories", "countries", "phrase_lists"):
            for entry in data.get(key, []) or []:
                assert entry.get("sources"), (path.name, entry.get("id", entry.get("code")))


def test_document_quotes_are_verbatim() -> None:
    seeds = shared_path("seeds")
    texts = {
        p.name: re.sub(r"\s+", " ", p.read_text(encoding="utf-8")) for p in seeds.glob("*.txt")
    }
    bad = []
    for path in sorted(bundled_dir("entities").glob("*.yaml")):
        for source in _sources(yaml.safe_load(path.read_text(encoding="utf-8"))):
            if "document" not in source:
                continue
            quote = re.sub(r"\s+", " ", source["quote"]).strip()
            if source["document"] not in texts or quote not in texts[source["document"]]:
                bad.append((path.name, source["document"], quote))
    assert not bad


# ------------------------------------------------------------------------------ loader checks


def _write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


PARTY = """
parties:
  - id: acme
    name: Acme Trading
    kind: company
    tags: [{tags}]
    sources: [{{public: "test fixture"}}]
"""


def test_an_entry_without_a_source_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "p.yaml", "parties:\n  - {id: acme, name: Acme, kind: company}\n")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(tmp_path)
    assert "party 'acme': sources: Field required" in str(err.value)


def test_a_quote_without_a_document_is_rejected(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "p.yaml",
        "parties:\n  - {id: acme, name: Acme, kind: company, sources: [{document: x.txt}]}\n",
    )
    with pytest.raises(CatalogueError, match="a document source needs a quote"):
        load_catalogue(tmp_path)


def test_sanctioned_without_designation_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "p.yaml", PARTY.format(tags="sanctioned"))
    with pytest.raises(CatalogueError, match="tagged 'sanctioned' but has no blocking designation"):
        load_catalogue(tmp_path)


def test_duplicate_ids_and_unknown_owners_are_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", PARTY.format(tags=""))
    _write(
        tmp_path,
        "b.yaml",
        PARTY.format(tags="")
        + "  - id: sub\n    name: Sub\n    kind: company\n"
        + "    owners: [{owner: acmee, share: 60, source: {public: x}}]\n"
        + "    sources: [{public: x}]\n",
    )
    with pytest.raises(CatalogueError) as err:
        load_catalogue(tmp_path)
    text = str(err.value)
    assert "duplicate party 'acme'" in text
    assert "owners[0].owner: unknown party 'acmee' (did you mean 'acme'?)" in text


def test_duplicate_yaml_keys_are_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "parties: []\nparties: []\n")
    with pytest.raises(CatalogueError, match="duplicate key 'parties'"):
        load_catalogue(tmp_path)


def test_yaml_object_tags_are_not_executed(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "parties: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(CatalogueError, match=r"the tag !!python/object/apply:os\.system is not"):
        load_catalogue(tmp_path)


def test_ownership_chains_reach_fifty_percent(tmp_path: Path) -> None:
    from engine.catalogue.entities import owned_share

    src = "sources: [{public: fixture}]"
    desig = (
        "designations: [{authority: OFAC, list: SDN, blocking: true, source: {public: fixture}}]"
    )
    text = f"""
parties:
  - {{id: parent, name: Parent Holding, kind: company, tags: [sanctioned], {desig}, {src}}}
  - id: middle
    name: Middle Holding
    kind: company
    owners: [{{owner: parent, share: 60, source: {{public: fixture}}}}]
    {src}
  - id: leaf
    name: Leaf Trading
    kind: company
    owners:
      - {{owner: middle, share: 30, source: {{public: fixture}}}}
      - {{owner: parent, share: 25, source: {{public: fixture}}}}
    {src}
  - id: minority
    name: Minority Trading
    kind: company
    owners: [{{owner: parent, share: 49, source: {{public: fixture}}}}]
    {src}
"""
    _write(tmp_path, "p.yaml", text)
    catalogue = load_catalogue(tmp_path)
    shares = owned_share(catalogue, frozenset({"sanctioned"}))
    assert shares["middle"].total == 60
    assert shares["leaf"].total == 55  # 30 via a blocked middle + 25 direct
    assert shares["minority"].total == 49
    screener = Screener(catalogue, _ownership_rules(tmp_path, catalogue))
    assert screener.screen({"consignee": "Leaf Trading LLC"}).band == "critical"
    assert screener.screen({"consignee": "Minority Trading LLC"}).band == "low"


def _ownership_rules(tmp_path: Path, catalogue):  # type: ignore[no-untyped-def]
    import shutil

    from engine import load_rules

    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(bundled_dir("rules") / "owned-by-sanctioned.yaml", rules)
    return load_rules(rules, catalogue)


@pytest.mark.skipif(yamlio._BundledLoader is None, reason="PyYAML without libyaml")
def test_the_bundled_files_read_the_same_through_libyaml() -> None:
    """The bundled files are parsed by libyaml: the data and every position are as the strict
    pure-Python loader reads them."""
    files = [
        *sorted(Path(bundled_dir("entities")).glob("*.yaml")),
        *sorted(Path(bundled_dir("rules")).glob("*.yaml")),
    ]
    assert len(files) > 10
    for path in files:
        strict, problems = yamlio._read_yaml(path, None)
        fast, fast_problems = yamlio._read_yaml(path, None, bundled=True)
        assert problems == fast_problems == []
        assert strict is not None
        assert fast is not None
        assert (fast.data, fast.values, fast.keys) == (strict.data, strict.values, strict.keys)


def test_a_file_of_the_user_s_is_read_by_the_strict_loader(tmp_path: Path) -> None:
    """libyaml is for the bundled files only: a user's file with an alias is refused."""
    path = tmp_path / "parties.yaml"
    path.write_text("a: &x [1]\nb: *x\n", encoding="utf-8")
    document, problems = yamlio.read_yaml(path)
    assert document is None
    assert "aliases are not allowed" in problems[0].message
