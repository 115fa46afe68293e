"""The demo website export: read back by the real readers, every planted case where the key says."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from toolkit.intake.demo_export import DEMO_ROUTING, KINDS, demo_earlier, make_demo_export
from toolkit.intake.exports import ExportRead, read_export
from toolkit.intake.repeats import RepeatIndex
from toolkit.intake.routing import UNROUTED, RoutingTable
from toolkit.intake.submission import unique


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("demo")
    manifest = make_demo_export(folder, seed=3, count=24)
    return manifest, read_export(manifest.csv), read_export(manifest.json)


def by_ref(read: ExportRead, ref: str):  # type: ignore[no-untyped-def]
    (entry,) = [e for e in read.entries if e.submission and e.submission.ref == ref]
    return entry


def test_both_files_hold_the_same_applications(demo) -> None:  # type: ignore[no-untyped-def]
    manifest, csv_read, json_read = demo
    assert (csv_read.encoding, csv_read.delimiter) == ("cp1251", ";")
    assert len(csv_read.entries) == len(json_read.entries) == manifest.rows == 25
    assert [e.submission.key for e in csv_read.entries] == \
        [e.submission.key for e in json_read.entries]
    assert set(manifest.cases) == set(KINDS)


def test_broken_rows_are_the_planted_ones(demo) -> None:  # type: ignore[no-untyped-def]
    manifest, csv_read, json_read = demo
    for read, refs in ((csv_read, manifest.cases), (json_read, {
            k: manifest.json_refs(k) for k in KINDS})):
        broken = {e.submission.ref: [p.code for p in e.problems]
                  for e in read.entries if not e.ok}
        assert broken == {refs["no-consent"][0]: ["consent-data-missing"],
                          refs["bad-date"][0]: ["birth-date-invalid"]}


def test_the_duplicate_is_registered_once(demo) -> None:  # type: ignore[no-untyped-def]
    manifest, csv_read, _ = demo
    new, copies = unique(csv_read.submissions)
    assert [c.ref for c in copies] == manifest.cases["duplicate"][1:]
    first, second = (by_ref(csv_read, ref).submission for ref in manifest.cases["duplicate"])
    assert first.key == second.key
    assert len(new) == manifest.rows - 3  # two broken rows, one copy


def test_only_the_planted_row_is_unroutable(demo) -> None:  # type: ignore[no-untyped-def]
    manifest, csv_read, _ = demo
    table = RoutingTable(DEMO_ROUTING)
    unplaced = {s.ref: table.route(s) for s in csv_read.submissions if not table.route(s).routed}
    assert list(unplaced) == manifest.cases["unroutable"]
    assert next(iter(unplaced.values())).reason.startswith(UNROUTED)


def test_the_repeat_is_found_in_the_earlier_list(demo) -> None:  # type: ignore[no-untyped-def]
    manifest, csv_read, _ = demo
    index = RepeatIndex(manifest.earlier)
    repeats = {s.ref: index.find(s) for s in csv_read.submissions}
    found = {ref: [m.earlier.reference for m in matches]
             for ref, matches in repeats.items() if matches}
    assert found == {manifest.cases["repeat"][0]: manifest.repeated}
    assert manifest.repeated and manifest.repeated[0].startswith("лист «ОСЗН г. Кемерово»")


def test_a_given_earlier_list_and_determinism(tmp_path: Path) -> None:
    earlier = [dataclasses.replace(e, sheet="Журнал 2024") for e in demo_earlier(seed=9)]
    a = make_demo_export(tmp_path / "a", seed=5, earlier=earlier)
    b = make_demo_export(tmp_path / "b", seed=5, earlier=earlier)
    c = make_demo_export(tmp_path / "c", seed=6, earlier=earlier)
    assert a.csv.read_bytes() == b.csv.read_bytes()
    assert a.json.read_bytes() == b.json.read_bytes()
    assert a.csv.read_bytes() != c.csv.read_bytes()
    assert a.earlier == earlier
    assert a.repeated and all(r.startswith("лист «Журнал 2024»") for r in a.repeated)
    with pytest.raises(ValueError, match="phone or an e-mail"):
        make_demo_export(tmp_path / "d", earlier=[dataclasses.replace(e, phone="", email="")
                                                  for e in earlier])
