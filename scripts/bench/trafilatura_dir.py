#!/usr/bin/env python3
"""Run trafilatura (bare_extraction, metadata on) over a directory of pages and write JSON Lines
in the shape `trawl extract --format jsonl` writes (input, body, title, authors, published_at),
so the same scorers read both. Used by scripts/bench-extraction.sh for the peer column.

  python3 trafilatura_dir.py DIR [URLS.tsv] > out.jsonl
"""
import json
import os
import sys

import trafilatura


def main():
    root = sys.argv[1]
    urls = {}
    if len(sys.argv) > 2:
        for line in open(sys.argv[2], encoding="utf-8"):
            k, _, v = line.rstrip("\n").partition("\t")
            urls[k] = v
    for name in sorted(os.listdir(root)):
        if not name.endswith(".html"):
            continue
        stem = name[: -len(".html")]
        raw = open(os.path.join(root, name), "rb").read().decode("utf-8", "replace")
        rec = {"input": name}
        try:
            doc = trafilatura.bare_extraction(raw, url=urls.get(stem), include_comments=False, with_metadata=True)
        except Exception as e:  # a peer's crash is a missing page, not a stopped benchmark
            doc, rec["error"] = None, str(e)
        if doc is not None:
            d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
            rec.update(body=d.get("text") or "", title=d.get("title"),
                       authors=[a.strip() for a in (d.get("author") or "").split(";") if a.strip()],
                       published_at=d.get("date"))
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
