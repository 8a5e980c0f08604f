"""The allow-list: a cleared match is shown, marked as suppressed, and does not score."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine import CatalogueError, Screener
from engine.catalogue.entities import load_clearances

LISTS = Path(__file__).parent / "fixtures" / "lists"
ON = dt.date(2024, 6, 1)


def screener(*allow: Path, as_of: dt.date = ON) -> Screener:
    return Screener.load(lists=[LISTS / "sdn.csv"], allow=allow, as_of=as_of)


ROW = {"shipment_id": "A1", "consignee": "Kontur Trading GmbH", "consignee_country": "DE"}


def test_without_clearance_the_match_is_critical() -> None:
    result = screener().screen(ROW)
    assert result.band == "critical"
    assert result.rule_ids == ["sanctioned-party"]


def test_a_cleared_match_is_suppressed_and_does_not_score() -> None:
    result = screener(LISTS / "allow.yaml").screen(ROW)
    assert result.band == "low"
    assert result.score == 0.0
    assert result.hits == []
    [suppressed] = result.suppressed
    assert suppressed.rule_id == "sanctioned-party"
    assert suppressed.contribution == 0.0
    cleared = [e for e in suppressed.evidence if e.predicate == "cleared"]
    assert "cleared by A. Analyst on 2024-01-15 until 2030-01-15" in cleared[0].detail
    assert "[suppressed: critical] sanctioned-party" in result.explain()


def test_a_clearance_covers_spelling_variants_of_the_same_name() -> None:
    result = screener(LISTS / "allow.yaml").screen({**ROW, "consignee": "KONTUR  TRADING, GMBH"})
    assert result.band == "low"
    assert result.suppressed


def test_a_clearance_does_not_cover_other_parties_or_rules() -> None:
    row = {**ROW, "end_user": "AO Kontur", "end_user_country": "RU", "hs_code": "8542.31"}
    result = screener(LISTS / "allow.yaml").screen(row)
    assert result.band == "critical"  # the end user is the listed firm itself
    assert "controlled-goods-to-russia-belarus" in result.rule_ids


def test_an_expired_clearance_no_longer_applies() -> None:
    row = {"consignee": "Sibir Trade OOO"}
    assert screener(LISTS / "allow.yaml", as_of=dt.date(2023, 6, 1)).screen(row).band == "low"
    assert screener(LISTS / "allow.yaml", as_of=ON).screen(row).band == "critical"


def test_match_shows_the_clearance() -> None:
    [report] = screener(LISTS / "allow.yaml").match("Kontur Trading GmbH")
    assert report.entry_id == "ofac-sdn-9003"
    assert report.cleared is not None
    assert "A. Analyst" in report.cleared


def test_a_clearance_of_an_unknown_entry_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "allow.yaml"
    bad.write_text(
        "cleared:\n  - {party: X, entry: ofac-sdn-1, list: ofac-sdn, reason: r, reviewer: me,"
        " date: 2024-01-01}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="no entry 'ofac-sdn-1' in list ofac-sdn"):
        screener(bad)
    # without the OFAC list loaded the clearance simply waits for it
    Screener.load(allow=[bad])


def test_a_malformed_allow_list(tmp_path: Path) -> None:
    bad = tmp_path / "allow.yaml"
    bad.write_text("cleared:\n  - {party: X, entry: y}\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_clearances(bad)
    assert "cleared[0].reason: Field required" in str(err.value)


def test_the_bundled_allow_list_is_part_of_the_catalogue(tmp_path: Path) -> None:
    import shutil

    from engine.catalogue.bundled import bundled_dir
    from engine.catalogue.entities import load_catalogue

    assert (bundled_dir("entities") / "allowlist.yaml").is_file()
    assert Screener.default().catalogue.cleared == ()  # shipped empty: clearing is the team's call
    entities = tmp_path / "entities"
    shutil.copytree(bundled_dir("entities"), entities)
    (entities / "allowlist.yaml").write_text(
        (LISTS / "allow.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    catalogue = load_catalogue(entities)
    assert len(catalogue.cleared) == 2
    result = Screener.load(entities=entities, lists=[LISTS / "sdn.csv"], as_of=ON).screen(ROW)
    assert result.band == "low"
    assert result.suppressed
