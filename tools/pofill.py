"""Fill empty msgstr entries of a .po file from a JSON mapping {msgid: translation}.

Usage: python tools/pofill.py path/to/django.po translations.json
Catalogs are made with `makemessages --no-wrap`, so every msgid is one line.
Prints the msgids still untranslated, so none is forgotten.
"""

import json
import re
import sys
from pathlib import Path


def _unquote(s: str) -> str:
    return json.loads(s)


def fill(po_path: Path, mapping: dict[str, str]) -> list[str]:
    lines = po_path.read_text(encoding="utf-8").splitlines()
    missing = []
    for i, line in enumerate(lines):
        m = re.match(r'^msgid (".*")$', line)
        if not m or i + 1 >= len(lines) or not lines[i + 1].startswith("msgstr "):
            continue
        msgid = _unquote(m.group(1))
        if not msgid:
            continue
        current = _unquote(lines[i + 1][len("msgstr ") :])
        if msgid in mapping:
            lines[i + 1] = "msgstr " + json.dumps(mapping[msgid], ensure_ascii=False)
            # A fuzzy guess from makemessages is replaced by the real translation.
            if i > 0 and lines[i - 1].startswith("#,") and "fuzzy" in lines[i - 1]:
                lines[i - 1] = lines[i - 1].replace(", fuzzy", "").replace("#,fuzzy", "#,")
        elif not current:
            missing.append(msgid)
    po_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return missing


if __name__ == "__main__":
    po, mapping_file = Path(sys.argv[1]), Path(sys.argv[2])
    left = fill(po, json.loads(mapping_file.read_text(encoding="utf-8")))
    for msgid in left:
        sys.stdout.write(f"untranslated: {msgid}\n")
