#!/usr/bin/env python3
"""Train the `is_article` model (crates/trawl-extract/src/classify/is_article_model.json).

Standard library only (no venv, no downloads); deterministic.

Data: the shared WCXB-dev pages (1,358 pages of 7 types; label = page type "article")
and the Zyte DEV pages (109 news articles, extra positives). The feature vectors come
from the extractor itself (`extract_dir` with TRAWL_FEATURES=1), so training and run
time see the same numbers.

Model: L2-regularised logistic regression on standardised features (a first fit on all
features, then a refit on those with a standardised weight ≥ --min-weight), fitted by Newton's
method (IRLS). The decision threshold is chosen for a target recall on article pages.

Honest figures: SITE-GROUPED cross-validation (every domain's pages fall in one fold
only, so no site is both trained on and scored). The threshold is chosen inside each
training part (by an inner grouped CV over it), so the scored fold never tunes anything.

  scripts/train-is-article.py [--features DIR] [--write] [--l2 L] [--recall R]

--features DIR: read DIR/wcxb.jsonl and DIR/zyte.jsonl (extract_dir output with
features) instead of building and running extract_dir. --write: write the model JSON
(fitted on all pages) after the CV report.
Env: SHARED (default ../shared), CARGO_TARGET_DIR as usual.
"""
import argparse
import functools
import json
import math
import os
import subprocess
import sys
import tempfile
from operator import mul
from urllib.parse import urlparse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "crates/trawl-extract/src/classify/is_article_model.json")
CLASSIFY = os.path.join(ROOT, "crates/trawl-extract/src/classify/mod.rs")
STYLE = os.path.join(ROOT, "crates/trawl-extract/src/classify/style.rs")


@functools.lru_cache(maxsize=None)
def feature_names():
    """FEATURE_NAMES as classify/ computes them (the order of the dumped vectors):
    PAGE_FEATURE_NAMES (classify/mod.rs), then STYLE_FEATURE_NAMES (classify/style.rs)."""
    import re

    def names(path, const):
        src = open(path).read()
        start = src.index("pub const " + const)
        return re.findall(r'^\s+"([a-z0-9_]+)",$', src[start:src.index("];", start)], re.M)
    return names(CLASSIFY, "PAGE_FEATURE_NAMES") + names(STYLE, "STYLE_FEATURE_NAMES")


TYPES = ["article", "service", "listing", "product", "collection", "forum", "documentation"]


def run_extractor(out_dir, shared):
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "trawl-extract",
                    "--example", "extract_dir"], cwd=ROOT, check=True)
    run = os.path.join(target, "release/examples/extract_dir")
    env = dict(os.environ, TRAWL_FEATURES="1")
    wcxb = os.path.join(shared, "bench/wcxb-dev")
    zyte = os.path.join(shared, "bench/extraction")
    pages = os.path.join(out_dir, "wcxb-html")
    os.makedirs(pages, exist_ok=True)
    import gzip
    urls = []
    for n in sorted(os.listdir(os.path.join(wcxb, "html"))):
        pid = n.split(".")[0]
        with gzip.open(os.path.join(wcxb, "html", n), "rb") as f, \
                open(os.path.join(pages, pid + ".html"), "wb") as g:
            g.write(f.read())
        gt = json.load(open(os.path.join(wcxb, "ground-truth", pid + ".json")))
        urls.append(pid + "\t" + gt["url"])
    open(os.path.join(out_dir, "wcxb-urls.tsv"), "w").write("\n".join(urls) + "\n")
    zt = json.load(open(os.path.join(zyte, "truth.json")))
    open(os.path.join(out_dir, "zyte-urls.tsv"), "w").write(
        "".join(k + "\t" + v["url"] + "\n" for k, v in zt.items()))
    for name, d in (("wcxb", pages), ("zyte", os.path.join(zyte, "pages"))):
        with open(os.path.join(out_dir, name + ".jsonl"), "w") as out:
            subprocess.run([run, d, os.path.join(out_dir, name + "-urls.tsv")],
                           stdout=out, env=env, check=True)


def verdict_words(rec):
    """The words of the article method's body, which the verdict reads (a page judged not an
    article outputs its page text instead, so `word_count` is not it): from the `log_words`
    feature, ln(1 + words)."""
    feats = rec.get("features")
    if feats is None:
        return rec.get("word_count", 0)
    return round(math.expm1(feats[feature_names().index("log_words")]))


