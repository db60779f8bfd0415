"""`manage.py demo_card`: the demo's credit model taken through a real review, so the running
app shows a real signed card: seed_demo (once), a version with synthetic evaluation data, the
audit run in this process, submission by erin, approval by rita and raj (tier 1: two officers,
signing with their demo passwords from var/demo-credentials.txt), and the card issued by the
approval hook; then 1.1.0, retrained on a newer book, audited and submitted by erin, so the risk
officers' queue has a version waiting (seed_demo, in governance, cannot run an audit).
`--png docs/model-card-page1.png` renders its first page (pdftoppm) for the docs. Run it again
and it reuses what is there."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from audits.models import AuditRun, RunStatus
from audits.services import evaluation_sets, runs
from governance import decisions, lifecycle, services
from governance.models import MLModel, ModelVersion, User, VersionStatus
from reports import services as reports
from reports.models import Report

SLUG, VERSION, WAITING = "credit-default", "1.0.0", "1.1.0"
TRAINING_SEEDS = {VERSION: 6, WAITING: 9}  # the book each version's model was trained on
MAPPING = {
    "label": "defaulted",
    "prediction": "predicted",
    "score": "score",
    "sensitive": ["sex"],
    "slices": ["age_band"],
    "features": ["income", "debt_ratio", "months_employed", "age_band"],
}


class Command(BaseCommand):
    help = "Take the demo credit model through audit and approval; write its signed card."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--pdf", help="also write the card to this path")
        parser.add_argument("--png", help="render the card's first page to this PNG (pdftoppm)")

    def handle(self, *args: Any, **options: Any) -> None:
        from config.celery import app

        app.conf.task_always_eager = True  # the audit and the card run here, not on a worker
        call_command("seed_demo", stdout=io.StringIO())
        people = {u.username: u for u in User.objects.filter(username__in=["erin", "rita", "raj"])}
        version = self._submitted(people["erin"], VERSION)
        if version.status == VersionStatus.SUBMITTED:
            passwords = _demo_passwords()
            for name in ("rita", "raj"):
                decisions.decision_record(
                    actor=people[name],
                    version=version,
                    decision="approve",
                    meaning="approval",
                    password=passwords[name],
                    comment="Audit reviewed; fairness and calibration within the tier 1 policy.",
                )
            version.refresh_from_db()
        card = reports.model_card_current(version) or reports.model_card_issue(
            actor=None, version=version
        )
        self.stdout.write(f"{version}: {version.get_status_display()}; card {card.record}")
        waiting = self._submitted(people["erin"], WAITING)
        self.stdout.write(f"{waiting}: {waiting.get_status_display()}, in the review queue")
        self._write(card, options)

    def _submitted(self, erin: User, number: str) -> ModelVersion:
        """The version, audited and submitted by erin unless it is further along already."""
        version = self._version(erin, number)
        if version.status == VersionStatus.DRAFT:
            self._audit(version, erin)
            version = lifecycle.version_submit(actor=erin, version=version)
        return version

    def _version(self, erin: User, number: str) -> ModelVersion:
        model = MLModel.objects.get(slug=SLUG)
        found = model.versions.filter(version=number).first()
        if found:
            return found
        return services.version_create(
            actor=erin,
            model=model,
            version=number,
            artifact=_artifact(_model(TRAINING_SEEDS[number])),
            training_data_description=(
                "Synthetic loan book of 4,000 applications (income, debt ratio, months employed, "
                f"age band; book {TRAINING_SEEDS[number]}); made by manage.py demo_card, not "
                "real people."
            ),
            limitations=(
                "Not validated for applicants under 21 or for business loans. Scores drift when "
                "interest rates move sharply; monitored monthly."
            ),
        )

    def _audit(self, version: ModelVersion, erin: User) -> AuditRun:
        done = AuditRun.objects.filter(version=version, status=RunStatus.COMPLETED).first()
        if done:
            return done
        model = _model(TRAINING_SEEDS[version.version])
        sets = [
            evaluation_sets.evaluation_set_upload(
                actor=erin,
                version=version,
                role=role,
                mapping=MAPPING,
                name=f"{role} applications",
                file=SimpleUploadedFile(f"{role}.csv", _applications(model, seed, shift)),
            )
            for role, seed, shift in (
                ("current", 7, 0.15),
                ("reference", 8, 0.0),
                ("training", TRAINING_SEEDS[version.version], 0.0),
            )
        ]
        runs.audit_run_request(
            actor=erin,
            version=version,
            evaluation_set=sets[0],
            reference_set=sets[1],
            training_set=sets[2],
        )
        run = AuditRun.objects.filter(version=version).latest("id")
        if run.status != RunStatus.COMPLETED:
            raise CommandError(f"the demo audit did not complete: {run.error}")
        return run

    def _write(self, card: Report, options: dict[str, Any]) -> None:
        data = card.file.read()
        if options["pdf"]:
            Path(options["pdf"]).write_bytes(data)
            self.stdout.write(f"wrote {options['pdf']}")
        if options["png"]:
            if shutil.which("pdftoppm") is None:
                raise CommandError("pdftoppm not found: apt-get install poppler-utils")
            target = Path(options["png"])
            with tempfile.TemporaryDirectory() as folder:
                pdf = Path(folder) / "card.pdf"
                pdf.write_bytes(data)
                subprocess.run(
                    [
                        "pdftoppm",
                        "-png",
                        "-r",
                        "110",
                        "-f",
                        "1",
                        "-l",
                        "1",
                        "-singlefile",
                        str(pdf),
                        str(target.with_suffix("")),
                    ],
                    check=True,
                    timeout=120,
                )
            self.stdout.write(f"wrote {target}")


def _demo_passwords() -> dict[str, str]:
    """The risk officers' demo passwords, as seed_demo kept them."""
    path = settings.VAR_DIR / "demo-credentials.txt"
    try:
        lines = path.read_text().splitlines()
    except OSError as error:
        raise CommandError(f"cannot read {path}: run seed_demo on a fresh database") from error
    return {line.split()[0]: line.split()[-1] for line in lines if line.strip()}


