"""Shared helpers of the question exchange tests: fixture files, a QTI package, a small PNG."""

import zipfile
from io import BytesIO
from pathlib import Path

from PIL import Image

FIXTURES = Path(__file__).parent / "fixtures" / "exchange"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def zip_folder(folder: Path, *, skip: tuple[str, ...] = ()) -> bytes:
    """The files under `folder` as a zip (paths relative to it), leaving out `skip`."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and name not in skip:
                package.write(path, name)
    return out.getvalue()


def ims_package(**kwargs) -> bytes:
    return zip_folder(FIXTURES / "qti_ims", **kwargs)


def png(colour: str = "red", size: int = 4) -> bytes:
    out = BytesIO()
    Image.new("RGB", (size, size), colour).save(out, "PNG")
    return out.getvalue()
