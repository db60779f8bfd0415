# Findings (with remediations and the findings approvals accept) and attestations; written by
# hand after merging main (0009_findings and 0010_attestations renumbered after 0012), from the
# two generated migrations, with the trail's verb choices as EventVerb now holds them.

import django.db.models.deletion
import governance.models.findings
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0013_rule_versions"),
    ]

    operations = [
        migrations.AlterField(
            model_name='event',
            name='verb',
            field=models.CharField(choices=[('user_created', 'User created'), ('user_updated', 'User updated'), ('user_roles_changed', "User's roles changed"), ('user_flags_changed', "User's access flags changed"), ('user_password_changed', "User's password changed"), ('signature_refused', 'Signature refused (wrong password)'), ('team_created', 'Team created'), ('team_updated', 'Team updated'), ('model_registered', 'Model registered'), ('model_updated', 'Model updated'), ('custom_field_defined', 'Custom field defined'), ('model_fields_set', "Model's custom fields set"), ('model_tags_set', "Model's tags set"), ('risk_assessed', 'Risk assessed'), ('risk_tier_overridden', 'Risk tier overridden'), ('version_created', 'Version created'), ('version_updated', 'Version updated'), ('version_integrity_failed', 'Version artifact failed its check'), ('version_submitted', 'Version submitted for review'), ('version_reopened', 'Version reopened as a draft'), ('version_suspended', 'Version suspended'), ('version_retired', 'Version retired'), ('version_deployed', 'Version deployed'), ('revalidation_reminder_sent', 'Revalidation reminder sent'), ('approval_granted', 'Approval granted'), ('approval_granted_with_conditions', 'Approval granted with conditions'), ('version_rejected', 'Version rejected'), ('changes_requested', 'Changes requested'), ('policy_proposed', 'Policy version proposed'), ('policy_approved', 'Policy version approved'), ('policy_withdrawn', 'Policy version withdrawn'), ('questionnaire_proposed', 'Questionnaire version proposed'), ('questionnaire_approved', 'Questionnaire version approved'), ('questionnaire_withdrawn', 'Questionnaire version withdrawn'), ('incident_reported', 'Incident reported'), ('incident_updated', 'Incident updated'), ('incident_found_not_reportable', 'Incident found not reportable'), ('incident_reported_to_authority', 'Incident reported to the authority'), ('incident_deadline_reminder_sent', 'Incident deadline reminder sent'), ('finding_raised', 'Finding raised'), ('finding_remediated', 'Finding remediated'), ('finding_closed', 'Finding closed'), ('finding_reopened', 'Finding reopened'), ('finding_overdue_reminder_sent', 'Overdue finding reminder sent'), ('attestation_signed', 'Attestation signed'), ('red_team_campaign_started', 'Red-team campaign started'), ('red_team_campaign_ended', 'Red-team campaign ended'), ('red_team_attempt_logged', 'Red-team attempt logged'), ('red_team_attempt_reproduced', 'Red-team attempt re-tried'), ('red_team_attempt_promoted', "Red-team attempt added to the version's probe set"), ('red_team_attempt_withdrawn', 'Red-team attempt withdrawn'), ('red_team_attempt_incident_linked', 'Red-team attempt reported as an incident'), ('evaluation_set_uploaded', 'Evaluation set uploaded'), ('audit_requested', 'Audit requested'), ('audit_started', 'Audit started'), ('audit_completed', 'Audit completed'), ('audit_errored', 'Audit errored'), ('audit_rejudged', 'Audit re-judged under another policy'), ('monitor_created', 'Monitor created'), ('monitor_alerted', 'Monitoring audit failed its policy'), ('webhook_endpoint_created', 'Webhook endpoint created'), ('webhook_endpoint_updated', 'Webhook endpoint updated'), ('email_subscription_created', 'E-mail subscription created'), ('email_subscription_updated', 'E-mail subscription updated'), ('delivery_dead_lettered', 'Delivery given up (dead letter)'), ('delivery_redelivered', 'Delivery sent again'), ('model_card_issued', 'Model card issued'), ('compliance_issued', 'Compliance report issued'), ('annex_iv_issued', 'Annex IV technical documentation issued')], db_index=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='approval',
            name='meaning',
            field=models.CharField(choices=[('review', 'Review: I have reviewed this version and its audit'), ('approval', 'Approval: I approve this version for deployment'), ('responsibility', 'Responsibility: I take responsibility for this decision'), ('attestation', 'Attestation: the model is used as approved, with no material change')], max_length=20),
        ),
        migrations.CreateModel(
            name='Finding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('severity', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High (blocks approval while open)'), ('critical', 'Critical (blocks approval while open)')], max_length=10)),
                ('description', models.TextField(max_length=10000)),
                ('basis_audit_run_id', models.PositiveBigIntegerField(blank=True, null=True)),
                ('basis_check_id', models.CharField(blank=True, max_length=64)),
                ('basis_reference', models.CharField(blank=True, max_length=500)),
                ('due_on', models.DateField()),
                ('status', models.CharField(choices=[('open', 'Open'), ('remediated', 'Remediated, awaiting validation'), ('closed', 'Closed')], default='open', max_length=12)),
                ('raised_at', models.DateTimeField(auto_now_add=True)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('overdue_reminded_at', models.DateTimeField(blank=True, null=True)),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('model', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='findings', to='governance.mlmodel')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='owned_findings', to=settings.AUTH_USER_MODEL)),
                ('raised_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('version', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='findings', to='governance.modelversion')),
            ],
            options={
                'ordering': ['due_on', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Remediation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.TextField(max_length=10000)),
                ('audit_run_id', models.PositiveBigIntegerField(blank=True, null=True)),
                ('evidence', models.FileField(blank=True, max_length=300, upload_to=governance.models.findings.evidence_upload_to)),
                ('evidence_sha256', models.CharField(blank=True, max_length=64)),
                ('evidence_size', models.PositiveBigIntegerField(blank=True, null=True)),
                ('remediated_at', models.DateTimeField(auto_now_add=True)),
                ('finding', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='remediations', to='governance.finding')),
                ('remediated_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['remediated_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='AcceptedFinding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due_on', models.DateField()),
                ('approval', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='accepted', to='governance.approval')),
                ('finding', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='acceptances', to='governance.finding')),
            ],
            options={
                'ordering': ['approval', 'finding'],
                'constraints': [models.UniqueConstraint(fields=('approval', 'finding'), name='finding_accepted_once_per_approval')],
            },
        ),
        migrations.CreateModel(
            name='Attestation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('statement', models.TextField(max_length=5000)),
                ('versions', models.JSONField(default=list)),
                ('meaning', models.CharField(choices=[('review', 'Review: I have reviewed this version and its audit'), ('approval', 'Approval: I approve this version for deployment'), ('responsibility', 'Responsibility: I take responsibility for this decision'), ('attestation', 'Attestation: the model is used as approved, with no material change')], default='attestation', max_length=20)),
                ('signer_printed_name', models.CharField(max_length=200)),
                ('signer_username', models.CharField(max_length=150)),
                ('signed_at', models.DateTimeField()),
                ('signed_sha256', models.CharField(max_length=64)),
                ('model', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attestations', to='governance.mlmodel')),
                ('signer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-signed_at', '-id'],
            },
        ),
        migrations.AlterField(
            model_name='policyversion',
            name='meaning',
            field=models.CharField(blank=True, choices=[('review', 'Review: I have reviewed this version and its audit'), ('approval', 'Approval: I approve this version for deployment'), ('responsibility', 'Responsibility: I take responsibility for this decision'), ('attestation', 'Attestation: the model is used as approved, with no material change')], max_length=20),
        ),
        migrations.AlterField(
            model_name='questionnaireversion',
            name='meaning',
            field=models.CharField(blank=True, choices=[('review', 'Review: I have reviewed this version and its audit'), ('approval', 'Approval: I approve this version for deployment'), ('responsibility', 'Responsibility: I take responsibility for this decision'), ('attestation', 'Attestation: the model is used as approved, with no material change')], max_length=20),
        ),
    ]
