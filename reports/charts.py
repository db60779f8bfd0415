"""Server-side charts for model cards and web pages: one function per chart, result document in,
SVG text out. The same bytes go into the PDF and the page, so a chart looks the same in both.

Each function takes the relevant part of an audit result document (contracts/audit-result.schema
.json) and returns the SVG as text (no XML prolog, so it can be inlined in HTML), or None when
the input holds nothing to draw; the caller then prints its own "no data" line. Values that are
null are skipped, never drawn as zero. Output is deterministic: same input, same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from matplotlib import rcParams
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and in greyscale print.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"]
OK_COLOUR, ALERT_COLOUR, GUIDE_COLOUR = "#0072B2", "#D55E00", "#777777"
GROUP_RATES = ("selection_rate", "tpr", "fpr", "fnr", "accuracy")
# Set once for the process, not per call: rcParams is global, and swapping it in and out while
# another thread draws would make that thread's output differ. A fixed id salt (matplotlib
# otherwise salts clip-path ids randomly) and no date (below) make the output deterministic.
# Text stays text (svg.fonttype "none"): selectable and readable by screen readers, half the
# bytes, and WeasyPrint renders it twice as fast as glyph outlines; it names DejaVu Sans, which
# the PDF side has installed and browsers replace with their sans-serif if they lack it.
rcParams.update(
    {"svg.hashsalt": "warden", "svg.fonttype": "none", "font.size": 8, "axes.titlesize": 9}
)
# Charts are drawn at the size they print (8 pt text stays 8 pt on paper), sized by their
# content: a chart with little to show takes HALF_WIDTH, so two share a row of the card's 176 mm
# text; one with many groups grows up to FULL_WIDTH. Inches, as matplotlib measures.
HALF_WIDTH, FULL_WIDTH = 3.2, 6.9
# The x axes of accuracy curves: the keys a point may name its x by, and the chart's title
# (the corruption check's series name their severity "epsilon", as the epsilon charts read).
CURVE_AXES = {"epsilon": ("epsilon", "eps"), "severity": ("severity", "epsilon")}
CURVE_TITLES = {
    "epsilon": "Accuracy by perturbation size",
    "severity": "Accuracy by corruption severity",
}
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_ID_OR_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)([^")]+)([")])')


def confusion_matrix_svg(details: Mapping[str, Any] | None) -> str | None:
    """Heat map of the performance check's confusion matrix (rows true, columns predicted).

    Takes the check's `details` (with `confusion_matrix: {labels, matrix}`) or that dict itself.
    """
    cm = (details or {}).get("confusion_matrix", details) or {}
    labels = [str(label) for label in cm.get("labels") or []]
    matrix = cm.get("matrix") or []
    n = len(labels)
    if not n or len(matrix) != n or any(len(row or []) != n for row in matrix):
        return None
    values = [[_number(cell) or 0.0 for cell in row] for row in matrix]
    fig, ax = _figure(min(FULL_WIDTH, max(HALF_WIDTH, 0.55 * n + 2.0)), max(2.8, 0.5 * n + 1.6))
    image = ax.imshow(values, cmap="Blues", vmin=0)
    top = max(max(row) for row in values) or 1.0
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            colour = "white" if value > top * 0.6 else "black"
            ax.text(j, i, f"{value:g}", ha="center", va="center", color=colour, fontsize=8)
    ax.set_xticks(range(n), labels, rotation=45 if n > 4 else 0, ha="right" if n > 4 else "center")
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return _svg(fig, "Confusion matrix", f"True against predicted labels, {n} classes.")


def group_rates_svg(attribute: Mapping[str, Any] | None, name: str = "") -> str | None:
    """Grouped bars of the fairness rates (selection rate, TPR, FPR, FNR, accuracy) per group.

    Takes one entry of the fairness check's `details.attributes`, i.e. `{groups: {value: rates}}`;
    `name` is the sensitive attribute's column, used in the title.
    """
    groups = {
        str(name): rates
        for name, rates in ((attribute or {}).get("groups") or {}).items()
        if any(_number(rates.get(r)) is not None for r in GROUP_RATES)
    }  # a group with no number at all (e.g. n = 0) is left out rather than drawn empty
    rates = [r for r in GROUP_RATES if any(_number(g.get(r)) is not None for g in groups.values())]
    if not rates:
        return None
    names = list(groups)
    width = 0.8 / len(rates)
    # about half an inch per group of bars, so an intersection's many labels stay readable
    figure_width = min(FULL_WIDTH, max(HALF_WIDTH, 0.5 * len(names) + 0.8))
    fig, ax = _figure(figure_width, 2.7)
    for k, rate in enumerate(rates):
        points = [(i, _number(g.get(rate))) for i, g in enumerate(groups.values())]
        xs = [i + (k - (len(rates) - 1) / 2) * width for i, v in points if v is not None]
        ys = [v for _, v in points if v is not None]
        ax.bar(xs, ys, width=width, color=PALETTE[k % len(PALETTE)], label=rate.replace("_", " "))
    crowded = len(names) > 5 or max(len(n) for n in names) * len(names) > 12 * figure_width
    ax.set_xticks(
        range(len(names)), names, rotation=30 if crowded else 0, ha="right" if crowded else "center"
    )
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("rate")
    columns = len(rates) if figure_width > 4.5 else 3
    ax.legend(fontsize=7, ncols=columns, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    title = f"Rates by group for {name}" if name else "Rates by group"
    return _svg(fig, title, f"{', '.join(rates)} for {len(names)} groups.")


def reliability_svg(details: Mapping[str, Any] | None) -> str | None:
    """Reliability diagram: observed frequency against mean predicted probability per bin.

    Takes the calibration check's `details` with `bins`, a list of objects carrying the mean score
    (`mean_predicted`, or `mean_confidence` as the battery writes it, `confidence` / `mean_score`)
    and the observed rate (`fraction_positive`, or the battery's `observed_frequency`, `observed` /
    `accuracy`); bins with a `count` (or `n`) of 0 or missing values are skipped.
    """
    points = []
    for item in (details or {}).get("bins") or []:
        predicted = _first(
            item, "mean_predicted", "mean_confidence", "confidence", "mean_score", "avg_score"
        )
        observed = _first(
            item, "fraction_positive", "observed_frequency", "observed", "accuracy", "positive_rate"
        )
        count = _first(item, "count", "n", "support")
        if predicted is None or observed is None or count == 0:
            continue
        points.append((predicted, observed))
    if not points:
        return None
    fig, ax = _figure(HALF_WIDTH, 2.8)
    ax.plot([0, 1], [0, 1], linestyle="--", color=GUIDE_COLOUR, linewidth=1, label="perfect")
    ax.plot(*zip(*sorted(points), strict=True), marker="o", color=OK_COLOUR, label="model")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed frequency")
    ax.legend(fontsize=7, loc="upper left")
    return _svg(fig, "Reliability diagram", f"Observed against predicted for {len(points)} bins.")


def drift_svg(details: Mapping[str, Any] | None, psi_threshold: float | None = 0.2) -> str | None:
    """Horizontal bars of PSI per feature, drifted features in the alert colour.

    Takes the drift check's `details` with `features: {name: {psi, statistic, drifted, ...}}`.
    Features without a PSI fall back to their test statistic; features with neither are left out.
    """
    rows = []
    for feature, item in ((details or {}).get("features") or {}).items():
        value = _first(item, "psi", "statistic")
        if value is not None:
            rows.append((str(feature), value, bool(item.get("drifted"))))
    if not rows:
        return None
    rows.reverse()  # barh draws bottom-up; keep the document's order reading downwards
    fig, ax = _figure(HALF_WIDTH, max(1.6, 0.28 * len(rows) + 1.0))
    colours = [ALERT_COLOUR if drifted else OK_COLOUR for _, _, drifted in rows]
    ax.barh([r[0] for r in rows], [r[1] for r in rows], color=colours)
    if psi_threshold is not None:
        ax.axvline(psi_threshold, linestyle="--", color=GUIDE_COLOUR, linewidth=1)
    ax.set_xlabel("PSI (or test statistic)")
    drifted = sum(1 for r in rows if r[2])
    return _svg(fig, "Feature drift", f"{drifted} of {len(rows)} features drifted.")


def robustness_svg(details: Mapping[str, Any] | None, axis: str = "epsilon") -> str | None:
    """Accuracy against perturbation size epsilon (or, with `axis="severity"`, against the
    corruption check's severities 1..5), one line per series.

    Takes the robustness, adversarial (or corruption) check's `details`: `curve` (or
    `by_epsilon`) as a list of `{epsilon, accuracy}` or an `{epsilon: accuracy}` mapping, or
    `series: {name: <curve>}` for several lines (e.g. one per attack or corruption); points
    carry `severity` instead of `epsilon` on the severity axis.
    """
    details = details or {}
    series = details.get("series") or {"accuracy": details.get("curve", details.get("by_epsilon"))}
    keys = CURVE_AXES[axis]
    lines = {str(name): _curve(curve, keys) for name, curve in series.items()}
    lines = {name: points for name, points in lines.items() if points}
    if not lines:
        return None
    fig, ax = _figure(HALF_WIDTH, 2.7)
    for k, (name, points) in enumerate(lines.items()):
        ax.plot(*zip(*points, strict=True), marker="o", color=PALETTE[k % len(PALETTE)], label=name)
    ax.set_ylim(0, 1.05)
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=axis == "severity"))
    ax.set_xlabel(axis)
    ax.set_ylabel("accuracy")
    if len(lines) > 1:
        ax.legend(fontsize=7)
    title = CURVE_TITLES[axis]
    return _svg(fig, title, f"{len(lines)} series against {axis}.")


def feature_importance_svg(importances: Any, top: int = 15) -> str | None:
    """Horizontal bars of the `top` largest feature importances by absolute value.

    Takes `{feature: importance}` or a list of `{feature, importance}` objects.
    """
    if isinstance(importances, Mapping):
        pairs: Iterable[Any] = importances.items()
    else:
        pairs = ((i.get("feature"), i.get("importance")) for i in importances or [])
    rows = [(str(f), v) for f, raw in pairs if f is not None and (v := _number(raw)) is not None]
    if not rows:
        return None
    rows = sorted(rows, key=lambda r: (-abs(r[1]), r[0]))[:top]
    rows.reverse()
    fig, ax = _figure(HALF_WIDTH, max(1.6, 0.28 * len(rows) + 1.0))
    colours = [OK_COLOUR if value >= 0 else ALERT_COLOUR for _, value in rows]
    ax.barh([r[0] for r in rows], [r[1] for r in rows], color=colours)
    ax.axvline(0, color=GUIDE_COLOUR, linewidth=0.8)
    ax.set_xlabel("importance")
    return _svg(fig, "Feature importance", f"The {len(rows)} most important features.")


def counts_svg(counts: Sequence[tuple[str, int]], title: str) -> str | None:
    """Horizontal bars of how many items each label counts (the portfolio's tiers, statuses).
    Drawn once per set of counts in a process: the portfolio page asks for the same counts on
    every visit until a version moves, and matplotlib takes ~0.1 s a chart."""
    return _counts_svg(tuple((str(label), int(n)) for label, n in counts if n), title)


@functools.lru_cache(maxsize=64)
def _counts_svg(counts: tuple[tuple[str, int], ...], title: str) -> str | None:
    rows = counts[::-1]  # barh draws bottom-up
    if not rows:
        return None
    fig, ax = _figure(HALF_WIDTH, max(1.4, 0.3 * len(rows) + 0.8))
    ax.barh([r[0] for r in rows], [r[1] for r in rows], color=OK_COLOUR)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    told = "; ".join(f"{label}: {n}" for label, n in counts)
    return _svg(fig, title, told + ".")


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    """A bare Figure, not pyplot: no GUI backend, no global figure registry, so it is safe in
    threaded web workers; savefig(format="svg") uses matplotlib's SVG backend."""
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _svg(fig: Figure, title: str, description: str) -> str:
    """Serialise deterministically and add <title>/<desc> for screen readers."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = _own_ids(_PROLOG.sub("", buffer.getvalue(), count=1))
    head, rest = svg.split(">", 1)
    accessible = f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
    return f'{head} role="img">{accessible}{rest}'


def _own_ids(svg: str) -> str:
    """Suffix every id (and every reference to one) with a digest of the chart: matplotlib
    numbers ids per figure (`line2d_1`, clip paths by a fixed salt), so two charts inlined in one
    page would share ids and one could clip or reuse the other's shapes."""
    suffix = "-c" + hashlib.sha256(svg.encode()).hexdigest()[:10]
    return _ID_OR_REFERENCE.sub(lambda m: f"{m.group(1)}{m.group(2)}{suffix}{m.group(3)}", svg)


def _number(value: Any) -> float | None:
    """A finite float, or None for null, non-numbers, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _first(item: Any, *keys: str) -> float | None:
    """The first key of `item` holding a finite number."""
    if not isinstance(item, Mapping):
        return None
    for key in keys:
        if (value := _number(item.get(key))) is not None:
            return value
    return None


def _curve(curve: Any, keys: Sequence[str]) -> list[tuple[float, float]]:
    """(x, accuracy) points sorted by x, from a list of objects naming x by one of `keys`, or
    from an `{x: accuracy}` mapping."""
    if isinstance(curve, Mapping):
        raw: Sequence[Any] = [(_number(_float(k)), _number(v)) for k, v in curve.items()]
    else:
        raw = [(_first(p, *keys), _first(p, "accuracy", "score")) for p in curve or []]
    return sorted((x, a) for x, a in raw if x is not None and a is not None)


def _float(text: Any) -> float | None:
    """Mapping keys are strings in JSON: "0.1" -> 0.1."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None
