"""Which task a data set poses (binary, multiclass, regression) and its classes, from the
merged profile of its target columns; every inconsistency becomes a Problem.

Regression when the labels are numbers that are not whole or take more than MAX_CLASSES
values (or when asked); otherwise classes are the mapping's ``classes``, else the label values
(plus a declared positive label or the one prediction value the labels lack), binary when at
most two. The positive class is the mapping's, else "1" / "True" / "yes" / "positive", else the
last of two classes. A label column with one class only and nothing declared has no known
positive class: figures that need it are not computed, and the document says so (UNKNOWN_POSITIVE).
"""

from __future__ import annotations

from .errors import Problem
from .value_keys import MISSING, key_of, sort_keys

MAX_CLASSES = 50
SUM_TOLERANCE = 1e-6
TASKS = ("binary", "multiclass", "regression")
UNKNOWN_POSITIVE = (
    "the label column holds one class only and no positive label is declared, so the positive "
    "class is unknown: declare the mapping's classes or positive_label (--classes / --positive)"
)


def decide_task(m: dict, profile: dict, task: str | None) -> tuple[dict, list[Problem]]:
    """Task, classes, positive class and prediction source, with every problem found."""
    problems: list[Problem] = []
    label = profile["label"]
    pred = profile.get("prediction")
    if task is not None and task not in TASKS:
        problems.append(Problem("", f"unknown task '{task}' (use one of {', '.join(TASKS)})"))
        task = None
    if label["missing"]:
        problems.append(Problem(m["label"], f"{label['missing']} rows have no label"))
    for col, s in profile.get("scores", {}).items():
        if s["non_numeric"]:
            example = s["example"]["value"]
            problems.append(
                Problem(col, f"{s['non_numeric']} values are not numbers (e.g. '{example}')")
            )
        if s["missing"]:
            problems.append(Problem(col, f"{s['missing']} rows have no value"))
    if pred and pred["missing"]:
        problems.append(Problem(m["prediction"], f"{pred['missing']} rows have no prediction"))
    regression = task == "regression" or (
        task is None
        and label["numeric"]
        and not label["text"]
        and (label["continuous"] or label["many"] or len(label["counts"]) > MAX_CLASSES)
        and not m["probabilities"]
    )
    if regression:
        if not label["numeric"] or label["text"]:
            problems.append(Problem(m["label"], "regression needs numeric labels"))
        if pred is None:
            problems.append(Problem("prediction", "regression needs a prediction column"))
        elif not pred["numeric"] or pred["text"]:
            problems.append(Problem(m["prediction"], "regression needs numeric predictions"))
        return {
            "task": "regression",
            "classes": [],
            "positive": None,
            "prediction_source": "column",
        }, problems
    classes = sort_keys(label["counts"])
    if m["classes"] is not None:
        extra = sorted(set(classes) - set(m["classes"]))
        if extra:
            problems.append(
                Problem(m["label"], f"labels {extra[:5]} are not among the mapping's classes")
            )
        classes = list(m["classes"])
    elif len(classes) == 1 and m["positive_label"] is not None:
        declared = positive_key(m["positive_label"])
        classes = sort_keys({*classes, declared})  # the positive class absent from these rows
    if label["continuous"]:
        problems.append(Problem(m["label"], "labels are not whole numbers; use task regression"))
    if len(classes) > MAX_CLASSES or label["many"]:
        count = f"more than {10 * MAX_CLASSES}" if label["many"] else str(len(classes))
        problems.append(
            Problem(m["label"], f"{count} distinct labels (at most {MAX_CLASSES} classes)")
        )
        return {"task": task or "multiclass", "classes": [], "positive": None,
                "prediction_source": None}, problems  # fmt: skip
    if pred is not None:
        unknown = sorted(set(pred["counts"]) - set(classes) - {MISSING})
        mixed = bool(pred["numeric"]) != bool(label["numeric"])
        if len(classes) == 1 and len(unknown) == 1 and not mixed and m["classes"] is None:
            classes, unknown = sort_keys([*classes, *unknown]), []  # a one-class binary set
        if pred["continuous"] or unknown or mixed:
            shown = ", ".join(unknown[:5]) if unknown else "non-integer values"
            problems.append(
                Problem(
                    m["prediction"],
                    f"predictions and labels come from different label sets "
                    f"({shown} not among the labels)",
                )
            )
    probs = m["probabilities"]
    for col, s in profile.get("scores", {}).items():
        if s["outside"]:
            problems.append(Problem(col, f"{s['outside']} probabilities outside [0, 1]"))
    if probs and profile.get("sum_off"):
        problems.append(
            Problem(
                probs[0],
                f"probabilities in {profile['sum_off']} rows do not sum to 1 "
                f"(tolerance {SUM_TOLERANCE:g})",
            )
        )
    if probs and len(probs) != len(classes):
        problems.append(
            Problem(probs[0], f"{len(probs)} probability columns for {len(classes)} label classes")
        )
    kind = task or ("binary" if len(classes) <= 2 else "multiclass")
    if kind == "binary" and len(classes) > 2:
        problems.append(Problem(m["label"], f"task binary but {len(classes)} label classes"))
    positive = None
    if kind == "binary":
        positive = _positive(m, classes, problems)
    score = m["score"]
    if kind == "multiclass" and score:
        problems.append(
            Problem(score, "a multiclass task needs one probability column per class, not a score")
        )
    source = (
        "column"
        if m["prediction"]
        else ("score" if score else ("probabilities" if probs else None))
    )
    if source == "score" and (positive is None or len(classes) != 2):
        source = None  # a threshold on the score needs both classes named
    return {
        "task": kind,
        "classes": classes,
        "positive": positive,
        "prediction_source": source,
    }, problems


def positive_key(wanted) -> str:
    """The class key of a declared positive label (``1``, ``1.0`` and ``"1"`` are all "1")."""
    return key_of(wanted) if isinstance(wanted, int | float | bool) else str(wanted)


def _positive(m: dict, classes: list[str], problems: list[Problem]) -> str | None:
    wanted = m["positive_label"]
    if wanted is not None:
        key = positive_key(wanted)
        if key not in classes:
            problems.append(Problem(m["label"], f"positive label '{key}' is not among the labels"))
        return key
    for usual in ("1", "True", "true", "yes", "positive"):
        if usual in classes:
            return usual
    return classes[-1] if len(classes) == 2 else None
