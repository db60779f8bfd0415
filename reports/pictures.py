"""Picture strips from a check's `details["examples"]`: each example row's clean input beside its
adversarial / corrupted / saliency versions, with the model's prediction under each.

The document is untrusted text, so nothing of it reaches an attribute as written: a panel's
`png` is decoded, must be a PNG no larger than MAX_SIDE px a side and MAX_PNG_BYTES, and must
parse as one (Pillow's verify); only then is it re-encoded into the `data:` URI the page and the
card put in <img src>. A panel whose picture fails keeps its caption and shows no image.
Captions, labels and predictions stay text for the templates to escape.
"""

from __future__ import annotations

import base64
import binascii
import io
import struct
from collections.abc import Mapping
from typing import Any

from PIL import Image

from audits.battery.tensors.thumbnails import THUMBNAIL

MAX_EXAMPLES = 4  # rows shown per check, as the battery's seam promises at most
MAX_PANELS = 8  # the clean input and a few versions of it
MAX_SIDE = THUMBNAIL  # px, the battery's thumbnails' longest side
MAX_PNG_BYTES = 64 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def example_strips(details: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The examples of a check's details as rows of panels ready to render; rows without a
    panel are left out."""
    examples = (details or {}).get("examples")
    if not isinstance(examples, list):
        return []
    strips = []
    for example in examples[:MAX_EXAMPLES]:
        if not isinstance(example, Mapping) or not isinstance(example.get("panels"), list):
            continue
        panels = [_panel(p) for p in example["panels"][:MAX_PANELS] if isinstance(p, Mapping)]
        if not panels:
            continue
        clean = panels[0]["prediction"]
        for panel in panels[1:]:
            panel["changed"] = panel["prediction"] != clean
        strips.append(
            {
                "row": _text(example.get("row")),
                "file": _text(example.get("file")),
                "label": _text(example.get("label")),
                "panels": panels,
            }
        )
    return strips


def png_data_uri(value: Any) -> tuple[str, int, int] | None:
    """(data URI, width, height) of a base64 PNG thumbnail, or None when `value` is not one."""
    if not isinstance(value, str) or len(value) > (MAX_PNG_BYTES + 2) // 3 * 4:
        return None
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) > MAX_PNG_BYTES:
        return None
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        return None  # checked on the header, before Pillow reads anything of the picture
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as picture:
            picture.verify()
    except (OSError, SyntaxError, ValueError, struct.error):  # Pillow's ways of saying "corrupt"
        return None
    return f"data:image/png;base64,{base64.b64encode(data).decode('ascii')}", width, height


def _panel(panel: Mapping[str, Any]) -> dict[str, Any]:
    picture = png_data_uri(panel.get("png"))
    src, width, height = picture if picture else (None, 0, 0)
    return {
        "caption": _text(panel.get("caption")),
        "prediction": _text(panel.get("prediction")),
        "src": src,
        "width": width,
        "height": height,
        "changed": False,
    }


def _text(value: Any) -> str:
    """A JSON scalar as printed; anything else (lists, objects) as nothing."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value) if isinstance(value, str | int | float) else ""
