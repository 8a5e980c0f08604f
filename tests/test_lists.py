"""Sanctions lists in their own formats: OFAC sdn.csv (+ alt.csv), OpenSanctions, entity YAML."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import CatalogueError, Screener
from engine.catalogue.lists import detect_format, load_lists, read_ofac_sdn, remark_aliases
from tests.conftest import shared_path

LISTS = Path(__file__).parent / "fixtures" / "lists"


def test_formats_are_recognised_from_the_files() -> None:
    assert detect_format(LISTS / "sdn.csv") == "ofac-sdn"
    assert detect_format(LISTS / "alt.csv") == "ofac-alt"
    assert detect_format(LISTS / "targets.simple.csv") == "opensanctions"
    assert detect_format(LISTS / "extra.yaml") == "yaml"


def test_ofac_sdn_entries() -> None:
    loaded = read_ofac_sdn(LISTS / "sdn.csv")
    assert loaded.format == "ofac-sdn + alt.csv"  # alt.csv lies beside it
    by_id = {p.id: p for p in loaded.parties}
    assert len(by_id) == 11
    kontur = by_id["ofac-sdn-9003"]
    assert kontur.name == "AKTSIONERNOE OBSHCHESTVO KONTUR"
    assert kontur.aliases == ["KONTUR JSC"]
    assert kontur.kind == "company"
    assert kontur.tags == ["sanctioned", "ofac-sdn"]
    assert kontur.dataset == "ofac-sdn"
    [designation] = kontur.designations
    assert designation.programs == ["RUSSIA-EO14024", "UKRAINE-EO13662"]
    assert designation.list_id == "9003"
    assert designation.blocking
    assert by_id["ofac-sdn-9001"].notes == "Tax ID No. 7700000001 (Russia); a.k.a. 'TPE LLC'."


def test_aliases_with_quotes_inside_and_former_names() -> None:
    by_id = {p.id: p for p in read_ofac_sdn(LISTS / "sdn.csv").parties}
    assert by_id["ofac-sdn-9011"].aliases == ["AL-NUR EXCHANGE 'AL-BASRA' BRANCH"]
    assert by_id["ofac-sdn-9005"].aliases == ["ZNTC", "ZELENOGRAD NANOTECH CENTRE"]


def test_alt_names_join_their_entries() -> None:
    by_id = {p.id: p for p in read_ofac_sdn(LISTS / "sdn.csv").parties}
    assert "SIBIRTRADE OOO" in by_id["ofac-sdn-9002"].aliases
    assert "ELVIS PLUS NPO" in by_id["ofac-sdn-9004"].aliases


def test_individuals_vessels_keep_their_kind_and_weak_aliases_are_dropped() -> None:
    by_id = {p.id: p for p in read_ofac_sdn(LISTS / "sdn.csv").parties}
    petrov = by_id["ofac-sdn-9006"]
    assert petrov.kind == "person"
    assert "Evgenii Stanislavich PETROV" in petrov.aliases
    assert "Evgeny PETROV" in petrov.aliases
    assert not any("ZHENYA" in a for a in petrov.aliases)  # a one-word nickname: not screened
    assert by_id["ofac-sdn-9007"].kind == "vessel"


def test_an_alt_file_given_on_its_own(tmp_path: Path) -> None:
    shutil.copy(LISTS / "sdn.csv", tmp_path / "sdn_2024.csv")
    shutil.copy(LISTS / "alt.csv", tmp_path / "names.csv")
    [loaded] = load_lists([tmp_path / "sdn_2024.csv", tmp_path / "names.csv"])
    by_id = {p.id: p for p in loaded.parties}
    assert "SIBIRTRADE OOO" in by_id["ofac-sdn-9002"].aliases
    with pytest.raises(CatalogueError, match=r"an alt\.csv needs exactly one sdn\.csv"):
        load_lists([tmp_path / "names.csv"])


def test_opensanctions_targets() -> None:
    [loaded] = load_lists([LISTS / "targets.simple.csv"])
    by_id = {p.id: p for p in loaded.parties}
    vostok = by_id["opensanctions-nk-fixture-1"]
    assert vostok.tags == ["sanctioned", "opensanctions"]
    assert vostok.aliases == ["Vostok Logistics", "ВОСТОК ЛОГИСТИКА"]
    assert vostok.country == "RU"
    assert vostok.designations[0].programs[0].startswith("EU Council Regulation")
    pep = by_id["opensanctions-nk-fixture-2"]
    assert pep.kind == "person"
    assert "sanctioned" not in pep.tags  # a politically exposed person, not a sanctions target
    assert pep.aliases == ["Sidorov Ivan"]  # "Vanya" is a one-word nickname
    assert by_id["opensanctions-nk-fixture-3"].kind == "vessel"


def test_entity_yaml_as_a_list() -> None:
    [loaded] = load_lists([LISTS / "extra.yaml"])
    [party] = loaded.parties
    assert party.dataset == "extra"
    assert party.tags == ["internal-watch"]


def test_unreadable_lists_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("colour,size\nred,1\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_lists([bad, tmp_path / "absent.csv"])
    assert "bad.csv: not a list format shipscreen reads" in str(err.value)
    assert "absent.csv: no such file or directory" in str(err.value)


def test_a_list_with_broken_lines_is_not_used(tmp_path: Path) -> None:
    broken = tmp_path / "sdn.csv"
    text = (LISTS / "sdn.csv").read_text(encoding="utf-8") + '9999,"ONLY THREE",-0-\n'
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match="line 13: 3 columns, expected 12"):
        Screener.load(lists=[broken])


def test_a_list_digest_changes_with_its_content(tmp_path: Path) -> None:
    one = Screener.load(lists=[LISTS / "sdn.csv"])
    copy = tmp_path / "sdn.csv"
    copy.write_text((LISTS / "sdn.csv").read_text(encoding="utf-8").replace("KAMA", "KAMAZ"))
    two = Screener.load(lists=[copy])
    assert one.lists[0].digest != two.lists[0].digest
    assert one.catalogue_digest != two.catalogue_digest != Screener.default().catalogue_digest


def test_the_real_ofac_file() -> None:
    loaded = read_ofac_sdn(shared_path("reference", "ofac_sdn_2024-05-02.csv"))
    assert loaded.entries == 14973
    assert not loaded.problems
    kinds = {p.kind for p in loaded.parties}
    assert {"person", "vessel", "aircraft", "company"} == kinds
    rosoboron = next(p for p in loaded.parties if p.id == "ofac-sdn-18782")
    assert rosoboron.name == "ROSOBORONEKSPORT OAO"
    assert "RUSSIA-EO14024" in rosoboron.designations[0].programs


# --- The aliases of OFAC remarks: read in one pass, whatever quotes are left open ---


def test_remark_aliases() -> None:
    assert remark_aliases("DOB 1970; a.k.a. 'ZNTC'; f.k.a. 'ZELENOGRAD NANOTECH'.") == [
        "ZNTC",
        "ZELENOGRAD NANOTECH",
    ]
    assert remark_aliases("a.k.a. 'AL-NUR EXCHANGE 'AL-BASRA' BRANCH'.") == [
        "AL-NUR EXCHANGE 'AL-BASRA' BRANCH"
    ]
    # A quote left open ends at the next ';' or full stop, never in the next alias.
    assert remark_aliases("a.k.a. 'KONTUR; a.k.a. 'KONTUR JSC'.") == ["KONTUR", "KONTUR JSC"]
    assert remark_aliases("a.k.a. 'KONTUR' a.k.a. 'KONTUR JSC'.") == ["KONTUR", "KONTUR JSC"]
    assert remark_aliases("Linked To: X; a.k.a. 'WHOIS HACKIN") == ["WHOIS HACKIN"]  # cut off
    assert remark_aliases("a.k.a. '@; a.k.a. ''; n.k.a. 'NEW NAME'.") == ["NEW NAME"]


def test_remark_aliases_with_quotes_left_open_over_long_remarks() -> None:
    # 144,000 characters: the regular expression this replaced took 13 s on them (it rescanned
    # the rest of the remarks from every a.k.a.), the scan takes 16 ms (figures in the commit).
    remarks = "a.k.a. 'X " * 14_400
    assert remark_aliases(remarks) == ["X"] * 14_400
    assert remark_aliases("a.k.a. '" * 18_000 + "x") == ["x"]
    assert remark_aliases("a.k.a. 'ONE'; " + "a.k.a. '' " * 14_400 + "a.k.a. 'TWO'.") == [
        "ONE",
        "TWO",
    ]


ALIAS = st.text(st.sampled_from("ABCXYZ -'&.,0"), min_size=1, max_size=12).filter(
    lambda a: (
        a.strip(" '.") == a and any(c.isalnum() for c in a) and "'." not in a and "';" not in a
    )
)


@given(st.lists(ALIAS, max_size=6), st.sampled_from(["a", "f", "n"]))
def test_remark_aliases_read_back_what_was_written(aliases: list[str], prefix: str) -> None:
    remarks = "DOB 1970; " + "; ".join(f"{prefix}.k.a. '{a}'" for a in aliases) + "."
    assert remark_aliases(remarks) == aliases
