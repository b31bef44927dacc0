"""The renderer: records printed (one per line or pivoted), written as JSON, and read back for figures."""

import json
import math
from dataclasses import dataclass
from fractions import Fraction

import pytest

from exactmdm.montecarlo import Estimate
from exactmdm.theorems import CHECKS
from exactmdm.theorems.records import CheckResult, Constant, Table, column
from exactmdm.theorems.render import cell_bounds, certificate, format_table, jsonable, rows_of


@dataclass(frozen=True)
class Cell:
    language: str = column("language")
    L: int = column("L")
    N: int = column("N")
    value: float | Estimate | None = column("value [bits]")
    exact: Fraction | None = column("exact")


def _estimate(v):
    return Estimate(v, v - 0.5, v + 0.5, 10, 0.99, "upper bound", "q", "bits", "m")


def _table(**kw):
    t = Table("t", Cell, **kw)
    t.add(Cell("a", 16, 4, 1.5, Fraction(1, 3)))
    t.add(Cell("a", 16, 8, _estimate(2.0), None))
    t.add(Cell("a", 32, 4, math.inf, None))
    return t


def test_records_print_one_per_line_with_their_units():
    text = format_table(_table())
    assert "value [bits]" in text.splitlines()[1]
    assert "2 [1.5, 2.5]" in text and "0.333333" in text and "inf" in text
    assert [line.split()[-1] for line in text.splitlines()[3:]] == ["0.333333", "-", "-"]  # None is printed "-"


def test_pivot_prints_wide_and_keeps_records_per_cell():
    t = _table(pivot=("N", "value"))
    lines = format_table(t).splitlines()
    assert lines[1].split() == ["language", "L", "N=4", "N=8"]
    assert lines[3].split() == ["a", "16", "1.5", "2", "[1.5,", "2.5]"]
    assert lines[4].split() == ["a", "32", "inf", "-"]  # the missing (32, 8) cell
    assert len(t.rows) == 3


def test_tables_take_only_their_record_type():
    with pytest.raises(TypeError, match="takes Cell rows"):
        Table("t", Cell).add(("a", 1, 2, 3.0, None))
    with pytest.raises(ValueError, match="pivot"):
        Table("t", Cell, pivot=("M", "value"))


def test_json_keeps_rationals_estimates_and_infinities_exact():
    assert jsonable(Fraction(1, 3)) == "1/3" and jsonable(Fraction(4)) == "4"
    assert jsonable(math.inf) == "inf"
    assert jsonable(_estimate(2.0))["low"] == 1.5
    big = Fraction(1, 3 ** 2000)
    assert isinstance(jsonable(big), float)


def test_a_certificate_reads_back_to_the_same_records():
    t = _table()
    result = CheckResult("theorem_ser", "T", "P", "S", ["r"], "m", [t], {"c": Constant(Fraction(3, 2), note="n")}, True,
                         options={"seed": 0})
    cert = json.loads(json.dumps(certificate(result), allow_nan=False))
    rows = rows_of(cert, "Cell")
    assert rows == rows_of(result, "Cell")
    assert [cell_bounds(r["value"]) for r in rows] == [(1.5, 1.5, 1.5), (2.0, 1.5, 2.5), (math.inf,) * 3]
    assert cert["results"]["constants"]["c"] == {"float": 1.5, "exact": "3/2", "note": "n"}
    with pytest.raises(KeyError, match="Other"):
        rows_of(cert, "Other")


def test_every_check_declares_its_options_once():
    import inspect

    for module in CHECKS.values():
        body = inspect.signature(module.check).parameters
        assert set(body) - {"progress"} == set(module.DEFAULTS), module.NAME
        assert all(p.default is inspect.Parameter.empty for n, p in body.items() if n != "progress"), module.NAME
