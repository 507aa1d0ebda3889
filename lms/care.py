"""关怀版 (care mode): the script in every page's <head> that applies it before first paint.

Pages are the same for everyone (they are cached at the edge: lms/edge.py), so
the mode cannot be rendered into the HTML. A few bytes of inline script read
the choice stored on the device (local storage, else a cookie; ``?care=1`` or
``?care=0`` in the address sets it) and put ``care`` on ``<html>`` before the
stylesheets apply, so the large layout is the first one painted. The script is
the file ``static/lms/care-boot.js``, read once at startup; the
Content-Security-Policy allows exactly that text by its SHA-256 (lms/csp.py),
never ``'unsafe-inline'`` and never a per-response nonce (which would make every
cached copy differ).
"""

import base64
import hashlib
from pathlib import Path

BOOT_SCRIPT = (Path(__file__).parent / "static" / "lms" / "care-boot.js").read_text("utf-8").strip()

#: The CSP source expression that allows :data:`BOOT_SCRIPT` inline, e.g. ``'sha256-…='``.
BOOT_SCRIPT_HASH = "'sha256-{}'".format(
    base64.b64encode(hashlib.sha256(BOOT_SCRIPT.encode("utf-8")).digest()).decode("ascii")
)
