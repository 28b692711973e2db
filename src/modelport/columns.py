"""Column schemas: what a model takes as input and gives as output.

A schema is an ordered list of columns with a logical type. Flavors derive it from the model where
the model knows it (``feature_names_in_``, ONNX inputs, an MLflow signature) or from a sample CSV.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ColumnType = Literal["integer", "number", "boolean", "string", "datetime"]


class ColumnSpec(BaseModel):
    """One column of an input or output schema."""

    name: str = Field(min_length=1, max_length=256)
    type: ColumnType = "number"
    nullable: bool = False
    description: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    categories: list[str] | None = None
    """The known values of a string (or integer) column: from the fitted model's encoders or
    categorical features, a sample's few distinct values, or a data scientist's edit."""
    on_unknown_category: Literal["flag", "reject"] = "flag"
    """What a value outside ``categories`` does: ``flag`` (scored, with a warning: the model copes,
    e.g. an encoder with ``handle_unknown="ignore"``) or ``reject`` (refused: the model cannot score
    it, e.g. an encoder with ``handle_unknown="error"``)."""


class ModelSchema(BaseModel):
    """An ordered list of columns."""

    columns: list[ColumnSpec] = Field(default_factory=list)

    def names(self) -> list[str]:
        return [c.name for c in self.columns]
