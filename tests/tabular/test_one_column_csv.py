"""A CSV file of one column is read as one column, whatever its values hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelport.tabular.readers import preview, sniff_csv


@pytest.mark.parametrize(
    ("text", "delimiter", "decimal", "values"),
    [
        ("tenure_months\n12\n3\n40\n", ",", ".", [12, 3, 40]),
        ("amount\n1,5\n2,25\n3,0\n", ";", ",", [1.5, 2.25, 3.0]),  # French decimals
        ("name\nSmith; John\nDoe; Jane\n", ",", ".", ["Smith; John", "Doe; Jane"]),
        ("note\na|b\nc,d\n", ";", ".", ["a|b", "c,d"]),
    ],
)
def test_one_column_is_not_split_by_another_delimiter(
    tmp_path: Path, text: str, delimiter: str, decimal: str, values: list[object]
) -> None:
    path = tmp_path / "one.csv"
    path.write_text(text, encoding="utf-8")
    dialect = sniff_csv(path)
    assert (dialect.delimiter, dialect.decimal) == (delimiter, decimal)
    frame = preview(path, "csv")
    assert list(frame.columns) == [text.split("\n", 1)[0]]
    assert list(frame.iloc[:, 0]) == values


def test_two_columns_still_win(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("a;b\n1,5;2\n3,5;4\n", encoding="utf-8")
    assert (sniff_csv(path).delimiter, sniff_csv(path).decimal) == (";", ",")
