"""Writes the JSON Schema and one example of every message, and the topic catalogue, to schemas/json/.

python -m schemas.export           # rewrite the committed files
python -m schemas.export --check   # exit 1 when they are stale
"""

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from schemas.examples import EXAMPLES
from schemas.topics import all_topics

OUT = Path(__file__).parent / "json"


def _dump(document) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def rendered_files() -> dict[str, str]:
    """File name -> content, for everything the export owns."""
    files: dict[str, str] = {}
    for example in EXAMPLES:
        model = type(example)
        schema = model.model_json_schema()
        schema["$id"] = f"urn:ind:schema:{model.EVENT_TYPE}"
        schema["description"] = (model.__doc__ or "").strip()
        files[f"{model.EVENT_TYPE}.schema.json"] = _dump(schema)
        files[f"{model.EVENT_TYPE}.example.json"] = _dump(json.loads(example.to_json()))
    files["topics.json"] = _dump([asdict(t) | {"dead_letter": t.dead_letter if t.consumers else None} for t in all_topics()])
    return files


def stale_files() -> list[str]:
    expected = rendered_files()
    present = {p.name for p in OUT.glob("*.json")}
    stale = [name for name, text in expected.items() if not (OUT / name).exists() or (OUT / name).read_text() != text]
    return sorted(stale + [name for name in present - expected.keys()])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args()
    if args.check:
        stale = stale_files()
        for name in stale:
            print(f"stale: schemas/json/{name} (run `python -m schemas.export`)", file=sys.stderr)
        return 1 if stale else 0
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    for name, text in rendered_files().items():
        (OUT / name).write_text(text)
    print(f"wrote {len(rendered_files())} files to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
