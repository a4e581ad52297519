# The constraints come after the data migration (0003), in a transaction of their own: PostgreSQL won't alter a
# table with pending trigger events from the rows just updated.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("budget", "0003_cost_dates"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='costline',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'planned'), ('committed_on__isnull', False), _connector='OR'), name='cost_committed_has_its_date'),
        ),
        migrations.AddConstraint(
            model_name='costline',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'paid'), _negated=True), ('paid_on__isnull', False), _connector='OR'), name='cost_paid_has_its_date'),
        ),
    ]
