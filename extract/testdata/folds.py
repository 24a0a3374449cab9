#!/usr/bin/env python3
"""folds.py CASES.jsonl [K]: extract-eval's figures over the dev split and each
of K folds (default 5), with the mean and spread (sample sd) over the folds.
CASES.jsonl is what `extract-eval --cases FILE` writes. A case's fold is
int(sha256("fold:" + dataset/case)[:8], 16) % K. Metrics as extract-eval defines
them: text P and R are means of page precision and recall and F1 is of the
means; snippets are summed tp/fp/fn; metadata are match rates; cpu is ms."""
import json, sys, hashlib, statistics as st
rows = [json.loads(l) for l in open(sys.argv[1])]
K = int(sys.argv[2]) if len(sys.argv) > 2 else 5
def fold(r): return int(hashlib.sha256(("fold:%s/%s" % (r["dataset"], r["case"])).encode()).hexdigest()[:8], 16) % K
def figures(rs):
    out = {}
    for ds in ("readability", "scrapinghub", "trafilatura"):
        d = [r for r in rs if r["dataset"] == ds]
        f = {}
        if ds != "trafilatura":
            P = [r["precision"] for r in d if r.get("tp_fp_fn") and sum(r["tp_fp_fn"][:2]) > 0]
            R = [r["recall"] for r in d if r.get("tp_fp_fn") and (r["tp_fp_fn"][0] + r["tp_fp_fn"][2]) > 0]
            p, rc = (sum(P) / len(P) if P else 0), (sum(R) / len(R) if R else 0)
            f["F1"] = 2 * p * rc / (p + rc) if p + rc else 0
            f["R"] = rc
        else:
            tp = sum(r["snippets"][0] for r in d); fp = sum(r["snippets"][1] for r in d); fn = sum(r["snippets"][2] for r in d)
            f["F1"] = 2 * tp / (2 * tp + fp + fn); f["R"] = tp / (tp + fn)
        for m in ("title_eq", "byline_eq", "published_eq"):
            v = [r[m] for r in d if m in r]
            if v: f[m.split("_")[0]] = sum(v) / len(v)
        f["cpu"] = 1000 * sum(r["cpu_seconds"] for r in d) / len(d)
        out[ds] = f
    return out
cols = [("readability", "F1"), ("scrapinghub", "F1"), ("trafilatura", "F1"), ("trafilatura", "R"),
        ("readability", "title"), ("trafilatura", "title"), ("trafilatura", "byline"), ("trafilatura", "published"), ("trafilatura", "cpu")]
hdr = "%-6s %5s " % ("split", "cases") + " ".join("%9s" % (d[:5] + "." + m[:5]) for d, m in cols)
print(hdr)
def line(name, rs):
    f = figures(rs)
    print("%-6s %5d " % (name, len(rs)) + " ".join("%9.3f" % f[d].get(m, float("nan")) for d, m in cols))
    return f
line("dev", rows)
per = [line("fold%d" % k, [r for r in rows if fold(r) == k]) for k in range(K)]
print("%-6s %5s " % ("mean", "") + " ".join("%9.3f" % st.mean(p[d][m] for p in per) for d, m in cols))
print("%-6s %5s " % ("sd", "") + " ".join("%9.3f" % st.stdev(p[d][m] for p in per) for d, m in cols))
