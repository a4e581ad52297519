"""Briefs whose video was approved before Brief.approved_video existed get it from their approved run."""

from django.db import migrations


def fill(apps, schema_editor):
    ApprovalRun = apps.get_model("approvals", "ApprovalRun")
    Brief = apps.get_model("content", "Brief")
    for run in ApprovalRun.objects.filter(stage="video", status="approved").order_by("video_version__number"):
        Brief.objects.filter(pk=run.brief_id).update(approved_video_id=run.video_version_id)


class Migration(migrations.Migration):
    dependencies = [("approvals", "0004_auditevent_moves_to_audit"), ("content", "0002_brief_approved_video")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
