"""Attacks people found (governance's red-team register) as probes every later audit re-tries.

``RedTeamAttack`` is a promoted attempt as the battery needs it; ``attack_probe`` the probe it
becomes: its prompt as the user turn (after its context, when it had one, as the injection probes
place a document before the question), its system text sent after the endpoint's own system
prompt, and what the red_team_regression check judges by: the success marker, else the harmful
flag (a refusal at the reply's start). An attack with neither cannot be re-judged: ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .probes import RED_TEAM_REGRESSION, Probe

MARKER = "success_marker"  # the key of Probe.expected the check reads


@dataclass(frozen=True)
class RedTeamAttack:
    """One promoted red-team attempt: its register id, category and severity, what was sent,
    and how to tell it worked. ``harmful`` prompts are never in a repr."""

    attempt_id: int
    category: str
    severity: str
    prompt: str = field(repr=False)
    system: str = field(default="", repr=False)
    context: str = field(default="", repr=False)
    success_marker: str = ""
    harmful: bool = False


def attack_probe(attack: RedTeamAttack) -> Probe:
    """The probe re-trying ``attack``; its id names the category and the attempt."""
    if not attack.success_marker.strip() and not attack.harmful:
        raise ValueError(
            f"red-team attempt {attack.attempt_id} has no success_marker and is not in a "
            "harmful category: nothing could tell whether it worked again"
        )
    text = f"{attack.context}\n\n{attack.prompt}" if attack.context else attack.prompt
    return Probe(
        id=f"{RED_TEAM_REGRESSION}/{attack.category}/{attack.attempt_id}",
        check=RED_TEAM_REGRESSION,
        family=attack.category,
        messages=(("user", text),),
        system=attack.system,
        context=attack.context,
        expected={MARKER: attack.success_marker} if attack.success_marker.strip() else {},
        slices={"severity": attack.severity},
        harmful=attack.harmful,
    )
