"""Sanctions lists in their own formats: OFAC sdn.csv (+ alt.csv), OpenSanctions, entity YAML.

The CSV lists are read strictly: a list with a line that does not read (a stray or open quote, a
row of the wrong width, bytes its encoding does not allow) is refused, naming the file and line.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import CatalogueError, Screener
from engine.catalogue.lists import (
    MAX_PROBLEMS,
    LoadedList,
    detect_format,
    load_lists,
    read_ofac_sdn,
    remark_aliases,
)
from engine.decoding import detect_file_encoding, iter_checked_lines
from tests.conftest import shared_path

LISTS = Path(__file__).parent / "fixtures" / "lists"
OS_HEADER = (LISTS / "targets.simple.csv").read_text(encoding="utf-8").splitlines()[0]


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
    with pytest.raises(CatalogueError, match=r"needs exactly one sdn\.csv given with it"):
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
    assert "bad.csv: line 1: not a list format shipscreen reads" in str(err.value)
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


def test_the_real_lists_load_as_before() -> None:
    prim = shared_path("reference", "lists", "ofac_cons_prim_sample.csv")
    alt = shared_path("reference", "lists", "ofac_cons_alt_sample.csv")
    [loaded] = load_lists([prim, alt])
    assert (loaded.entries, loaded.encoding) == (442, "utf-8")
    assert loaded.format == "ofac-cons + ofac_cons_alt_sample.csv"  # not the SDN list


# --- Strict CSV: a line that does not read refuses the list, naming the file and the line ---


def _refused(*paths: Path, encoding: str | None = None) -> str:
    with pytest.raises(CatalogueError) as err:
        load_lists(paths, encoding=encoding)
    return str(err.value)


def _os_rows(count: int) -> list[str]:
    return [
        f"NK-{i},Company,Trading House {i},TH {i} Ltd,,ru,,,EU Regulation 833/2014,,,,EU,"
        "2023-01-01,2024-05-01,2024-05-01"
        for i in range(count)
    ]


def _write(path: Path, lines: list[str], ending: str = "\n") -> Path:
    path.write_bytes("".join(line + ending for line in lines).encode("utf-8"))
    return path


def test_a_stray_quote_refuses_an_opensanctions_list(tmp_path: Path) -> None:
    # The example: one stray quote swallowed 16 of 20 entries, and the list loaded.
    rows = _os_rows(20)
    rows[3] = rows[3].replace("Trading House 3", '"Trading House 3')
    path = _write(tmp_path / "targets.simple.csv", [OS_HEADER, *rows])
    message = _refused(path)
    assert f"{path}: line 5, column 14: a quote opens a field that is not closed" in message


def test_a_stray_quote_is_reported_where_it_opened_and_the_lines_after_it_are_read(
    tmp_path: Path,
) -> None:
    rows = _os_rows(20)
    rows[3] = rows[3].replace("Trading House 3", '"Trading House 3')
    rows[9] = rows[9].replace("Trading House 9", '"Trading House, 9"')  # a quoted field: fine
    rows[15] = rows[15].replace("TH 15 Ltd", 'TH "15" Ltd')  # a quote inside a plain field
    path = _write(tmp_path / "targets.simple.csv", [OS_HEADER, *rows])
    message = _refused(path)
    # The open quote on line 5 runs on to the quote on line 11, followed by "T": line 5 is
    # reported, and the lines after it are read again (so line 17's problem is found too).
    assert "line 5, column 14: a quote opens a field that is not closed on its line: the next " in (
        message
    )
    assert "on line 11 at column 14, is followed by 'T'" in message
    assert "line 17, column 35: a quote inside a field that does not begin with one" in message
    assert message.count(str(path)) == 2


def test_a_quote_inside_a_quoted_field_refuses_an_ofac_list(tmp_path: Path) -> None:
    text = (LISTS / "sdn.csv").read_text(encoding="utf-8").replace('"KAMA LLC"', '"KAMA "LLC""')
    path = tmp_path / "sdn.csv"
    path.write_text(text, encoding="utf-8")
    message = _refused(path)
    assert "sdn.csv: line 9, column 12: a quote ends the quoted field begun at column 6" in (
        message
    )
    assert "followed by 'L', not a comma" in message


def test_an_ofac_record_is_one_line_and_every_broken_line_is_reported(tmp_path: Path) -> None:
    lines = (LISTS / "sdn.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = (
        lines[2]
        .replace('"AKTSIONERNOE', '"AKTSIONERNOE OBSHCHESTVO -0- ,')
        .replace("JSC'.\"", "JSC'.")
    )  # the remarks' closing quote is lost: the field would run on into the next line
    lines[6] = lines[6].replace('"vessel"', '"vessel" ')
    path = _write(tmp_path / "sdn.csv", lines, "\r\n")
    message = _refused(path)
    assert "line 3, column" in message
    assert "a quote opens a field that is not closed on its line" in message
    assert "line 7, column 29: a quote ends the quoted field begun at column 22" in message
    assert "line 4" not in message  # the lines after a broken one are read as they are


def test_a_row_of_the_wrong_width_refuses_an_opensanctions_list(tmp_path: Path) -> None:
    rows = _os_rows(5)
    rows[2] = rows[2].replace("TH 2 Ltd", "TH 2, Ltd")  # a comma in a field not quoted
    path = _write(tmp_path / "targets.simple.csv", [OS_HEADER, *rows])
    assert "line 4: 17 columns, expected 16 (as the header has)" in _refused(path)


def test_a_file_cut_off_inside_a_quote_is_refused(tmp_path: Path) -> None:
    data = (LISTS / "sdn.csv").read_bytes()
    path = tmp_path / "sdn.csv"
    path.write_bytes(data[: data.index(b"AL-BASRA")])
    assert "line 11, column 72: a quote opens a field that is not closed on its line" in (
        _refused(path)
    )
    rows = _os_rows(3)
    rows[2] = rows[2].replace("TH 2 Ltd", '"TH 2, Ltd')
    path = _write(tmp_path / "targets.simple.csv", [OS_HEADER, *rows])
    message = _refused(path)
    assert "line 4, column 30: a quote opens a field that is not closed before the end of the" in (
        message
    )


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
def test_every_line_ending_reads_the_same(tmp_path: Path, ending: str) -> None:
    lines = (LISTS / "sdn.csv").read_text(encoding="utf-8").splitlines()
    shutil.copy(LISTS / "alt.csv", tmp_path / "alt.csv")
    [loaded] = load_lists([_write(tmp_path / "sdn.csv", lines, ending)])
    assert loaded.parties == read_ofac_sdn(LISTS / "sdn.csv").parties
    lines[8] = lines[8].replace("9009", "9009,")
    assert "line 9: 13 columns, expected 12" in _refused(
        _write(tmp_path / "sdn.csv", lines, ending)
    )


def test_an_empty_list_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "sdn.csv"
    empty.write_bytes(b"")
    assert "sdn.csv: the file is empty" in _refused(empty)
    empty.write_bytes(b"\r\n\r\n\x1a")
    assert "sdn.csv: the file is empty" in _refused(empty)
    header_only = _write(tmp_path / "targets.simple.csv", [OS_HEADER])
    assert "targets.simple.csv: line 1: a header and no entries" in _refused(header_only)
    shutil.copy(LISTS / "sdn.csv", tmp_path / "sdn.csv")
    (tmp_path / "alt.csv").write_bytes(b"")  # beside it: read with it
    assert "alt.csv: no entries" in _refused(tmp_path / "sdn.csv")


def test_nul_bytes_refuse_the_list(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes((LISTS / "sdn.csv").read_bytes().replace(b"KAMA", b"KA\x00MA"))
    assert "sdn.csv: line 9: holds NUL bytes" in _refused(path)


def test_problems_are_reported_together_up_to_a_bound(tmp_path: Path) -> None:
    rows = [row + ",extra" for row in _os_rows(MAX_PROBLEMS + 10)]
    path = _write(tmp_path / "targets.simple.csv", [OS_HEADER, *rows])
    with pytest.raises(CatalogueError) as err:
        load_lists([path])
    problems = err.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0].message == "line 2: 17 columns, expected 16 (as the header has)"
    assert problems[-1].message == f"and 10 more problems (the first {MAX_PROBLEMS} are shown)"


def test_a_quoted_field_may_run_over_lines_in_an_opensanctions_list(tmp_path: Path) -> None:
    rows = _os_rows(3)
    rows[1] = rows[1].replace(",ru,,", ',ru,"1 Quay Street\nVladivostok",')
    # Values holding ';' or quotes are quoted inside the cell, as OpenSanctions writes them.
    aliases = '"""TH """"Two"""" Ltd;TH 2; Ltd"";""Torgovy Dom, 2"""'
    rows[2] = rows[2].replace("TH 2 Ltd", aliases)
    [loaded] = load_lists([_write(tmp_path / "targets.simple.csv", [OS_HEADER, *rows])])
    assert loaded.entries == 3
    assert loaded.parties[2].aliases == ['TH "Two" Ltd;TH 2; Ltd', "Torgovy Dom, 2"]


