"""Regenerate ``tap_wolkvox/sandbox/sample_shapes.json`` from the vendor's documented samples.

``python scripts/sample_shapes.py`` reads ``../shared/wolkvox-api/samples.json`` (the sample
reply the official Postman collection shows for each report) and writes, per report ``api``,
the row keys exactly as sent (misspellings and stray whitespace included), the shape of
``data`` and the keys of nested objects. ``--samples PATH`` reads another copy; ``--check``
exits 1 when the committed file differs from what it would write (the tests run it).

Eight sample bodies are not valid JSON; their keys are read from the text, one ``"key":`` per
line after ``"data"``, when that text is a plain one-level row; otherwise the report is left
out and the sandbox serves its declared shape.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "wolkvox-api" / "samples.json"
SHAPES = ROOT / "tap_wolkvox" / "sandbox" / "sample_shapes.json"
LIST = "list"
BUCKETS = "object keyed by bucket"

_DATA_LINE = re.compile(r'\s*"data"\s*:\s*\[\s*')
_KEY_LINE = re.compile(r'\s*"([^"\r\n]+)"\s*:(.*)')
#: Lines of a sample's text that only open or close the list or its row.
_PUNCTUATION = frozenset({"", "{", "}", "},", "]", "],"})


def keys_from_text(body: str) -> list[str] | None:
    """The keys of the first row of a sample body that is not JSON; None if not plain enough.

    A plain row is one ``"key": value`` per line, no nested list or object: the broken bodies
    are broken in their values (``"accuracy": "`` with no closing quote), not in their keys.
    """
    lines = body.splitlines()
    start = next((i for i, line in enumerate(lines) if _DATA_LINE.fullmatch(line)), None)
    if start is None:
        return None
    keys: list[str] = []
    for line in lines[start + 1 :]:
        if line.strip() in _PUNCTUATION:
            if line.strip().startswith("}") and keys:
                break  # the end of the first row
            continue
        match = _KEY_LINE.fullmatch(line)
        if match is None or match.group(2).strip().startswith(("[", "{")):
            return None
        keys.append(match.group(1))
    return keys if keys and len(set(keys)) == len(keys) else None


def _nested_keys(row: dict[str, t.Any]) -> dict[str, list[str]]:
    """Per key of ``row`` holding objects (a list of them, or one), the keys of the first."""
    items: dict[str, list[str]] = {}
    for key, value in row.items():
        first = value[0] if isinstance(value, list) and value else value
        if isinstance(first, dict):
            items[key] = list(first)
    return items


def shape_of(example: dict[str, t.Any]) -> dict[str, t.Any] | None:
    """The shape one documented example shows; None when it cannot be read reliably."""
    if "body" not in example:
        keys = keys_from_text(example.get("unparsed_body", ""))
        return None if keys is None else {"shape": LIST, "keys": keys, "read_from": "text"}
    data = example["body"]["data"]
    if example["data_shape"] == BUCKETS:
        # ``row_keys`` lists the buckets and a prose line; the body has the real keys.
        buckets = list(data)
        return {"shape": BUCKETS, "buckets": buckets, "keys": list(data[buckets[0]])}
    shape: dict[str, t.Any] = {"shape": LIST, "keys": list(example["row_keys"])}
    items = _nested_keys(data[0])
    if items:
        shape["items"] = items
    return shape


def derive(samples: dict[str, t.Any]) -> dict[str, t.Any]:
    """The content of ``sample_shapes.json`` for the parsed ``samples.json``."""
    reports: dict[str, t.Any] = {}
    skipped: list[str] = []
    for api, sample in samples.items():
        shape = shape_of(sample["examples"][0])
        if shape is None:
            skipped.append(api)
        else:
            reports[api] = shape
    return {
        "about": "Row keys of each report as the vendor's sample reply sends them; written by "
        "scripts/sample_shapes.py from shared/wolkvox-api/samples.json.",
        "not_readable": skipped,
        "reports": reports,
    }


def render(shapes: dict[str, t.Any]) -> str:
    """``shapes`` as JSON, one report per line (reviewable diffs, small file)."""

    def one(value: t.Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    reports = ",\n".join(
        f"    {one(api)}: {one(shape)}" for api, shape in shapes["reports"].items()
    )
    return (
        "{\n"
        f'  "about": {one(shapes["about"])},\n'
        f'  "not_readable": {one(shapes["not_readable"])},\n'
        f'  "reports": {{\n{reports}\n  }}\n'
        "}\n"
    )


def main(argv: t.Sequence[str] | None = None) -> int:
    """Write the shapes file, or with ``--check`` say whether it is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=SAMPLES, help="a copy of samples.json")
    parser.add_argument("--out", type=Path, default=SHAPES, help="the file to write or check")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render(derive(json.loads(args.samples.read_text(encoding="utf-8"))))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale: run python scripts/sample_shapes.py", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
