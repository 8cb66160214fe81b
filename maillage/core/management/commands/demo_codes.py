from django.core.management.base import BaseCommand
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core.demo import current_totp


class Command(BaseCommand):
    help = "Affiche le code TOTP du moment de chaque compte de démonstration."

    def handle(self, *args, **options):
        devices = (
            TOTPDevice.objects.filter(user__is_demo=True, confirmed=True)
            .select_related("user")
            .order_by("user__email")
        )
        if not devices:
            self.stdout.write("Aucun compte de démonstration : lancez d'abord « manage.py seed_demo ».")
        for device in devices:
            self.stdout.write(f"{device.user.email:<40} {current_totp(device)}")