NUMERIC = ["income", "debt_ratio", "months_employed"]


def _book(seed: int, shift: float, rows: int = 4000) -> pd.DataFrame:
    """Synthetic applications and whether each defaulted; `shift` moves incomes (drift)."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["female", "male"], rows, p=[0.46, 0.54])
    age_band = rng.choice(["21-30", "31-50", "51+"], rows, p=[0.3, 0.5, 0.2])
    income = np.round(rng.lognormal(10.4 + shift, 0.45, rows), -2)
    debt_ratio = np.clip(rng.beta(2, 5, rows), 0, 1).round(3)
    months = rng.integers(0, 240, rows)
    risk = -0.5 + 10.0 * (debt_ratio - 0.28) - 2.6 * (np.log(income) - 10.4) - months / 90
    defaulted = (rng.random(rows) < 1 / (1 + np.exp(-risk))).astype(int)
    return pd.DataFrame(
        {
            "defaulted": defaulted,
            "sex": sex,
            "age_band": age_band,
            "income": income,
            "debt_ratio": debt_ratio,
            "months_employed": months,
        }
    )


def _model(training_seed: int):  # type: ignore[no-untyped-def]
    """The demo's credit model: a logistic regression trained on its own synthetic book. Like a
    model fit for production it scores incomplete applications too (a missing number takes the
    median, a missing or unseen age band none of the known ones), so every robustness
    perturbation is measured."""
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    columns = make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERIC),
        (OneHotEncoder(handle_unknown="ignore"), ["age_band"]),
    )
    book = _book(training_seed, 0.0)
    return make_pipeline(columns, LogisticRegression()).fit(
        book[[*NUMERIC, "age_band"]], book["defaulted"]
    )


def _artifact(model) -> SimpleUploadedFile:  # type: ignore[no-untyped-def]
    import skops.io

    return SimpleUploadedFile("credit-default.skops", skops.io.dumps(model))


def _applications(model, seed: int, shift: float) -> bytes:  # type: ignore[no-untyped-def]
    """An evaluation set: the book with the model's score and decision."""
    book = _book(seed, shift)
    score = model.predict_proba(book[[*NUMERIC, "age_band"]])[:, 1].round(4)
    book.insert(1, "predicted", (score >= 0.5).astype(int))
    book.insert(2, "score", score)
    return book.to_csv(index=False).encode()
