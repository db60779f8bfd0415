"""Portfolio pages benchmark (issue #20): what a bank's users open most, under load, on a
portfolio of 10,000 models against one of 1,000.

    .venv/bin/python bench/portfolio_pages_bench.py [--models 10000] [--baseline-models 1000]
        [--duration 10] [--connections 4] [--rebuild]

For each size it uses the PostgreSQL database `warden_pages_<N>` on 127.0.0.1:5432, built with
`manage.py portfolio_build --models N` (3 versions a model, their audits, decisions,
deployments, incidents and chained trail) when it does not hold N models yet or `--rebuild`
is given (minutes at 10,000 models, so a second run reuses it). It starts gunicorn as
production runs it (config/gunicorn.py, the Redis cache on db 12) and asks each endpoint with
wrk for `--duration` seconds over `--connections` connections, as the right user (a pipeline's
token for the gate, an auditor's token or session for the inventory, a risk officer's session
for their home). Before it measures an endpoint it checks that the endpoint answers 200 to that
user, so a redirect to the login page can not pass for a fast page.

It prints p50 / p95 / p99 and requests/s per endpoint and size, p95 against its target (the
gate under 50 ms, every page under 300 ms) and how p95 grew from the baseline size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import (  # noqa: E402
    BASE,
    WRK_REPORT,
    gunicorn_start,
    recreate_database,
    wait_until_serving,
    wrk,
)

GATE_P95_MS, PAGE_P95_MS = 50, 300


def environment(workdir: Path, database: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "DATABASE_CONN_MAX_AGE": "60",
        "CACHE_URL": "redis://127.0.0.1:6379/12",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
        "MEDIA_ROOT": str(workdir / "media"),
        "WARDEN_VAR_DIR": str(workdir / "var"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }


def portfolio_ready(database: str, models: int) -> bool:
    """Whether `database` already holds a built portfolio of `models` models."""
    import psycopg

    try:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as db:
            row = db.execute("SELECT count(*) FROM governance_mlmodel").fetchone()
            events = db.execute("SELECT count(*) FROM governance_event").fetchone()
    except psycopg.Error:
        return False
    return bool(row and events and row[0] == models and events[0] > models)


def build(database: str, models: int, env: dict[str, str], *, anew: bool) -> None:
    """Build the portfolio in a new database when `anew`; else bring the one there to this
    checkout's migrations (a kept portfolio otherwise lacks the columns added since)."""
    if anew:
        recreate_database(database)
    run_env = {**os.environ, **env}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=run_env, check=True)
    if anew:
        subprocess.run(
            [*manage, "portfolio_build", "--models", str(models)],
            cwd=ROOT,
            env=run_env,
            check=True,
        )


def credentials() -> dict[str, str]:
    """The request header each reader sends: tokens for the API and the gate, session cookies
    for the pages (a pipeline's gate account is made here; the portfolio has the rest)."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from governance.models import User
    from governance.roles import Role

    pipeline, _ = User.objects.get_or_create(username="bench-pipeline")
    pipeline.groups.add(Group.objects.get(name=Role.GATE))
    auditor = User.objects.filter(groups__name=Role.AUDITOR).order_by("pk").first()
    officer = User.objects.filter(groups__name=Role.RISK_OFFICER).order_by("pk").first()
    assert auditor and officer, "portfolio_build makes auditors and risk officers"

    def session(user: User) -> str:
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        return f"Cookie: {name}={client.cookies[name].value}"

    def token(user: User) -> str:
        return f"Authorization: Token {Token.objects.get_or_create(user=user)[0].key}"

    return {
        "pipeline": token(pipeline),
        "auditor token": token(auditor),
        "auditor": session(auditor),
        "risk officer": session(officer),
    }


def endpoints() -> list[tuple[str, str, str, int]]:
    """(name, path, who asks, p95 target in ms), on a deployed version of the portfolio's."""
    from governance.models import ModelVersion, VersionStatus

    version = (
        ModelVersion.objects.filter(status=VersionStatus.DEPLOYED, model__risk_tier=1)
        .select_related("model")
        .order_by("pk")
        .first()
    )
    assert version is not None, "portfolio_build deploys versions"
    slug, number = version.model.slug, version.version
    return [
        ("gate", f"/api/gate/?model={slug}&version={number}&environment=prod", "pipeline", 50),
        ("API model list", "/api/models/", "auditor token", PAGE_P95_MS),
        ("API search and filter", "/api/models/?q=fraud&risk_tier=1", "auditor token", 300),
        ("inventory page", "/models/", "auditor", PAGE_P95_MS),
        ("inventory filtered", "/models/?tier=1&status=deployed", "auditor", PAGE_P95_MS),
        ("inventory search", "/models/?q=fraud", "auditor", PAGE_P95_MS),
        ("inventory flag", "/models/?flags=open_incidents", "auditor", PAGE_P95_MS),
        ("version page", f"/models/{slug}/versions/{number}/", "auditor", PAGE_P95_MS),
        ("risk officer's home", "/review/", "risk officer", PAGE_P95_MS),
        ("portfolio page", "/portfolio/", "auditor", PAGE_P95_MS),
    ]


