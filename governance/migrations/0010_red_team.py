"""The red-team register (issue #16), and on PostgreSQL a trigger that refuses DELETE of an
attempt and any UPDATE changing what it recorded (prompt, system, context, reply, category,
severity, success, marker, campaign, who logged it and when): evidence is appended, never edited.
What happens to an attempt later (reproduced, promoted, withdrawn, an incident) may be set."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


POSTGRES_GUARD = """
CREATE OR REPLACE FUNCTION governance_redteamattempt_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR ROW(NEW.campaign_id, NEW.prompt, NEW.system, NEW.context, NEW.reply,
            NEW.category, NEW.severity, NEW.succeeded, NEW.success_marker, NEW.logged_by_id,
            NEW.logged_at)
        IS DISTINCT FROM ROW(OLD.campaign_id, OLD.prompt, OLD.system, OLD.context, OLD.reply,
            OLD.category, OLD.severity, OLD.succeeded, OLD.success_marker, OLD.logged_by_id,
            OLD.logged_at) THEN
        RAISE EXCEPTION 'a red-team attempt is append-only evidence: % of what it recorded refused',
            TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER governance_redteamattempt_append_only
    BEFORE UPDATE OR DELETE ON governance_redteamattempt
    FOR EACH ROW EXECUTE FUNCTION governance_redteamattempt_refuse_change();
"""
POSTGRES_UNGUARD = """
DROP TRIGGER IF EXISTS governance_redteamattempt_append_only ON governance_redteamattempt;
DROP FUNCTION IF EXISTS governance_redteamattempt_refuse_change();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_GUARD, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UNGUARD, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0009_llm_versions'),
    ]

    operations = [
        migrations.AlterField(
            model_name='event',
            name='verb',
            field=models.CharField(choices=[('user_created', 'User created'), ('user_updated', 'User updated'), ('user_roles_changed', "User's roles changed"), ('user_flags_changed', "User's access flags changed"), ('user_password_changed', "User's password changed"), ('signature_refused', 'Signature refused (wrong password)'), ('team_created', 'Team created'), ('team_updated', 'Team updated'), ('model_registered', 'Model registered'), ('model_updated', 'Model updated'), ('risk_assessed', 'Risk assessed'), ('risk_tier_overridden', 'Risk tier overridden'), ('version_created', 'Version created'), ('version_updated', 'Version updated'), ('version_integrity_failed', 'Version artifact failed its check'), ('version_submitted', 'Version submitted for review'), ('version_reopened', 'Version reopened as a draft'), ('version_suspended', 'Version suspended'), ('version_retired', 'Version retired'), ('version_deployed', 'Version deployed'), ('revalidation_reminder_sent', 'Revalidation reminder sent'), ('approval_granted', 'Approval granted'), ('approval_granted_with_conditions', 'Approval granted with conditions'), ('version_rejected', 'Version rejected'), ('changes_requested', 'Changes requested'), ('incident_reported', 'Incident reported'), ('incident_updated', 'Incident updated'), ('incident_found_not_reportable', 'Incident found not reportable'), ('incident_reported_to_authority', 'Incident reported to the authority'), ('incident_deadline_reminder_sent', 'Incident deadline reminder sent'), ('red_team_campaign_started', 'Red-team campaign started'), ('red_team_campaign_ended', 'Red-team campaign ended'), ('red_team_attempt_logged', 'Red-team attempt logged'), ('red_team_attempt_reproduced', 'Red-team attempt re-tried'), ('red_team_attempt_promoted', "Red-team attempt added to the version's probe set"), ('red_team_attempt_withdrawn', 'Red-team attempt withdrawn'), ('red_team_attempt_incident_linked', 'Red-team attempt reported as an incident'), ('evaluation_set_uploaded', 'Evaluation set uploaded'), ('audit_requested', 'Audit requested'), ('audit_started', 'Audit started'), ('audit_completed', 'Audit completed'), ('audit_errored', 'Audit errored'), ('monitor_created', 'Monitor created'), ('model_card_issued', 'Model card issued'), ('compliance_issued', 'Compliance report issued')], db_index=True, max_length=64),
        ),
        migrations.CreateModel(
            name='RedTeamCampaign',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('scope', models.TextField(blank=True, max_length=10000)),
                ('started_at', models.DateTimeField()),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
                ('members', models.ManyToManyField(related_name='red_team_campaigns', to=settings.AUTH_USER_MODEL)),
                ('started_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='red_team_campaigns', to='governance.modelversion')),
            ],
            options={
                'ordering': ['-started_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='RedTeamAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('prompt', models.TextField(max_length=20000)),
                ('system', models.TextField(blank=True, max_length=20000)),
                ('context', models.TextField(blank=True, max_length=50000)),
                ('reply', models.TextField(max_length=50000)),
                ('category', models.CharField(choices=[('prompt_injection', 'Prompt injection'), ('jailbreak', 'Jailbreak'), ('system_prompt_leakage', 'System-prompt leakage'), ('pii_leakage', 'Personal-data leakage'), ('harmful_content', 'Harmful content'), ('hallucination', 'Hallucination'), ('other', 'Other')], max_length=30)),
                ('severity', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High'), ('critical', 'Critical')], max_length=10)),
                ('succeeded', models.BooleanField()),
                ('success_marker', models.CharField(blank=True, max_length=500)),
                ('logged_at', models.DateTimeField()),
                ('reproduced', models.BooleanField(blank=True, null=True)),
                ('reproduced_at', models.DateTimeField(blank=True, null=True)),
                ('promoted_at', models.DateTimeField(blank=True, null=True)),
                ('withdrawn_reason', models.TextField(blank=True, max_length=10000)),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                ('incident', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='red_team_attempts', to='governance.incident')),
                ('logged_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('promoted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('reproduced_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attempts', to='governance.redteamcampaign')),
            ],
            options={
                'ordering': ['logged_at', 'id'],
            },
        ),
        migrations.RunPython(guard, unguard),
    ]