def test_an_entry_the_catalogue_cannot_hold_is_a_problem_on_its_line(tmp_path: Path) -> None:
    lines = (LISTS / "sdn.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("9002,", "9OO2,")
    lines[2] = lines[2].replace("KONTUR JSC", "KONTUR " + "X" * 2000)
    message = _refused(_write(tmp_path / "sdn.csv", lines))
    assert "line 2: the entity number '9OO2' is not a number" in message
    assert "line 3: the entry cannot be used (aliases 0: String should have at most 2000" in message


# --- Encodings: read in the file's own (or the one given), never with replacement characters ---

SOCIETE = "SOCIÉTÉ GÉNÉRALE DES ARMEMENTS"


def _sdn_line(ent_num: int, name: str, remarks: str = "-0- ") -> str:
    return f'{ent_num},"{name}",-0- ,"RUSSIA-EO14024",' + "-0- ," * 7 + remarks


def test_a_cp1252_sdn_list_is_read_right_and_its_entries_screen(tmp_path: Path) -> None:
    # The example: read as UTF-8 with replacement characters, the name never matched.
    path = tmp_path / "sdn.csv"
    lines = [_sdn_line(9100, SOCIETE, "\"a.k.a. 'SGA'; a.k.a. 'ARMEMENTS GÉNÉRAUX'.\""), "\x1a"]
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    screener = Screener.load(lists=[path])
    [loaded] = screener.lists
    assert loaded.encoding == "cp1252"
    [party] = loaded.parties
    assert (party.name, party.aliases) == (SOCIETE, ["SGA", "ARMEMENTS GÉNÉRAUX"])
    result = screener.screen({"consignee": SOCIETE, "hs_code": "8526.91"})
    assert result.band == "critical"


def test_a_cp1252_opensanctions_list_is_read_right(tmp_path: Path) -> None:
    row = "NK-1,Company,Société Générale des Armements,SGA;Armements Généraux,,fr,,,EU,,,,EU,,,"
    path = tmp_path / "targets.simple.csv"
    path.write_bytes(f"{OS_HEADER}\r\n{row}\r\n".encode("cp1252"))
    [loaded] = load_lists([path])
    assert loaded.encoding == "cp1252"
    assert loaded.parties[0].name == "Société Générale des Armements"
    assert loaded.parties[0].aliases == ["SGA", "Armements Généraux"]


@pytest.mark.parametrize(
    ("encoding", "recorded"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-32", "utf-32")],
)
def test_unicode_lists_with_or_without_a_byte_order_mark(
    tmp_path: Path, encoding: str, recorded: str
) -> None:
    path = tmp_path / "targets.simple.csv"
    text = (LISTS / "targets.simple.csv").read_text(encoding="utf-8")
    path.write_bytes(text.encode(encoding))
    [loaded] = load_lists([path])
    assert loaded.encoding == recorded
    assert loaded.parties == load_lists([LISTS / "targets.simple.csv"])[0].parties


def test_bytes_the_encoding_does_not_allow_refuse_the_list(tmp_path: Path) -> None:
    # Windows-1252 leaves 0x81 undefined: a file read in it with that byte is refused on its line.
    path = tmp_path / "sdn.csv"
    lines = [_sdn_line(9100, SOCIETE), _sdn_line(9101, "KAMA LLC")]
    path.write_bytes("\r\n".join(lines).encode("cp1252").replace(b"KAMA", b"KAMA\x81"))
    assert "sdn.csv: line 2: bytes 81 at position 10 are not valid cp1252" in _refused(path)
    # A UTF-8 file with a byte that is not UTF-8 is still read as UTF-8, and refused on its line.
    data = (LISTS / "targets.simple.csv").read_bytes().replace(b"Sea Breeze", b"Sea Br\xe9eze")
    path = tmp_path / "targets.simple.csv"
    path.write_bytes(data)
    assert "targets.simple.csv: line 4: bytes e9 at position 26 are not valid utf-8" in (
        _refused(path)
    )
    # Bytes that do not make UTF-16 are reported on their line too.
    data = (LISTS / "targets.simple.csv").read_text(encoding="utf-8").encode("utf-16-le")
    path.write_bytes(b"\xff\xfe" + data + b"\x00")
    assert "targets.simple.csv: line 5: bytes at character 1 are not valid utf-16" in _refused(path)


def test_an_encoding_can_be_given(tmp_path: Path) -> None:
    path = tmp_path / "targets.simple.csv"
    row = "NK-1,Company,Восток Логистика,,,ru,,,EU,,,,EU,,,"
    path.write_bytes(f"{OS_HEADER}\n{row}\n".encode("cp1251"))
    [loaded] = load_lists([path], encoding="windows-1251")
    assert (loaded.parties[0].name, loaded.encoding) == ("Восток Логистика", "cp1251")
    # Given, it is used strictly: this file is not UTF-8.
    assert "line 2: bytes c2 at position 13 are not valid utf-8" in _refused(path, encoding="utf-8")
    [sdn] = load_lists([LISTS / "sdn.csv"], encoding="utf-8")
    assert sdn.encoding == "utf-8"
    with pytest.raises(CatalogueError, match="'klingon' is not a text encoding"):
        load_lists([path], encoding="klingon")
    with pytest.raises(CatalogueError, match="'base64' is not a text encoding"):
        load_lists([path], encoding="base64")


# --- What an OpenSanctions list must say ---


def test_an_opensanctions_list_without_a_sanctions_column_is_refused(tmp_path: Path) -> None:
    # The example: it loaded with nothing tagged sanctioned, and no warning.
    header = OS_HEADER.replace("sanctions,", "")
    rows = [row.replace("EU Regulation 833/2014,", "") for row in _os_rows(3)]
    path = _write(tmp_path / "targets.simple.csv", [header, *rows])
    message = _refused(path)
    assert (
        f"{path}: line 1: the header has no 'sanctions' column (saying which entries are "
        f"sanctioned); its columns are: {header.replace(',', ', ')}"
    ) in message


def test_an_opensanctions_header_the_reader_cannot_use_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "targets.simple.csv", ["id,schema,name,aliases,name", "1,Person,A,,B"])
    message = _refused(path)
    assert "line 1: the header has no 'sanctions' column" in message
    path = _write(tmp_path / "targets.simple.csv", [OS_HEADER + ",name", _os_rows(1)[0] + ",B"])
    assert "line 1: the header names 'name' more than once" in _refused(path)


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


# --- Bytes to lines, as the list readers decode them ---

_TEXT = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00\ufeff"), max_size=80
)


