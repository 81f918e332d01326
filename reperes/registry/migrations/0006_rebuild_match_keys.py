"""The engine's blocking keys gained a kind (`g:` place, first name's sound and the last name's
initial): every youth's keys are written again, so that those already registered are found by it.

Historical models have no properties or methods: the record is built here from plain fields, as
`registry.identity.record_of` built it when this migration was written."""

from datetime import date

from django.db import migrations

from reperes.matching import PartialDate, Record, blocking_keys


def _record(youth) -> Record:
    birth: date | PartialDate | None = youth.birth_date
    if youth.birth_date is None or youth.birth_precision in ("unknown", "estimated"):
        birth = None
    elif youth.birth_precision == "year":
        birth = PartialDate(youth.birth_date.year)
    elif youth.birth_precision == "month":
        birth = PartialDate(youth.birth_date.year, youth.birth_date.month)
    commune = youth.commune
    return Record(
        id=str(youth.pk),
        first_name=youth.first_names,
        last_name=youth.usage_name or youth.last_name,
        birth_name=youth.last_name if youth.usage_name else "",
        birth_date=birth,
        sex=youth.sex,
        postcode=(commune.postcodes.split() or [""])[0] if commune else "",
        commune=commune.name if commune else "",
    )


def rebuild(apps, schema_editor):
    Youth = apps.get_model("registry", "Youth")
    YouthMatchKey = apps.get_model("registry", "YouthMatchKey")
    YouthMatchKey.objects.all().delete()
    batch = []
    for youth in Youth.objects.select_related("commune").iterator(chunk_size=2000):
        batch += [YouthMatchKey(youth_id=youth.pk, key=key) for key in blocking_keys(_record(youth))]
        if len(batch) >= 20000:
            YouthMatchKey.objects.bulk_create(batch)
            batch = []
    YouthMatchKey.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_merge_kept_after")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
