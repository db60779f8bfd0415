"""The red-team register (governance) as the audits use it: a version's promoted attempts as the
probes every later LLM audit re-tries (``red_team_probes``, probe JSON for the battery's
``extra_probes`` option), and an attempt's texts as a reader may see them (``attempt_texts``:
harmful ones masked with the probe pack's ``mask`` unless the reader may read them in full)."""

from dataclasses import dataclass

from audits.battery.llm.pack import mask
from audits.battery.llm.red_team import RedTeamAttack, attack_probe
from governance.models import ModelVersion, RedTeamAttempt


def red_team_probes(version: ModelVersion) -> list[dict]:
    """Probe JSON (``Probe.to_json``) of every promoted, unwithdrawn attempt on ``version``, in
    the order they were logged: what the red_team_regression check scores."""
    attempts = RedTeamAttempt.objects.filter(
        campaign__version=version, promoted_at__isnull=False, withdrawn_at__isnull=True
    ).order_by("logged_at", "id")
    return [attack_probe(red_team_attack(attempt)).to_json() for attempt in attempts]


def red_team_attack(attempt: RedTeamAttempt) -> RedTeamAttack:
    """The attempt as the battery takes it."""
    return RedTeamAttack(
        attempt_id=attempt.pk,
        category=attempt.category,
        severity=attempt.severity,
        prompt=attempt.prompt,
        system=attempt.system,
        context=attempt.context,
        success_marker=attempt.success_marker,
        harmful=attempt.is_harmful,
    )


@dataclass(frozen=True)
class AttemptTexts:
    """What a reader is shown of an attempt's texts; ``masked`` when they were withheld."""

    prompt: str
    system: str
    context: str
    reply: str
    masked: bool


def attempt_texts(attempt: RedTeamAttempt, *, full: bool) -> AttemptTexts:
    """The attempt's texts in full, or, for a harmful one and a reader without the right to read
    it whole (governance.permissions.can_read_attacks_in_full), each masked."""
    hide = attempt.is_harmful and not full
    prompt, system, context, reply = (
        mask(text) if hide and text else text
        for text in (attempt.prompt, attempt.system, attempt.context, attempt.reply)
    )
    return AttemptTexts(prompt=prompt, system=system, context=context, reply=reply, masked=hide)