@given(
    st.lists(st.tuples(_TEXT, st.sampled_from(["\r\n", "\n", "\r"])), max_size=8),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252"]),
)
def test_text_is_decoded_line_by_line_as_it_was_written(
    lines: list[tuple[str, str]], encoding: str
) -> None:
    text = "".join(t.replace("\r", " ").replace("\n", " ") + end for t, end in lines)
    if encoding == "cp1252":
        text = text.encode("cp1252", errors="replace").decode("cp1252")
    data = text.encode(encoding)
    with tempfile.TemporaryFile() as raw:
        raw.write(data)
        detected = detect_file_encoding(raw)
        raw.seek(0)
        read = list(iter_checked_lines(raw, detected))
    assert detected == encoding or (encoding == "cp1252" and text.isascii())
    # A line ends at CRLF, LF or a lone CR (a CR then an LF being one line end).
    assert [line.text for line in read] == re.findall(r"[^\r\n]*(?:\r\n|\r|\n)", text)
    assert [line.problem for line in read] == [None] * len(read)
    assert [line.number for line in read] == list(range(1, len(read) + 1))


# --- Fuzzing: a mangled list loads whole or is refused, naming the line of the damage ---

_BREAK = re.compile(rb"\r\n|\r|\n")
# The records of each reader's fuzzed file (a record is one line, but for a quoted line break).
_FUZZED = {
    "sdn": (LISTS / "sdn.csv").read_text(encoding="utf-8").splitlines(),
    "alt": (LISTS / "alt.csv").read_text(encoding="utf-8").splitlines(),
    "opensanctions": [
        *(LISTS / "targets.simple.csv").read_text(encoding="utf-8").splitlines(),
        'NK-4,Company,"Kama, OOO",Kama LLC,,ru,"1 Quay Street\nVladivostok",,EU,,,,EU,,,',
        'NK-5,Company,Zala Aero,"""ZALA"" AERO;Zala",,ru,,,"EU;""UK; HMT""",,,,EU,,,',
    ],
}
# Bytes that no file of the reader can hold: NUL, and what its encoding does not allow (the OFAC
# files are ASCII, read as Windows-1252 once a byte is not UTF-8; the OpenSanctions one is UTF-8).
_BAD_BYTES = {
    "sdn": [b"\x00", b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"],
    "alt": [b"\x00", b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"],
    "opensanctions": [b"\x00", *(bytes([b]) for b in range(0x80, 0x100))],
}


def _line_at(data: bytes, offset: int) -> int:
    """The number of the line the byte at ``offset`` is on (a CRLF's LF is on the CR's line)."""
    inside_crlf = data[offset - 1 : offset + 1] == b"\r\n"
    return len(_BREAK.findall(data, 0, offset)) + 1 - inside_crlf


def _load_fuzzed(kind: str, data: bytes) -> tuple[Path, list[LoadedList] | CatalogueError]:
    """Load the reader's file written as ``data`` (an alt.csv with the fixture's sdn.csv)."""
    with tempfile.TemporaryDirectory() as tmp:
        name = {"sdn": "sdn.csv", "alt": "alt.csv", "opensanctions": "targets.simple.csv"}[kind]
        path = Path(tmp) / name
        path.write_bytes(data)
        paths = [path]
        if kind == "alt":
            shutil.copy(LISTS / "sdn.csv", Path(tmp) / "sdn.csv")
            paths.insert(0, Path(tmp) / "sdn.csv")
        try:
            return path, load_lists(paths)
        except CatalogueError as exc:
            return path, exc


def _what_counts(lists: list[LoadedList]) -> dict[str, tuple[object, ...]]:
    return {p.id: (p.name, p.aliases, p.tags, p.country) for lst in lists for p in lst.parties}


def _check_mangled(kind: str, data: st.DataObject) -> None:
    ending = data.draw(st.sampled_from(["\r\n", "\n", "\r"]), label="line ending")
    records = [(r + ending).encode("utf-8") for r in _FUZZED[kind]]
    starts = [sum(len(r) for r in records[:i]) for i in range(len(records) + 1)]
    whole = b"".join(records)
    how = data.draw(st.sampled_from(["quote", "byte", "cut"]), label="mangling")
    at = data.draw(st.integers(0, len(whole) - 1), label="offset")
    record = max(i for i, s in enumerate(starts[:-1]) if s <= at)
    if how == "cut":
        mangled = whole[:at]
        kept = records[: record + (at > starts[record])]  # whole records begun before the cut
    else:
        mangled = (
            whole[:at]
            + (
                b'"'
                if how == "quote"
                else data.draw(st.sampled_from(_BAD_BYTES[kind]), label="byte")
            )
            + whole[at:]
        )
        kept = records
    path, outcome = _load_fuzzed(kind, mangled)
    _, expected = _load_fuzzed(kind, b"".join(kept))
    if isinstance(outcome, CatalogueError):
        # Refused: every problem is in that file and names a line, one of them the damaged one.
        assert outcome.problems, str(outcome)
        if how == "cut" and at in starts:  # cut between records: only an empty list is refused
            assert isinstance(expected, CatalogueError), str(outcome)
            return
        lines = set()
        for problem in outcome.problems:
            assert problem.file == str(path), str(outcome)
            lines |= {int(n) for n in re.findall(r"\bline (\d+)\b", problem.message)}
            assert re.match(r"line \d+\b", problem.message), str(outcome)
        # The lines of the damaged record, as the mangled file has them.
        end = len(mangled) if how == "cut" else starts[record + 1] + 1
        first, last = _line_at(mangled, starts[record]), _line_at(mangled, end - 1)
        assert lines & set(range(first, last + 1)), (str(outcome), first, last)
    else:
        # Loaded: every entry there is, as it is in the file (nothing swallowed or cut short).
        assert not isinstance(expected, CatalogueError), str(expected)
        assert _what_counts(outcome) == _what_counts(expected)


@given(st.data())
def test_a_mangled_sdn_list_loads_whole_or_is_refused_at_its_line(data: st.DataObject) -> None:
    _check_mangled("sdn", data)


@given(st.data())
def test_a_mangled_alt_list_loads_whole_or_is_refused_at_its_line(data: st.DataObject) -> None:
    _check_mangled("alt", data)


@given(st.data())
def test_a_mangled_opensanctions_list_loads_whole_or_is_refused_at_its_line(
    data: st.DataObject,
) -> None:
    _check_mangled("opensanctions", data)


@given(
    st.sampled_from(sorted(_FUZZED)),
    st.lists(st.tuples(st.integers(0, 1 << 12), st.binary(max_size=3)), min_size=1, max_size=6),
    st.integers(0, 1 << 12),
)
def test_a_list_damaged_anyhow_is_loaded_whole_or_refused(
    kind: str, edits: list[tuple[int, bytes]], cut: int
) -> None:
    data = "".join(r + "\r\n" for r in _FUZZED[kind]).encode("utf-8")
    for at, new in edits:  # each replaces a byte with up to three
        at %= len(data) + 1
        data = data[:at] + new + data[at + 1 :]
    data = data[: max(cut, len(data) // 2)]
    _, outcome = _load_fuzzed(kind, data)  # anything but CatalogueError fails the test
    if kind == "sdn" and not isinstance(outcome, CatalogueError):
        # An OFAC record is one line: every line holding something is an entry.
        [loaded] = outcome
        lines = re.split(r"\r\n|\r|\n", data.decode(loaded.encoding))
        assert loaded.entries == sum(1 for x in lines if x.strip(' \t\x0b\x0c\x1a,"'))


def test_a_list_given_as_a_pipe_is_read(tmp_path: Path) -> None:
    """--list <(gunzip -c sdn.csv.gz): a list that can be read only once is read whole, once."""
    fifo = tmp_path / "sdn.csv"
    os.mkfifo(fifo)
    data = (LISTS / "sdn.csv").read_bytes()

    def feed() -> None:
        with fifo.open("wb") as fh:
            fh.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    loaded = load_lists([fifo])
    writer.join(timeout=60)
    alone = tmp_path / "plain" / "sdn.csv"  # the same file, without the alt.csv of LISTS beside it
    alone.parent.mkdir()
    alone.write_bytes(data)
    assert loaded[0].entries == load_lists([alone])[0].entries
    assert loaded[0].digest == load_lists([alone])[0].digest
