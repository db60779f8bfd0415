"""A monitor's history drawn over time as SVG, server-side with reports.charts' figure and
serialiser (same deterministic, accessible SVG): one line per feature or kind, an estimate's
interval shaded, the policy's warn and fail thresholds as dashed lines (ids `threshold-warn`,
`threshold-fail`, suffixed per chart)."""

from django.core.cache import cache
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

from audits.models import Monitor
from audits.monitoring.series import Panel, monitor_panels, panels_version
from reports.charts import ALERT_COLOUR, FULL_WIDTH, PALETTE, _figure, _svg

WARN_COLOUR = "#E69F00"
THRESHOLDS = (("warn", WARN_COLOUR), ("fail", ALERT_COLOUR))
# A line of more batches than this is drawn without a marker per batch: a marker is one SVG
# element each: two years of daily markers made a chart 5x the bytes and 1.5x the time.
MARKED_POINTS = 90
# Drawn charts are kept this long in the cache (a day: a redeployed drawing shows by the next).
DRAWN_SECONDS = 24 * 3600
# Lines never take a threshold's colour.
LINE_COLOURS = [c for c in PALETTE if c not in (WARN_COLOUR, ALERT_COLOUR)]


def history_svg(panel: Panel) -> str:
    """The panel's lines against batch time, with its thresholds."""
    fig, ax = _figure(FULL_WIDTH, 2.4)
    for k, line in enumerate(panel.lines):
        colour = LINE_COLOURS[k % len(LINE_COLOURS)]
        style = "--" if line.estimated else "-"
        marker = "." if len(line.times) <= MARKED_POINTS else None
        ax.plot(line.times, line.values, style, marker=marker, color=colour, label=line.label,
                linewidth=1)  # fmt: skip
        bounded = [
            (t, low, high)
            for t, low, high in zip(line.times, line.lows, line.highs, strict=True)
            if low is not None and high is not None
        ]
        if bounded:
            times, lows, highs = zip(*bounded, strict=True)
            ax.fill_between(times, lows, highs, color=colour, alpha=0.15, linewidth=0)
    for name, colour in THRESHOLDS:
        limit = getattr(panel, name)
        if limit is not None:
            ax.axhline(limit, linestyle=":", color=colour, linewidth=1.2,
                       label=f"{name} {limit:g}", gid=f"threshold-{name}")  # fmt: skip
    locator = AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_title(panel.title)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    batches = max(len(line.times) for line in panel.lines)
    told = f"{len(panel.lines)} line(s) over {batches} batch(es)"
    judged = [f"{name} at {getattr(panel, name):g}" for name, _ in THRESHOLDS
              if getattr(panel, name) is not None]  # fmt: skip
    return _svg(fig, panel.title, told + (f"; thresholds: {', '.join(judged)}." if judged else "."))


def monitor_charts_drawn(monitor: Monitor) -> list[tuple[str, str]]:
    """The monitor's panels as (title, SVG), from the cache while its history is unchanged:
    drawing a two-year monitor's charts takes about a second, reading the key two queries."""
    key = f"monitor-charts:{panels_version(monitor)}"
    drawn = cache.get(key)
    if drawn is None:
        drawn = [(panel.title, history_svg(panel)) for panel in monitor_panels(monitor)]
        cache.set(key, drawn, DRAWN_SECONDS)
    return drawn
