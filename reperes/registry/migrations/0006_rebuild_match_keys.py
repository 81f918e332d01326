"""The engine's blocking keys gained a kind (`g:` place, first name's sound and the last name's
initial): every youth's keys are written again, so that those already registered are found by it."""

from django.db import migrations

from reperes.matching import blocking_keys
from reperes.registry.identity import record_of


def rebuild(apps, schema_editor):
    Youth = apps.get_model("registry", "Youth")
    YouthMatchKey = apps.get_model("registry", "YouthMatchKey")
    YouthMatchKey.objects.all().delete()
    batch = []
    for youth in Youth.objects.select_related("commune").iterator(chunk_size=2000):
        batch += [YouthMatchKey(youth_id=youth.pk, key=key) for key in blocking_keys(record_of(youth))]
        if len(batch) >= 20000:
            YouthMatchKey.objects.bulk_create(batch)
            batch = []
    YouthMatchKey.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_merge_kept_after")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
