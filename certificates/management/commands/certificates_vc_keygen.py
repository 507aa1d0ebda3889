"""Make a new Ed25519 key for signing verifiable certificates (docs/deployment.md).

Prints the VC_SIGNING_KEYS entry: the private key encrypted with this
site's FIELD_ENCRYPTION_KEYS (so the environment file holds no clear key),
and the public key to keep when the key is later retired.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import credentials
from lms import crypto


class Command(BaseCommand):
    help = "Generate an Ed25519 signing key for verifiable certificates."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kid",
            default=f"key-{datetime.date.today():%Y%m%d}",  # noqa: DTZ011 - a label only
            help="Key id (the fragment of the DID verification method).",
        )

    def handle(self, *args, kid: str, **options):
        if not kid or not kid.replace("-", "").replace("_", "").isalnum():
            raise CommandError("A key id is letters, digits, - and _ only.")
        private_key = Ed25519PrivateKey.generate()
        public = credentials.public_key_multibase(private_key.public_key())
        encrypted = crypto.encrypt(credentials.private_key_multibase(private_key))
        self.stdout.write(f"{kid}={encrypted}")
        self.stderr.write(
            "Put the line above FIRST in VC_SIGNING_KEYS (comma-separated, newest first).\n"
            f"When you retire this key, keep it published as: {kid}={public}\n"
        )
