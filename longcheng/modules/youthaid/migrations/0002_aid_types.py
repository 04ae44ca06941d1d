"""The three aid types of seed page 000, as data the charity federation can change on the aid rules
page: education grant 6,000 a year; medical re-aid up to 20,000 a year in total; living assistance
1,000-3,000 a year by hardship grade."""

from django.db import migrations

AID_TYPES = [
    {"code": "education", "name": "助学金", "name_en": "Education grant", "condition": "university",
     "min_fen": 600_000, "max_fen": 600_000, "yearly_cap_fen": 600_000, "grade_amounts": {},
     "proof_required": True, "proof_label": "录取通知书或在读证明", "order": 1},
    {"code": "medical", "name": "医疗再救助", "name_en": "Medical re-aid", "condition": "serious_illness",
     "min_fen": 10_000, "max_fen": 2_000_000, "yearly_cap_fen": 2_000_000, "grade_amounts": {},
     "proof_required": True, "proof_label": "医疗费用票据", "order": 2},
    {"code": "living", "name": "生活救助", "name_en": "Living assistance", "condition": "hardship",
     "min_fen": 100_000, "max_fen": 300_000, "yearly_cap_fen": 300_000,
     "grade_amounts": {"1": 100_000, "2": 200_000, "3": 300_000}, "proof_required": False,
     "proof_label": "", "order": 3},
]


def seed(apps, schema_editor):
    AidType = apps.get_model("youthaid", "AidType")
    for row in AID_TYPES:
        AidType.objects.get_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("youthaid", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
