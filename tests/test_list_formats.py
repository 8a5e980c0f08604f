"""The lists compliance teams download, what each listing means, and the 50 % rule on them.

The fixtures in ``fixtures/lists/formats/`` are invented entries in the published layouts (see
their README); the samples in ``../shared/reference/lists/`` are real files (skipped without it).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import CatalogueError, Screener
from engine.catalogue.lists import detect_format, load_lists
from tests.conftest import shared_path
from tests.test_outputs import EXAMPLE, run

FORMATS = Path(__file__).parent / "fixtures" / "lists" / "formats"


def _one(*names: str) -> list:  # type: ignore[type-arg]
    [loaded] = load_lists([FORMATS / n for n in names])
    return list(loaded.parties)


def _by_name(parties: list) -> dict:  # type: ignore[type-arg]
    return {p.name: p for p in parties}


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("csl.csv", "us-csl"),
        ("csl_with_ids.csv", "us-csl"),
        ("cons_prim.csv", "ofac-cons"),
        ("cons_alt.csv", "ofac-alt"),
        ("dpl.txt", "bis-dpl"),
        ("un.xml", "un-sc"),
        ("zala_like.ftm.json", "opensanctions-ftm"),
    ],
)
def test_each_format_is_recognised_from_the_file(name: str, fmt: str) -> None:
    assert detect_format(FORMATS / name) == fmt


def test_the_consolidated_screening_list_gives_each_list_its_consequence() -> None:
    parties = _by_name(_one("csl.csv"))
    consequence = {n: p.designations[0].consequence for n, p in parties.items()}
    assert consequence["VOLGATEK COMPONENTS OOO"] == "blocking"  # SDN
    assert consequence["KAMSKAYA NEFTEGAZ TRADING, AO"] == "sectoral"  # SSI
    assert consequence["Shenzhen Lanxin Microelectronics Co., Ltd."] == "export-licence"  # EL
    assert consequence["Ural Aerospace Design Bureau JSC"] == "export-licence"  # MEU
    assert consequence["SERGEI V. MOROZOV"] == "export-denied"  # DPL
    assert consequence["Tashkent Precision Instruments LLC"] == "unverified"  # UVL
    assert consequence["Harlan Tech Export Corp."] == "debarred"  # DTC
    assert consequence["Kerem YILDIRAN"] == "blocking"  # FSE
    assert consequence["Zagros Marine Technical Services Co."] == "other"  # ISN
    # Only blocking listings are tagged sanctioned.
    sanctioned = {n for n, p in parties.items() if "sanctioned" in p.listing_tags}
    assert sanctioned == {n for n, c in consequence.items() if c == "blocking"}


def test_csl_aliases_addresses_and_identifiers() -> None:
    parties = _by_name(_one("csl.csv"))
    volgatek = parties["VOLGATEK COMPONENTS OOO"]
    assert "VOLGATEK" in volgatek.aliases
    assert volgatek.country == "RU"
    assert volgatek.identifiers["tax"] == "7701234567"
    assert volgatek.identifiers["registration"] == "1027700000000"
    lanxin = parties["Shenzhen Lanxin Microelectronics Co., Ltd."]
    assert lanxin.identifiers["uscc"] == "91440300MA5XXXXXXX"
    assert lanxin.country == "CN"
    petrov = parties["PETROV, Ivan Sergeyevich"]
    assert petrov.kind == "person"
    assert "Ivan Sergeyevich PETROV" in petrov.aliases  # 'LAST, First' also as 'First LAST'
    assert parties["SEVERNAYA ZARYA"].kind == "vessel"
    assert parties["SEVERNAYA ZARYA"].identifiers["imo"] == "9123453"


def test_the_csl_export_with_ids_reads_the_newer_id_order() -> None:
    parties = _by_name(_one("csl_with_ids.csv"))
    assert len(parties) == 4
    volgatek = parties["VOLGATEK COMPONENTS OOO"]
    assert volgatek.identifiers["tax"] == "7701234567"
    assert volgatek.designations[0].list_id == "59001"
    assert parties["Ural Aerospace Design Bureau JSC"].designations[0].consequence == (
        "export-licence"
    )


def test_the_non_sdn_list_is_not_taken_for_the_sdn_list() -> None:
    parties = {p.designations[0].list_id: p for p in _one("cons_prim.csv", "cons_alt.csv")}
    assert len(parties) == 12
    consequences = {k: p.designations[0].consequence for k, p in parties.items()}
    assert consequences["40001"] == "sectoral"  # UKRAINE-EO13662: SSI
    assert consequences["40003"] == "sectoral"  # and RUSSIA-EO14024 beside it
    assert consequences["40006"] == "other"  # NS-PLC
    assert consequences["40007"] == "other"  # CMIC
    assert consequences["40008"] == "blocking"  # FSE
    assert consequences["40009"] == "other"  # 561-Related
    assert "KAMA RIVER OIL PRODUCTS JSC" in parties["40001"].aliases  # from cons_alt.csv
    assert not any("sanctioned" in p.listing_tags for k, p in parties.items() if k != "40008")


def test_a_renamed_non_sdn_file_is_known_by_its_programs(tmp_path: Path) -> None:
    renamed = tmp_path / "list.csv"
    renamed.write_bytes((FORMATS / "cons_prim.csv").read_bytes())
    assert detect_format(renamed) == "ofac-cons"


def test_the_denied_persons_list() -> None:
    parties = _by_name(_one("dpl.txt"))
    assert len(parties) == 6
    assert all(p.designations[0].consequence == "export-denied" for p in parties.values())
    assert parties["VOLGATEK COMPONENTS OOO"].kind == "company"
    assert parties["SERGEI V. MOROZOV"].kind == "person"
    assert parties["GUNTHER H. ALBRECHT"].country == "DE"  # the leading space is gone


def test_the_un_list_leaves_low_quality_aliases_out_and_states_its_date() -> None:
    [loaded] = load_lists([FORMATS / "un.xml"])
    parties = _by_name(list(loaded.parties))
    assert loaded.published == "2026-03-02"
    assert len(parties) == 8
    kang = parties["KANG CHOL MIN"]
    assert kang.kind == "person"
    assert "Kang Chol-min" in kang.aliases
    assert "Mr. Kang" not in kang.aliases  # quality Low
    assert kang.native_names == ["강철민"]
    assert kang.identifiers["passport"] == "836000001"
    koryo = parties["KORYO NAMSAN TRADING CORPORATION"]
    assert {"NAMSAN TRADING", "KORYO NAMSAN GENERAL COMPANY"} <= set(koryo.aliases)
    assert all(p.designations[0].consequence == "blocking" for p in parties.values())


def test_a_broken_xml_list_is_refused_at_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "un.xml"
    text = (FORMATS / "un.xml").read_text(encoding="utf-8").replace("</ENTITY>", "</ENTTY>", 1)
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_lists([broken])
    assert f"{broken}: line " in str(err.value)


def test_an_xml_list_declaring_entities_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "un.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n'
        "<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>&a;</FIRST_NAME></ENTITY></ENTITIES>"
        "</CONSOLIDATED_LIST>\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="declares a document type or entities"):
        load_lists([bomb])


def test_followthemoney_parties_sanctions_and_owners() -> None:
    parties = _by_name(_one("zala_like.ftm.json"))
    gromov = parties["Pavel Ilyich GROMOV"]
    assert gromov.designations[0].consequence == "blocking"
    assert "sanctioned" in gromov.listing_tags
    zarya = parties["Zarya Electronics JSC"]
    assert [d.consequence for d in zarya.designations] == ["export-licence"]
    nordwind = parties["Nordwind Logistik GmbH"]
    assert {d.list for d in nordwind.designations} == {"eu_fsf", "gb_fcdo_sanctions"}
    assert "sanctioned" not in parties["Irtysh Marine Services LLC"].listing_tags
    orel = parties["Orel Avionics LLC"]
    assert orel.identifiers["inn"] == "5751012345"
    assert orel.identifiers["ogrn"] == "1025700001234"
    assert sorted(o.share or 0 for o in orel.owners) == [30, 40, 45, 52]  # every figure kept
    assert parties["Kama Holding JSC"].identifiers["lei"] == "2534FXKAMAHOLD000124"


def _screen(lists: list[Path], record: dict[str, str]) -> tuple[str, list[str], str]:
    result = Screener.load(lists=lists).screen(record)
    return (
        str(result.band),
        [h.rule_id for h in result.hits],
        " ".join(h.message for h in result.hits),
    )


@pytest.mark.parametrize(
    ("name", "band"),
    [
        ("Orel Avionics LLC", "critical"),  # 52 % by a blocked owner (the largest of 30/45/52)
        ("Sever Trade OOO", "critical"),  # 60 % by Orel, blocked in turn
        ("Tundra Parts LLC", "critical"),  # through two blocked holders
        ("Kama Holding JSC", "low"),  # 10 % through the cycle
        ("Baikal Optics LLC", "low"),  # 30 + 19 = 49 %
    ],
)
def test_the_fifty_percent_rule_follows_chains_and_cycles(name: str, band: str) -> None:
    got, rules, _ = _screen([FORMATS / "zala_like.ftm.json"], {"consignee": name})
    assert got == band, rules
    assert ("owned-by-sanctioned" in rules) == (band == "critical")


def test_the_chain_is_drawn_with_every_figure() -> None:
    _, _, message = _screen([FORMATS / "zala_like.ftm.json"], {"consignee": "Tundra Parts LLC"})
    assert "Tundra Parts LLC ← 100 % [Sever Trade OOO ← 60 % [Orel Avionics LLC ← 52 %" in message
    assert "records say 30, 45, 52 %" in message


@pytest.mark.parametrize(
    ("record", "band", "rule"),
    [
        # An Entity List party: high with controlled goods, medium with other goods.
        (
            {"consignee": "Shenzhen Lanxin Microelectronics", "hs_code": "8542.31"},
            "high",
            "export-licence-party-controlled-goods",
        ),
        (
            {"consignee": "Shenzhen Lanxin Microelectronics", "description": "Office chairs"},
            "medium",
            "export-licence-party",
        ),
        ({"consignee": "Ural Aerospace Design Bureau", "hs_code": "8542.31"}, "high", None),
        # Sectoral and unverified listings are medium, not blocked.
        (
            {"consignee": "Kamskaya Neftegaz Trading AO", "hs_code": "8542.31"},
            "medium",
            "sectoral-party",
        ),
        ({"consignee": "Tashkent Precision Instruments LLC"}, "medium", "unverified-party"),
        # A receiving party denied export privileges is critical; as shipper it is not.
        ({"end_user": "Sergei V. Morozov"}, "critical", "export-denied-party"),
        ({"shipper": "Sergei V. Morozov", "description": "Office chairs"}, "low", None),
        # Blocking listings (SDN, FSE) are critical.
        ({"shipper": "Volgatek Components OOO"}, "critical", "sanctioned-party"),
        ({"notify_party": "Kerem Yildiran"}, "critical", "sanctioned-party"),
        # Debarred and other listings are not findings of the default rules.
        ({"consignee": "Harlan Tech Export Corp."}, "low", None),
    ],
)
def test_the_default_rules_follow_each_consequence(
    record: dict[str, str], band: str, rule: str | None
) -> None:
    got, rules, _ = _screen([FORMATS / "csl.csv"], record)
    assert got == band, rules
    if rule is not None:
        assert rule in rules


def test_an_ssi_only_party_is_not_critical() -> None:
    record = {"consignee": "Kama River Nefteprodukt AO", "consignee_country": "Russia"}
    got, rules, _ = _screen([FORMATS / "cons_prim.csv", FORMATS / "cons_alt.csv"], record)
    assert got == "medium"
    assert rules == ["sectoral-party"]


def test_the_manifest_names_each_lists_own_date(tmp_path: Path) -> None:
    out = tmp_path / "scored.csv"
    lists = ["--list", str(FORMATS / "un.xml"), "--list", str(FORMATS / "csl.csv")]
    code, _, err = run("screen", str(EXAMPLE), "-o", str(out), *lists)
    assert code == 0, err
    manifest = json.loads((tmp_path / "scored.csv.manifest.json").read_text("utf-8"))
    published = {x["name"]: x["published"] for x in manifest["lists"]}
    assert published == {"un-sc": "2026-03-02", "us-csl": None}


# --------------------------------------------------------------- the real samples, in ../shared


SAMPLES = {
    "trade_gov_csl_sample.csv": ("us-csl", 115),
    "trade_gov_csl_sample_with_ids.csv": ("us-csl", 13),
    "bis_dpl_sample.txt": ("bis-dpl", None),
    "un_consolidated_2026-02-27.xml": ("un-sc", 1003),
    "opensanctions_zala_cluster.ftm.json": ("opensanctions-ftm", 17),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_real_sample_loads(name: str) -> None:
    [loaded] = load_lists([shared_path("reference", "lists", name)])
    fmt, entries = SAMPLES[name]
    assert loaded.format == fmt
    if entries is not None:
        assert loaded.entries == entries
    assert loaded.entries > 0


def test_the_real_csl_sample_maps_every_list() -> None:
    [loaded] = load_lists([shared_path("reference", "lists", "trade_gov_csl_sample.csv")])
    got = Counter(p.designations[0].consequence for p in loaded.parties)
    assert got == {
        "blocking": 28,
        "sectoral": 26,
        "export-licence": 22,
        "other": 17,
        "debarred": 10,
        "export-denied": 8,
        "unverified": 4,
    }


def test_llc_cst_is_critical_through_ownership_with_the_chain() -> None:
    zala = shared_path("reference", "lists", "opensanctions_zala_cluster.ftm.json")
    band, rules, message = _screen([zala], {"consignee": "LLC CST", "hs_code": "8806.22"})
    assert band == "critical"
    assert "owned-by-sanctioned" in rules
    assert "LLC CST ← 51 % Alexander Vyacheslavovich ZAKHAROV (sanctioned" in message
    assert "records say 48, 50, 51 %" in message
    assert "49 % JSC Kalashnikov Concern" in message


def test_a_firm_only_ownership_makes_blocked_is_found() -> None:
    # OOO "TsST" (INN 5920040846) is on no list; A. Zakharov owns all of it.
    zala = shared_path("reference", "lists", "opensanctions_zala_cluster.ftm.json")
    band, rules, _ = _screen(
        [zala], {"consignee": 'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ЦСТ"'}
    )
    assert band == "critical"
    assert "owned-by-sanctioned" in rules


# ------------------------------------------------------------------ damaged files, any format

_DAMAGED = ["csl.csv", "csl_with_ids.csv", "dpl.txt", "un.xml", "zala_like.ftm.json"]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(_DAMAGED),
    st.lists(st.tuples(st.integers(0, 1 << 16), st.binary(max_size=3)), min_size=1, max_size=6),
    st.integers(0, 1 << 16),
)
def test_a_list_damaged_anyhow_loads_or_is_refused_with_its_problems(
    name: str, edits: list[tuple[int, bytes]], cut: int
) -> None:
    data = (FORMATS / name).read_bytes()
    for at, new in edits:  # each replaces a byte with up to three
        at %= len(data) + 1
        data = data[:at] + new + data[at + 1 :]
    data = data[: max(cut, len(data) // 2)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        refused: CatalogueError | None = None
        try:
            loaded = load_lists([path])  # anything but CatalogueError fails the test
        except CatalogueError as exc:
            refused = exc
        if refused is not None:
            assert refused.problems, str(refused)
            assert all(p.file == str(path) for p in refused.problems), str(refused)
        else:
            assert loaded[0].entries > 0


# ------------------------------------------------------------------- identifiers in the cell


@pytest.mark.parametrize(
    ("cell", "band"),
    [
        ("Alpha Trade LLC, INN 7701234567", "critical"),  # Volgatek's tax number, SDN
        ("Alpha Trade LLC, ИНН 77-0123-4567", "critical"),  # separators do not matter
        ("Some Firm (USCC 91440300MA5XXXXXXX)", "high"),  # an Entity List firm's USCC
        ("Alpha Trade LLC, INN 7701234568", "low"),  # one digit off: another firm
        ("Alpha Trade LLC", "low"),
    ],
)
def test_an_identifier_equal_to_a_listed_one_is_a_match_on_its_own(cell: str, band: str) -> None:
    got, _, message = _screen([FORMATS / "csl.csv"], {"consignee": cell, "hs_code": "8542.31"})
    assert got == band
    if band != "low":
        assert "(identifier)" in message


def test_an_identifier_column_matches_in_a_csv_file(tmp_path: Path) -> None:
    shipments = tmp_path / "shipments.csv"
    shipments.write_text(
        "shipment_id,consignee,Consignee INN,description\n"
        "A,Alpha Trade LLC,77 0123 4567,Office chairs\n"  # Volgatek's tax number, in groups
        '"B","Alpha Trade LLC, INN 7701234567",,Office chairs\n'  # in the party cell
        "C,Alpha Trade LLC,7701234568,Office chairs\n"  # another number
        "D,,7701234567,Office chairs\n",  # an identifier and no name
        encoding="utf-8",
    )
    screener = Screener.load(lists=[FORMATS / "csl.csv"])
    bands = {r.shipment_id: str(r.band) for r in screener.screen_csv(shipments)}
    assert bands == {"A": "critical", "B": "critical", "C": "low", "D": "critical"}
