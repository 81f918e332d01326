import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="JobLaunch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("job", models.CharField(max_length=40, verbose_name="tâche")),
                ("task_result_id", models.CharField(max_length=64, unique=True, verbose_name="exécution")),
                ("launched_at", models.DateTimeField(auto_now_add=True, verbose_name="lancée le")),
                (
                    "launched_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="lancée par",
                    ),
                ),
            ],
            options={
                "verbose_name": "lancement d'une tâche planifiée",
                "verbose_name_plural": "lancements de tâches planifiées",
                "ordering": ["-launched_at", "-pk"],
            },
        ),
    ]
