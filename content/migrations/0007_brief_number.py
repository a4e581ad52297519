"""Brief numbers per organisation: the existing briefs are numbered 1, 2, 3 … within their organisation in the order
they were made (their id), then the number is required and unique per organisation."""

from django.db import migrations, models


def number_existing_briefs(apps, schema_editor):
    Brief = apps.get_model("content", "Brief")
    counters: dict[int, int] = {}
    changed = []
    for brief in Brief.objects.order_by("pk").only("pk", "organisation_id").iterator(chunk_size=2000):
        counters[brief.organisation_id] = counters.get(brief.organisation_id, 0) + 1
        brief.number = counters[brief.organisation_id]
        changed.append(brief)
        if len(changed) >= 2000:
            Brief.objects.bulk_update(changed, ["number"])
            changed = []
    Brief.objects.bulk_update(changed, ["number"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("content", "0006_brief_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="brief",
            name="number",
            field=models.PositiveIntegerField(editable=False, null=True, verbose_name="number"),
        ),
        migrations.RunPython(number_existing_briefs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="brief",
            name="number",
            field=models.PositiveIntegerField(editable=False, verbose_name="number"),
        ),
        migrations.AddConstraint(
            model_name="brief",
            constraint=models.UniqueConstraint(fields=("organisation", "number"), name="brief_number_per_organisation"),
        ),
    ]
