"""Redraw stored certificate PDFs that a font without Latin glyphs left blank in places.

Before fonts were chained (2026-12), a machine whose only CJK font was Droid
Sans Fallback drew certificates without their number, card number and
dates, and stored them. Run once after upgrading (docs/deployment.md §8);
running it again finds nothing left to do.
"""

from django.core.management.base import BaseCommand

from certificates import pdf
from certificates.services.rendering import certificates_rerender_deficient_pdfs


class Command(BaseCommand):
    help = "Re-render stored certificate PDFs and cards drawn with a deficient font."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            action="store_true",
            help="send the re-rendering to the Celery workers instead of drawing here",
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="re-render every current certificate, not only deficient ones",
        )
        parser.add_argument("--chunk", type=int, default=200, help="certificates per step")

    def handle(self, *args, queue, everything, chunk, **options):
        self.stdout.write(f"Font here: {pdf.font_signature()}")

        def progress(result):
            self.stdout.write(
                f"checked {result.checked}, deficient {result.deficient}, "
                f"re-rendered {result.rendered}, failed {len(result.failed)}"
            )

        result = certificates_rerender_deficient_pdfs(
            everything=everything, queue=queue, chunk=chunk, progress=progress
        )
        for certificate_id, error in result.failed.items():
            self.stderr.write(f"certificate {certificate_id}: {error}")
        if queue and result.deficient:
            self.stdout.write(
                f"{result.deficient} certificates sent to the workers; "
                "the reconciler re-sends any whose message is lost."
            )
        self.stdout.write(self.style.SUCCESS("done"))
