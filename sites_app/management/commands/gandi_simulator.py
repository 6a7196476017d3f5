"""``manage.py gandi_simulator``: a thin wrapper over the standalone simulator's CLI."""

from django.core.management.base import BaseCommand

from sites_app.gandi.simulator import cli


class Command(BaseCommand):
    help = cli.DESCRIPTION

    def add_arguments(self, parser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args, **options) -> None:
        import argparse

        cli.run(argparse.Namespace(**options), out=self.stdout)
