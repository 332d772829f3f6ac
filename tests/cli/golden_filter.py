#!/usr/bin/env python3
"""Split a JSON output into its figures and its prose, so that figure goldens hold no citation.

  golden_filter.py figures      < out.json   the JSON without "assumptions" (every figure)
  golden_filter.py assumptions  < out.json   only the "assumptions" object (values, origins, sources)

Key order and each number's text are kept as the tool wrote them."""
import json
import sys


class Raw(str):
    """A number's text as written."""


def dump(o, indent=0):
    pad = "  " * indent
    if isinstance(o, Raw):
        return str(o)
    if isinstance(o, dict):
        if not o:
            return "{}"
        items = [f'{pad}  {json.dumps(k, ensure_ascii=False)}: {dump(v, indent + 1)}' for k, v in o.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(o, list):
        if not o:
            return "[]"
        items = [f"{pad}  {dump(v, indent + 1)}" for v in o]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(o, ensure_ascii=False)


def main() -> int:
    mode = sys.argv[1]
    doc = json.loads(sys.stdin.read(), parse_float=Raw, parse_int=Raw)
    if mode == "figures":
        doc.pop("assumptions", None)
    elif mode == "assumptions":
        doc = {"assumptions": doc.get("assumptions", {})}
    else:
        print(f"golden_filter.py: unknown mode {mode}", file=sys.stderr)
        return 2
    sys.stdout.write(dump(doc) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
