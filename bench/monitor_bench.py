"""Benchmark of batch monitoring (issue #18): the history query over two years of daily points
among 1,000 monitors against the issue's 100 ms target, and the seconds one batch costs from
receipt to its points in the history, at 10,000 and 100,000 rows.

    .venv/bin/python bench/monitor_bench.py                     # PostgreSQL if it answers
    .venv/bin/python bench/monitor_bench.py --monitors 100 --rows 10000

It builds a throw-away Warden (PostgreSQL database `warden_monitor_bench` on 127.0.0.1, dropped
and recreated, else SQLite in a temp dir): a version, a reference set through the real intake,
one monitor made by the service, then `--monitors` monitors with `--days` daily batches of
POINTS_PER_DAY points each (bulk_create on SQLite; on PostgreSQL the server writes the same
rows from generate_series, an hour faster). It times `monitor_history` for one monitor and
metric over the whole period (p50/p95 of `--repeat` queries on random monitors, against 100 ms)
and the model page's read of one monitor's charted metrics (`monitor_panels`) with and
without drawing its charts, and the page's charts again from the cache (they are drawn once
per new point). Then one batch per `--rows` goes through `monitor_batch_receive` with Celery
eager (intake, the audit against the reference, CBPE, the points), timed whole and for its
intake alone (the evaluation-set upload of the same file); and one batch of the largest
`--rows` per `--features` count, each through a monitor of that many of the 23 features.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "warden_monitor_bench"
TARGET_MS = 100.0
FEATURES = ("x0", "x1", "x2")
# A day's points of one monitor: the headline figures and three features' PSI.
HEADLINES = (
    "volume.rows",
    "drift.drift_share",
    "drift.prediction_psi",
    "drift.score_psi",
    "data_quality.missing_cell_share",
    "performance.accuracy",
    "performance.roc_auc_score",
)
POINTS_PER_DAY = len(HEADLINES) + len(FEATURES)


def database_url(workdir: Path) -> str:
    """A fresh PostgreSQL database when the local server answers, else SQLite in `workdir`."""
    if shutil.which("psql"):
        base = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
        dropped = subprocess.run(
            [*base, f"DROP DATABASE IF EXISTS {DATABASE}"], capture_output=True, check=False
        )
        if dropped.returncode == 0:
            subprocess.run([*base, f"CREATE DATABASE {DATABASE}"], check=True)
            return f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    return f"sqlite:///{workdir / 'bench.sqlite3'}"


def batch_file(path: Path, rows: int, seed: int) -> Path:
    """bench/battery_bench.py's synthetic rows with a row id, without the label."""
    import pandas as pd

    from bench.battery_bench import generate

    raw = path.with_suffix(".raw.parquet")
    generate(raw, rows, seed=seed, shift=0.0)
    frame = pd.read_parquet(raw)
    frame.insert(0, "row_id", range(rows))
    frame.to_parquet(path, index=False)
    raw.unlink()
    return path


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _day_points() -> list[tuple[str, str | None, str]]:
    """(metric, subject, kind) of one monitor's day."""
    headline = [
        (m, None, "estimated" if m.startswith("performance") else "realised") for m in HEADLINES
    ]
    return headline + [("drift.feature_psi", f, "realised") for f in FEATURES]


def _fill_orm(monitors: list, days: list, set_id: int, rng: random.Random) -> None:
    """The batches and points of `monitors` through bulk_create (SQLite: slow past ~100)."""
    from audits.models import MetricPoint, MonitorBatch

    for each in monitors:
        batches = MonitorBatch.objects.bulk_create(
            [
                MonitorBatch(
                    monitor=each, evaluation_set_id=set_id, batch_time=day, measured_at=day
                )
                for day in days
            ],
            batch_size=2000,
        )
        MetricPoint.objects.bulk_create(
            [
                MetricPoint(
                    monitor=each,
                    batch=b,
                    metric=metric,
                    subject=subject,
                    kind=kind,
                    value=rng.random(),
                    batch_time=b.batch_time,
                )
                for b in batches
                for metric, subject, kind in _day_points()
            ],
            batch_size=5000,
        )