def overruled(rec):
    """The extractor's explicit overrides (classify::overruled): a body under 50 words
    (MIN_ARTICLE_WORDS), a search URL, an error title, a front page (the `url_front_page`
    feature) without an article in its JSON-LD, a page whose JSON-LD declares a discussion, Q&A
    or collection page and no article, or an `og:type` product (`og_product`) is never an
    article."""
    from urllib.parse import parse_qsl
    title = (rec.get("title") or "").lower()
    u = urlparse(rec.get("url") or "")
    search = any(seg.lower() == "search" for seg in u.path.split("/")) or any(
        k in ("q", "query", "s") for k, _ in parse_qsl(u.query, keep_blank_values=True))
    error = ("404" in title or "not found" in title or "page unavailable" in title
             or title.startswith("error"))
    feats = rec.get("features") or []
    names = feature_names()
    front = bool(feats) and feats[names.index("url_front_page")] > 0 \
        and feats[names.index("ld_article")] == 0
    product = bool(feats) and feats[names.index("og_product")] > 0
    declared = bool(feats) and feats[names.index("ld_article")] == 0 and (
        feats[names.index("ld_discussion")] > 0 or feats[names.index("ld_collection_page")] > 0)
    return verdict_words(rec) < 50 or search or error or front or declared or product


def load(feat_dir, shared):
    meta = json.load(open(os.path.join(shared, "bench/wcxb-dev/metadata.json")))["files"]
    rows = []  # (x, y, group, set, type)
    for line in open(os.path.join(feat_dir, "wcxb.jsonl")):
        r = json.loads(line)
        pid = os.path.basename(r["input"]).split(".")[0]
        m = meta[pid]
        # A page the extractor refuses (not HTML) has no features: never an article.
        rows.append((r.get("features"), int(m["page_type"] == "article"), m["domain"].lower(),
                     "wcxb", m["page_type"], pid, "features" not in r or overruled(r)))
    zpath = os.path.join(feat_dir, "zyte.jsonl")
    if os.path.exists(zpath):
        for line in open(zpath):
            r = json.loads(line)
            if "features" not in r:
                continue
            host = urlparse(r["url"]).hostname or ""
            host = host[4:] if host.startswith("www.") else host
            rows.append((r["features"], 1, host, "zyte", "article",
                         os.path.basename(r["input"]).split(".")[0], overruled(r)))
    return rows


# ------------------------------------------------------------ linear algebra --

