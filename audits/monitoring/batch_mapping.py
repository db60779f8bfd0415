"""A batch monitor's mapping: which columns of a production batch are its row id, the model's
prediction and score, features, sensitive attributes and slices, and the two battery mappings
built from it (before labels arrive, and once they have)."""

from dataclasses import dataclass
from typing import Any

from governance.errors import InvalidInput

_KEYS = ("row_id", "prediction", "score", "features", "sensitive", "slices", "timestamp",
         "positive_label", "classes")  # fmt: skip
# The column a labels file names its labels by, unless the request says otherwise.
DEFAULT_LABEL_COLUMN = "label"


def _column(data: dict, key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("must name a column", field=f"mapping.{key}")
    return value


def _columns(data: dict, key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(c, str) and c for c in value):
        raise InvalidInput("must be a list of column names", field=f"mapping.{key}")
    return tuple(value)


@dataclass(frozen=True)
class BatchMapping:
    """The columns of a monitor's batches. Batches carry no labels, so the unlabelled audit
    names the prediction column as the battery's label: no check that needs labels or outputs
    runs on it (data quality and drift only), and prediction and score drift are measured as
    the drift of those two columns."""

    row_id: str
    prediction: str
    features: tuple[str, ...]
    score: str | None = None
    sensitive: tuple[str, ...] = ()
    slices: tuple[str, ...] = ()
    timestamp: str | None = None
    positive_label: Any = None
    classes: tuple[Any, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "row_id": self.row_id,
            "prediction": self.prediction,
            "score": self.score,
            "features": list(self.features),
            "sensitive": list(self.sensitive),
            "slices": list(self.slices),
            "timestamp": self.timestamp,
            "positive_label": self.positive_label,
            "classes": list(self.classes) if self.classes is not None else None,
        }

    @classmethod
    def from_json(cls, data: Any) -> "BatchMapping":
        """The mapping `data` describes, or InvalidInput naming the field (`mapping.row_id`)."""
        if not isinstance(data, dict):
            raise InvalidInput("must be a JSON object", field="mapping")
        unknown = sorted(set(data) - set(_KEYS))
        if unknown:
            raise InvalidInput("is not a key of a batch mapping", field=f"mapping.{unknown[0]}")
        features = _columns(data, "features")
        if not features:
            raise InvalidInput("name the model's input columns", field="mapping.features")
        classes = data.get("classes")
        if classes is not None and not isinstance(classes, list):
            raise InvalidInput("must be a list of class values", field="mapping.classes")
        mapping = cls(
            row_id=_column(data, "row_id", required=True) or "",
            prediction=_column(data, "prediction", required=True) or "",
            score=_column(data, "score"),
            features=features,
            sensitive=_columns(data, "sensitive"),
            slices=_columns(data, "slices"),
            timestamp=_column(data, "timestamp"),
            positive_label=data.get("positive_label"),
            classes=tuple(classes) if classes is not None else None,
        )
        outputs = {mapping.row_id, mapping.prediction, mapping.score}
        for column in (*mapping.features, *mapping.sensitive, *mapping.slices):
            if column in outputs:
                raise InvalidInput(
                    f"column {column!r} is the row id, prediction or score", field="mapping"
                )
        return mapping

    @property
    def output_columns(self) -> tuple[str, ...]:
        """The model's outputs, measured for drift like features before labels arrive."""
        return (self.prediction, *([self.score] if self.score else []))

    def unlabelled(self) -> dict[str, Any]:
        """The battery mapping of a batch as received: the prediction stands in as the label
        (see the class), the outputs are compared as features, the row id is kept as a slice
        column (stored, never measured: slices need predictions)."""
        return {
            "label": self.prediction,
            "features": [*self.features, *self.output_columns],
            "sensitive": list(self.sensitive),
            "slices": [self.row_id, *self.slices],
            "timestamp": self.timestamp,
            "classes": list(self.classes) if self.classes is not None else None,
        }

    def labelled(self, label: str) -> dict[str, Any]:
        """The battery mapping of a batch joined to its labels (column `label`)."""
        return {
            "label": label,
            "prediction": self.prediction,
            "score": self.score,
            "features": list(self.features),
            "sensitive": list(self.sensitive),
            "slices": list(self.slices),
            "timestamp": self.timestamp,
            "positive_label": self.positive_label,
            "classes": list(self.classes) if self.classes is not None else None,
        }
