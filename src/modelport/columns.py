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


class ModelSchema(BaseModel):
    """An ordered list of columns."""

    columns: list[ColumnSpec] = Field(default_factory=list)

    def names(self) -> list[str]:
        return [c.name for c in self.columns]
