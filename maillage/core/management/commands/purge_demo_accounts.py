from django.core.management.base import BaseCommand
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core.models import Membership, User


class Command(BaseCommand):
    help = (
        "Désactive les comptes de démonstration (à faire avant toute mise en production). Ils ne sont pas "
        "effacés : le journal d'audit, en ajout seul, garde la trace de ce qu'ils ont fait."
    )

    def handle(self, *args, **options):
        users = User.objects.filter(is_demo=True, is_active=True)
        count = users.count()
        for user in users:
            user.set_unusable_password()
            user.is_active = False
            user.save()
        TOTPDevice.objects.filter(user__is_demo=True).delete()
        StaticDevice.objects.filter(user__is_demo=True).delete()
        Membership.objects.filter(user__is_demo=True).update(is_active=False)
        self.stdout.write(f"{count} compte(s) de démonstration désactivé(s).")