def solve(a, b):
    """Solve a x = b (a symmetric positive definite), Gaussian elimination with pivoting."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        piv = m[c][c]
        if abs(piv) < 1e-12:
            continue
        for r in range(c + 1, n):
            f = m[r][c] / piv
            if f:
                mr, mc = m[r], m[c]
                for k in range(c, n + 1):
                    mr[k] -= f * mc[k]
    x = [0.0] * n
    for c in range(n - 1, -1, -1):
        s = m[c][n] - sum(m[c][k] * x[k] for k in range(c + 1, n))
        x[c] = s / m[c][c] if abs(m[c][c]) > 1e-12 else 0.0
    return x


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def standardise(xs):
    d = len(xs[0])
    n = len(xs)
    mean = [sum(x[j] for x in xs) / n for j in range(d)]
    scale = []
    for j in range(d):
        v = sum((x[j] - mean[j]) ** 2 for x in xs) / n
        scale.append(math.sqrt(v) if v > 1e-12 else 1.0)
    return mean, scale


def fit(xs, ys, l2, min_weight=None):
    """Fit on every feature, keep those whose standardised weight is at least `min_weight`
    (few, general features), refit on them. Returns (mask, mean, scale, weights, bias);
    selection happens inside each fit, so cross-validation scores it too."""
    min_weight = MIN_WEIGHT if min_weight is None else min_weight
    full = fit_all(xs, ys, l2)
    mask = [i for i, w in enumerate(full[2]) if abs(w) >= min_weight]
    sub = fit_all([[x[i] for i in mask] for x in xs], ys, l2)
    return (mask,) + sub


MIN_WEIGHT = 0.15


def fit_all(xs, ys, l2, sample_w=None):
    """L2 logistic regression by IRLS. Returns (mean, scale, weights, bias)."""
    mean, scale = standardise(xs)
    d = len(mean)
    z = [[(x[j] - mean[j]) / scale[j] for j in range(d)] + [1.0] for x in xs]
    cols = [list(c) for c in zip(*z)]
    n = len(xs)
    sw = sample_w or [1.0] * n
    w = [0.0] * (d + 1)
    for _ in range(30):
        eta = [sum(map(mul, row, w)) for row in z]
        p = [sigmoid(e) for e in eta]
        r = [s * pi * (1 - pi) for s, pi in zip(sw, p)]
        g = [s * (pi - y) for s, pi, y in zip(sw, p, ys)]
        grad = [sum(map(mul, cols[j], g)) + (l2 * w[j] if j < d else 0.0) for j in range(d + 1)]
        h = [[0.0] * (d + 1) for _ in range(d + 1)]
        for j in range(d + 1):
            cj = [a * b for a, b in zip(cols[j], r)]
            for k in range(j, d + 1):
                v = sum(map(mul, cj, cols[k]))
                h[j][k] = h[k][j] = v
            if j < d:
                h[j][j] += l2
        step = solve(h, grad)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return mean, scale, w[:d], w[d]


def score(model, x):
    mask, mean, scale, w, bias = model
    return bias + sum(wj * (x[i] - mj) / sj for i, mj, sj, wj in zip(mask, mean, scale, w))


def folds_by_group(rows, k, salt=0):
    """Deterministic grouped folds: each domain in exactly one fold (hashing, balanced by size)."""
    import hashlib
    groups = {}
    for i, r in enumerate(rows):
        groups.setdefault(r[2], []).append(i)
    order = sorted(groups, key=lambda g: hashlib.sha1(f"{salt}:{g}".encode()).hexdigest())
    order.sort(key=lambda g: -len(groups[g]))  # big groups first, then greedy fill
    sizes = [0] * k
    fold_of = {}
    for g in order:
        f = min(range(k), key=lambda i: (sizes[i], i))
        fold_of[g] = f
        sizes[f] += len(groups[g])
    return [fold_of[r[2]] for r in rows]


def threshold_for_recall(scores_pos, recall):
    s = sorted(scores_pos)
    i = int(math.floor((1 - recall) * len(s)))
    return s[max(0, min(i, len(s) - 1))] - 1e-9


def oof_scores(rows, idx, k, l2, salt):
    sub = [rows[i] for i in idx]
    fo = folds_by_group(sub, k, salt)
    out = [0.0] * len(sub)
    for f in range(k):
        tr = [j for j in range(len(sub)) if fo[j] != f]
        te = [j for j in range(len(sub)) if fo[j] == f]
        m = fit([sub[j][0] for j in tr], [sub[j][1] for j in tr], l2)
        for j in te:
            out[j] = score(m, sub[j][0])
    return out


def report(rows, pred, label):
    """Figures as the extractor decides: the model's verdict, then the overrides."""
    pred = [bool(p) and not r[6] for r, p in zip(rows, pred)]
    by = {t: [0, 0] for t in TYPES}
    for r, p in zip(rows, pred):
        if r[3] != "wcxb":
            continue
        by[r[4]][0] += 1
        by[r[4]][1] += int(p)
    art = by["article"]
    tp = art[1]
    marked = sum(v[1] for v in by.values())
    rec = tp / art[0]
    prec = tp / marked if marked else 0.0
    zy = [p for r, p in zip(rows, pred) if r[3] == "zyte"]
    print(f"{label}: WCXB is_article recall {rec:.3f} precision {prec:.3f}"
          + (f"; Zyte recall {sum(zy) / len(zy):.3f}" if zy else ""))
    print("   marked is_article per type: " + ", ".join(
        f"{t} {v[1]}/{v[0]}" for t, v in by.items()))
    return rec, prec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--l2", type=float, default=15.0)
    ap.add_argument("--recall", type=float, default=0.98,
                    help="target recall on article pages when choosing the threshold")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--min-weight", type=float, default=0.1,
                    help="keep features whose standardised weight in a first fit is at least this")
    ap.add_argument("--errors", help="write the out-of-fold mistakes to this TSV")
    a = ap.parse_args()
    shared = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared"))
    feat = a.features
    if not feat:
        feat = tempfile.mkdtemp(prefix="is-article-")
        run_extractor(feat, shared)
    rows = load(feat, shared)
    # Pages the extractor overrules (empty body, search URL, error title) never reach the
    # model: they are left out of fitting and threshold choice, and count as "not article"
    # in every figure below.
    dropped = [r for r in rows if r[6]]
    rows = [r for r in rows if not r[6]]
    names = feature_names()
    global MIN_WEIGHT
    MIN_WEIGHT = a.min_weight
    print(f"{len(rows)} pages, {len(set(r[2] for r in rows))} domains, "
          f"{sum(r[1] for r in rows)} articles", file=sys.stderr)

    # Outer site-grouped CV; the threshold of each outer fold comes from an inner
    # site-grouped CV over its training part (target recall on WCXB articles there).
    k = a.folds
    fo = folds_by_group(rows, k, salt=1)
    pred = [False] * len(rows)
    oof = [0.0] * len(rows)
    for f in range(k):
        tr = [i for i in range(len(rows)) if fo[i] != f]
        te = [i for i in range(len(rows)) if fo[i] == f]
        inner = oof_scores(rows, tr, k, a.l2, salt=2 + f)
        pos = [s for s, i in zip(inner, tr) if rows[i][1] and rows[i][3] == "wcxb"]
        thr = threshold_for_recall(pos, a.recall)
        m = fit([rows[i][0] for i in tr], [rows[i][1] for i in tr], a.l2)
        for i in te:
            oof[i] = score(m, rows[i][0])
            pred[i] = oof[i] >= thr
    print(f"site-grouped {k}-fold CV (l2 {a.l2}, nested threshold for recall {a.recall} "
          f"on the articles the model sees; {len(dropped)} overruled pages count as not article):")
    report(rows + dropped, pred + [False] * len(dropped), "  CV")
    # The trade-off on the outer out-of-fold scores (one threshold over all folds: a
    # little optimistic, shown only to choose --recall).
    n_art = sum(1 for r in rows + dropped if r[1] and r[3] == "wcxb")
    pos_oof = [s for s, r in zip(oof, rows) if r[1] and r[3] == "wcxb"]
    print("   trade-off on out-of-fold scores (recall over all article pages, overrides applied):")
    for want in (0.90, 0.95, 0.97, 0.98, 0.99):
        thr_ = threshold_for_recall(pos_oof, want)
        tp = sum(1 for s, r in zip(oof, rows) if r[3] == "wcxb" and r[1] and s >= thr_)
        mk = sum(1 for s, r in zip(oof, rows) if r[3] == "wcxb" and s >= thr_)
        print(f"     recall {tp / n_art:.3f}  precision {tp / mk:.3f}")
    if a.errors:
        with open(a.errors, "w") as out:
            for r, p, s in sorted(zip(rows, pred, oof), key=lambda t: t[2]):
                if bool(p) != bool(r[1]):
                    out.write(f"{r[5]}\t{r[3]}\t{r[4]}\t{r[2]}\t{s:.2f}\n")

    # Final model: all pages; threshold from a grouped CV over all of them.
    allidx = list(range(len(rows)))
    inner = oof_scores(rows, allidx, k, a.l2, salt=99)
    pos = [s for s, r in zip(inner, rows) if r[1] and r[3] == "wcxb"]
    thr = threshold_for_recall(pos, a.recall)
    m = fit([r[0] for r in rows], [r[1] for r in rows], a.l2)
    report(rows + dropped, [score(m, r[0]) >= thr for r in rows] + [False] * len(dropped),
           "  in-sample (final model)")
    mask, mean, scale, w, bias = m
    kept = [names[i] for i in mask]
    ranked = sorted(zip(kept, w), key=lambda t: -abs(t[1]))
    print(f"final model: {len(kept)} of {len(names)} features; "
          "weights (standardised features), largest first:")
    for n_, wj in ranked:
        print(f"   {n_:24s} {wj:+.3f}")
    if a.write:
        json.dump({
            "features": kept,
            "mean": [round(v, 6) for v in mean],
            "scale": [round(v, 6) for v in scale],
            "weights": [round(v, 6) for v in w],
            "bias": round(bias, 6),
            "threshold": round(thr, 6),
            "trained_on": f"{len(rows)} pages (WCXB-dev all types + Zyte DEV), l2 {a.l2}, "
                          f"threshold for recall {a.recall} by site-grouped CV",
        }, open(MODEL, "w"), indent=1)
        print(f"wrote {MODEL}", file=sys.stderr)


if __name__ == "__main__":
    main()