def answers_ok(path: str, header: str) -> None:
    """The endpoint answers 200 itself (no redirect to a login or another page)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    name, value = header.split(": ", 1)
    request = urllib.request.Request(BASE + path, headers={name: value})
    try:
        status = urllib.request.build_opener(NoRedirect).open(request, timeout=60).status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise SystemExit(f"{path} answered {status}, not 200: nothing to measure")


def measure_size(models: int, options: argparse.Namespace) -> None:
    """One size, in a process of its own (Django binds its database once): JSON lines out."""
    database = f"warden_pages_{models}"
    with tempfile.TemporaryDirectory(prefix="warden-pages-") as folder:
        workdir = Path(folder)
        env = environment(workdir, database)
        build(database, models, env, anew=options.rebuild or not portfolio_ready(database, models))
        subprocess.run(  # the pages' stylesheet, as `make run` collects it
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
        )
        os.environ.update(env)
        import django

        django.setup()
        headers = credentials()
        measured = endpoints()
        script = workdir / "report.lua"
        script.write_text(WRK_REPORT)
        server = gunicorn_start(env, workdir / "gunicorn.log")
        try:
            wait_until_serving()
            for name, path, who, target in measured:
                answers_ok(path, headers[who])
                wrk(BASE + path, headers[who], 2, options.connections, script)  # warm up
                result = wrk(
                    BASE + path, headers[who], options.duration, options.connections, script
                )
                print(json.dumps({"models": models, "name": name, "target": target, **result}))
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--baseline-models", type=int, default=1_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rebuild", action="store_true", help="build the portfolios anew")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # one size, in a child
    options = parser.parse_args()
    if options.size:
        measure_size(options.size, options)
        return
    load_before = os.getloadavg()
    rows: dict[tuple[int, str], dict] = {}
    for models in (options.baseline_models, options.models):
        child = [sys.executable, __file__, "--size", str(models)]
        child += ["--duration", str(options.duration), "--connections", str(options.connections)]
        child += ["--rebuild"] if options.rebuild else []
        out = subprocess.run(child, cwd=ROOT, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"{models} models: {out.stderr[-3000:]}")
        for line in out.stdout.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                rows[(models, row["name"])] = row
    load_after = os.getloadavg()
    print(
        f"portfolio pages: gunicorn (config/gunicorn.py), PostgreSQL and Redis on loopback, wrk "
        f"{options.connections} connections, {options.duration} s an endpoint; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    for (models, name), row in rows.items():
        meets = row["p95"] < row["target"] and not row["errors"]
        print(
            f"  {models:>6} models  {name:<24} {row['rps']:7.1f} req/s  p50 {row['p50']:7.1f} ms  "
            f"p95 {row['p95']:7.1f} ms ({row['p95'] / row['target']:.2f}x its {row['target']} ms)  "
            f"p99 {row['p99']:7.1f} ms  errors {row['errors']}  "
            f"{'meets' if meets else 'MISSES'} the target"
        )
    for (models, name), row in rows.items():
        if models == options.models and (options.baseline_models, name) in rows:
            base = rows[(options.baseline_models, name)]
            print(
                f"  {name:<24} p95 x{row['p95'] / base['p95']:.2f} from {options.baseline_models} "
                f"to {options.models} models"
            )


if __name__ == "__main__":
    main()
