"""`manage.py seed_demo`: demo teams, people and models across tiers, once. It prints the demo
passwords and keeps them in var/demo-credentials.txt (mode 0600); a second run changes nothing."""

import os
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from governance import services
from governance.accounts import user_create
from governance.models import User
from governance.roles import Role

TEAMS = [("Credit Risk", "credit-risk"), ("Claims", "claims")]
PEOPLE = [
    ("erin", Role.ENGINEER, "credit-risk", "Erin", "Engel"),
    ("eli", Role.ENGINEER, "claims", "Eli", "Ekwueme"),
    ("rita", Role.RISK_OFFICER, None, "Rita", "Rao"),
    ("raj", Role.RISK_OFFICER, None, "Raj", "Reyes"),
    ("ada", Role.AUDITOR, None, "Ada", "Adeyemi"),
]
MODELS: list[dict[str, Any]] = [
    {
        "slug": "credit-default",
        "name": "Credit default scorer",
        "team": "credit-risk",
        "owner": "erin",
        "model_type": "classification",
        "regulatory_regimes": ["sr_11_7", "eu_ai_act"],
        "purpose": "Estimates the probability that a loan applicant defaults within a year.",
        "intended_use": "Ranking applications for manual underwriting review.",
        "out_of_scope_uses": "Automatic rejection of applicants; pricing.",
        "answers": {
            "impact_on_people": "significant",
            "decision_autonomy": "human_in_the_loop",
            "data_sensitivity": "personal",
            "decision_scale": "large",
            "regulatory_area": "eu_ai_act_annex_iii",
        },
    },
    {
        "slug": "income-band",
        "name": "Income band estimator",
        "team": "credit-risk",
        "owner": "erin",
        "model_type": "classification",
        "regulatory_regimes": ["sr_11_7"],
        "purpose": "Predicts whether declared income exceeds 50K from census-style attributes.",
        "intended_use": "Flagging applications whose declared income needs a document check.",
        "out_of_scope_uses": "Any decision without a document check.",
        "answers": {
            "impact_on_people": "low",
            "decision_autonomy": "advisory",
            "data_sensitivity": "personal",
            "decision_scale": "moderate",
            "regulatory_area": "credit",
        },
    },
    {
        "slug": "claims-triage",
        "name": "Claims triage",
        "team": "claims",
        "owner": "eli",
        "model_type": "classification",
        "regulatory_regimes": ["gdpr"],
        "purpose": "Routes incoming insurance claims to the fast or the detailed review queue.",
        "intended_use": "Queue routing; every claim is still reviewed by a person.",
        "out_of_scope_uses": "Denying claims.",
        "answers": {
            "impact_on_people": "low",
            "decision_autonomy": "human_in_the_loop",
            "data_sensitivity": "internal",
            "decision_scale": "moderate",
            "regulatory_area": "none",
        },
    },
    {
        "slug": "document-classifier",
        "name": "Document type classifier",
        "team": "claims",
        "owner": "eli",
        "model_type": "classification",
        "regulatory_regimes": [],
        "purpose": "Labels scanned claim attachments by document type.",
        "intended_use": "Filing attachments.",
        "out_of_scope_uses": "Fraud detection.",
        "answers": {
            "impact_on_people": "none",
            "decision_autonomy": "advisory",
            "data_sensitivity": "internal",
            "decision_scale": "limited",
            "regulatory_area": "none",
        },
    },
]


class Command(BaseCommand):
    help = "Create demo teams, users and models (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username=PEOPLE[0][0]).exists():
            self.stdout.write("demo data already present; see var/demo-credentials.txt")
            return
        with transaction.atomic():
            credentials = self._seed()
        lines = [f"{name:6} {role:13} {password}" for name, role, password in credentials]
        path = settings.VAR_DIR / "demo-credentials.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        self.stdout.write("demo users (also in var/demo-credentials.txt):\n" + "\n".join(lines))

    def _seed(self) -> list[tuple[str, str, str]]:
        teams = {
            slug: services.team_create(actor=None, name=name, slug=slug) for name, slug in TEAMS
        }
        credentials, people = [], {}
        for username, role, team_slug, first, last in [
            *PEOPLE,
            ("admin", Role.ADMIN, None, "Ann", "Admin"),
        ]:
            password = secrets.token_urlsafe(12)
            people[username] = user_create(
                actor=None,
                username=username,
                password=password,
                role=role,
                team=teams.get(team_slug or ""),
                first_name=first,
                last_name=last,
                email=f"{username}@warden.example",
            )
            credentials.append((username, str(role), password))
        for spec in MODELS:
            spec = dict(spec)
            answers, owner = spec.pop("answers"), people[spec.pop("owner")]
            model = services.mlmodel_register(
                actor=owner, team=teams[spec.pop("team")], owner=owner, **spec
            )
            services.risk_assessment_record(actor=owner, model=model, answers=answers)
        return credentials