def _fill_sql(monitors: list, days: list, set_id: int, rng: random.Random) -> None:
    """The same rows written by PostgreSQL itself from generate_series: bulk_create of 7.3M
    model instances takes over an hour on a shared 2-core machine; the table is what counts."""
    from django.db import connection

    ids = [m.pk for m in monitors]
    values = ", ".join(["(%s, %s, %s)"] * len(_day_points()))
    flat = [v for row in _day_points() for v in row]
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [rng.random()])
        cursor.execute(
            "INSERT INTO audits_monitorbatch (monitor_id, evaluation_set_id, batch_time,"
            " measured_at, received_at, estimate_refused)"
            " SELECT m, %s, t, t, now(), '' FROM unnest(%s::bigint[]) m,"
            " generate_series(%s::timestamptz, %s::timestamptz, interval '1 day') t",
            [set_id, ids, days[0], days[-1]],
        )
        cursor.execute(
            "INSERT INTO audits_metricpoint (monitor_id, batch_id, metric, subject, value, kind,"
            " batch_time) SELECT b.monitor_id, b.id, x.metric, x.subject, random(), x.kind,"
            f" b.batch_time FROM audits_monitorbatch b, (VALUES {values}) AS x(metric, subject,"
            " kind) WHERE b.monitor_id = ANY(%s)",
            [*flat, ids],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--monitors", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--features", type=int, nargs="*", default=[5, 11, 23])
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="warden-monitor-bench-"))
    url = database_url(workdir)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url,
            "MEDIA_ROOT": str(workdir / "media"),
            "WARDEN_VAR_DIR": str(workdir / "var"),
            "CELERY_BROKER_URL": "memory://",
        }
    )
    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command
    from django.utils import timezone

    from audits.models import MetricPoint, Monitor
    from audits.monitoring.batches import batch_monitor_create, monitor_batch_receive
    from audits.monitoring.history import monitor_history
    from audits.monitoring.series import monitor_panels
    from audits.services import evaluation_sets
    from bench.battery_bench import MAPPING, NUMERIC
    from bench.registry_seed import bench_version
    from config.celery import app
    from reports.history_charts import monitor_charts_drawn

    app.conf.task_always_eager = True
    call_command("migrate", verbosity=0)
    version = bench_version()
    engineer = version.created_by
    with batch_file(workdir / "reference.parquet", 20_000, seed=1).open("rb") as handle:
        reference = evaluation_sets.evaluation_set_upload(
            actor=engineer,
            version=version,
            role="reference",
            file=File(handle, name="reference.parquet"),
            mapping=MAPPING,
        )

    def monitor_of(features: list[str]) -> Monitor:
        mapping = {
            "row_id": "row_id",
            "prediction": "prediction",
            "score": "score",
            "features": features,
            "sensitive": MAPPING["sensitive"],
        }
        return batch_monitor_create(
            actor=engineer, version=version, reference_set=reference, mapping=mapping
        )

    def received(monitor: Monitor, path: Path) -> tuple[float, str]:
        """Seconds from receipt to the batch's points, and its reason for no estimate."""
        started = time.perf_counter()
        with path.open("rb") as handle:
            batch = monitor_batch_receive(
                actor=engineer, monitor=monitor, file=File(handle, name="batch.parquet")
            )
        whole = time.perf_counter() - started
        batch.refresh_from_db()
        assert batch.measured_at is not None, batch.run and batch.run.error
        return whole, batch.estimate_refused or "no"

    monitor = monitor_of(MAPPING["features"])

    seconds = {}
    for rows in args.rows:
        path = batch_file(workdir / f"batch-{rows}.parquet", rows, seed=2)
        whole, refused = received(monitor, path)
        started = time.perf_counter()
        with path.open("rb") as handle:
            evaluation_sets.evaluation_set_upload(
                actor=engineer,
                version=version,
                role="batch",
                mapping=MAPPING,
                file=File(handle, name="batch.parquet"),
            )
        seconds[rows] = (whole, time.perf_counter() - started)
        print(
            f"batch of {rows:,} rows ({len(NUMERIC)} numeric features): {whole:.2f} s from "
            f"receipt to points, of which intake {seconds[rows][1]:.2f} s; "
            f"estimate refused: {refused}"
        )
    rows = max(args.rows)
    by_features = {
        count: received(monitor_of(MAPPING["features"][:count]), workdir / f"batch-{rows}.parquet")[
            0
        ]
        for count in sorted(args.features)
    }
    for count, whole in by_features.items():
        print(f"batch of {rows:,} rows through a monitor of {count} features: {whole:.2f} s")
    fewest, most = min(by_features), max(by_features)
    if most > fewest:
        print(
            f"batch seconds, {most} / {fewest} features: "
            f"{by_features[most] / by_features[fewest]:.2f}x for {most / fewest:.1f}x the features"
        )

    started = time.perf_counter()
    template = Monitor.objects.get(pk=monitor.pk)
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Monitor._meta.concrete_fields
        if not f.primary_key
    }
    monitors = Monitor.objects.bulk_create(
        [Monitor(**fields) for _ in range(args.monitors)], batch_size=1000
    )
    end = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    days = [end - dt.timedelta(days=args.days - i) for i in range(args.days)]
    rng = random.Random(7)
    fill = _fill_sql if url.startswith("postgres") else _fill_orm
    for first in range(0, len(monitors), 100):
        fill(monitors[first : first + 100], days, reference.pk, rng)
        print(f"  {first + 100} monitors written, {time.perf_counter() - started:.0f} s")
    total = MetricPoint.objects.count()
    print(
        f"history: {args.monitors:,} monitors x {args.days} days x {POINTS_PER_DAY} points = "
        f"{total:,} points written in {time.perf_counter() - started:.0f} s ({url.split(':')[0]})"
    )
    if url.startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audits_metricpoint")

    since = days[0]
    chosen = [rng.choice(monitors) for _ in range(args.repeat)]
    query_ms, panels_ms = [], []
    for each in chosen:
        started = time.perf_counter()
        found = list(monitor_history(each, metric="drift.drift_share", since=since))
        query_ms.append((time.perf_counter() - started) * 1000)
        assert len(found) == args.days
    for each in chosen[: max(1, args.repeat // 10)]:
        started = time.perf_counter()
        monitor_panels(each)
        panels_ms.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    drawn = monitor_charts_drawn(chosen[0])
    drawing = time.perf_counter() - started
    cached_ms = []
    for _ in range(20):
        started = time.perf_counter()
        assert monitor_charts_drawn(chosen[0]) == drawn
        cached_ms.append((time.perf_counter() - started) * 1000)
    p50, p95 = statistics.median(query_ms), percentile(query_ms, 0.95)
    cached = statistics.median(cached_ms)
    print(
        f"history query, one monitor and metric over {args.days} days ({args.days} points), "
        f"{args.repeat} queries: p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
        f"p95 / {TARGET_MS:.0f} ms target = {p95 / TARGET_MS:.2f}x "
        f"({'met' if p95 < TARGET_MS else 'missed'})"
    )
    print(
        f"model page's read of one monitor's charted metrics: p50 "
        f"{statistics.median(panels_ms):.1f} ms, p95 {percentile(panels_ms, 0.95):.1f} ms; "
        f"read and draw its {len(drawn)} charts: {drawing:.2f} s; the same charts from the "
        f"cache (the page's read while no point is added): p50 {cached:.1f} ms, "
        f"{drawing * 1000 / cached:.0f}x faster than drawing"
    )
    if len(seconds) > 1:
        small, large = min(seconds), max(seconds)
        print(
            f"batch seconds, {large:,} / {small:,} rows: "
            f"{seconds[large][0] / seconds[small][0]:.1f}x for {large / small:.0f}x the rows"
        )
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
