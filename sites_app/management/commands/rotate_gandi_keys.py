"""Re-encrypt every stored Gandi API key with the first ENCRYPTION_KEYS entry.

Rotation: put the new key FIRST in ENCRYPTION_KEYS and keep the old one after it (old rows
stay readable), run this command, then remove the old key.
"""

from django.core.management.base import BaseCommand, CommandError

from sites_app.services.gandi_accounts import rotate_stored_keys


class Command(BaseCommand):
    help = "Re-encrypt every stored Gandi API key with the newest ENCRYPTION_KEYS entry."

    def handle(self, *args, **options):
        done, unreadable = rotate_stored_keys()
        self.stdout.write(f"Re-encrypted {done} Gandi API key(s) with the newest encryption key.")
        if unreadable:
            names = ", ".join(f"{a.name} (id {a.pk}, team {a.team_id})" for a in unreadable)
            raise CommandError(
                f"{len(unreadable)} key(s) could not be read with any ENCRYPTION_KEYS entry: "
                f"{names}. Add the key they were encrypted with back to ENCRYPTION_KEYS, or "
                "replace these API keys in the portal."
            )
