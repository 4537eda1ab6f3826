"""Wrap one grayscale JPEG into a one-page, image-only PDF (stdlib only).

How ``scanned.pdf`` was made: ``pdftoppm -f 1 -l 1 -r 50 -gray -jpeg
sandwich.pdf page`` then ``python make_scanned.py page-1.jpg scanned.pdf``.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path


def jpeg_size(jpeg: bytes) -> tuple[int, int]:
    """Width and height from the JPEG's start-of-frame marker."""
    i = 2
    while True:
        marker, length = jpeg[i + 1], struct.unpack(">H", jpeg[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", jpeg[i + 5 : i + 9])
            return width, height
        i += 2 + length


def image_pdf(jpeg: bytes, page: tuple[int, int] = (612, 792)) -> bytes:
    """A PDF whose only page shows ``jpeg`` full size: no text layer."""
    width, height = jpeg_size(jpeg)
    content = f"q {page[0]} 0 0 {page[1]} 0 0 cm /Im0 Do Q".encode()
    image = (
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
        "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode "
        f"/Length {len(jpeg)} >>\nstream\n"
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page[0]} {page[1]}] "
        "/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>".encode(),
        image + jpeg + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    return bytes(out + f"startxref\n{xref}\n%%EOF\n".encode())


if __name__ == "__main__":
    Path(sys.argv[2]).write_bytes(image_pdf(Path(sys.argv[1]).read_bytes()))
