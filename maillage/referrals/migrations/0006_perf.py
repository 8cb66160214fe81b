from django.db import migrations, models


class Migration(migrations.Migration):
    """The partner's inbox read from one index: its counts and its page's order (bench/referrals.py)."""

    dependencies = [
        ("referrals", "0005_api"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="referral", name="referral_inbox_idx"),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["to_organisation", "status", "-urgency", "sent_at", "id"], name="referral_inbox_order_idx"
            ),
        ),
    ]
