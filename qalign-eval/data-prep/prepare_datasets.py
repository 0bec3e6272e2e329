#!/usr/bin/env python3
"""Builds the compact dataset files shipped in qalign-eval from the upstream copies.

Run once by a maintainer (never at build, test or run time):

    python3 qalign-eval/data-prep/prepare_datasets.py SOURCE_DIR

SOURCE_DIR holds the upstream snapshots described in
src/main/resources/io/github/qalign/eval/data/PROVENANCE.md (gsm8k/, math500/, mmlu-redux/, truthfulqa/, ifeval/).
Output is deterministic: gzip files carry no timestamp or file name (mtime=0), JSON keys keep a fixed order.
"""
import csv
import gzip
import io
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "main", "resources", "io", "github", "qalign", "eval", "data")
TEST_OUT = os.path.join(HERE, "..", "src", "test", "resources", "io", "github", "qalign", "eval", "ifeval")


def write_gz(path, lines):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        for line in lines:
            gz.write(line.encode("utf-8"))
            gz.write(b"\n")
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    print(f"{os.path.relpath(path)}: {len(buf.getvalue())} bytes")


def verbatim_jsonl(src):
    with open(src, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    for l in lines:
        json.loads(l)  # every line must parse
    return lines


# MMLU-Redux error labels, normalised: lower case, spaces -> underscores.
ERROR_TYPES = {"ok", "wrong_groundtruth", "bad_question_clarity", "bad_options_clarity", "no_correct_answer",
               "multiple_correct_answers", "expert"}


def norm_error(label):
    e = re.sub(r"[\s_]+", "_", label.strip().lower())
    if e not in ERROR_TYPES:
        raise ValueError(f"unknown error_type {label!r}")
    return e


def parse_correct(raw):
    """A corrected gold option: 'A'-'D' or '0'-'3' -> 0..3; anything else (free text, several options) -> None."""
    s = raw.strip()
    if re.fullmatch(r"[A-D]", s):
        return "ABCD".index(s)
    if re.fullmatch(r"[0-3]", s):
        return int(s)
    return None


def mmlu_redux(src_dir):
    out = []
    stats = {}
    for name in sorted(os.listdir(src_dir)):
        if not name.endswith(".csv"):
            continue
        subject = name[len("mmlu_"):-len(".csv")]
        raw = open(os.path.join(src_dir, name), "rb").read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")  # mmlu_moral_scenarios.csv
        header = text.splitlines()[0]
        delim = ";" if header.count(";") > header.count(",") else ","
        rows = list(csv.DictReader(io.StringIO(text), delimiter=delim))
        kept = 0
        for r in rows:
            q = (r.get("question") or "").strip()
            ch = (r.get("choices") or "").strip()
            if not q or not ch:
                stats.setdefault("dropped_unparseable", []).append(f"{subject}: {q[:40]!r}")
                continue
            import ast
            choices = ast.literal_eval(ch)
            if not (isinstance(choices, list) and len(choices) == 4 and all(isinstance(c, str) for c in choices)):
                raise ValueError(f"{name}: choices not a list of 4 strings: {ch[:80]}")
            answer = int(r["answer"].strip())
            if not 0 <= answer <= 3:
                raise ValueError(f"{name}: answer {answer}")
            err = norm_error(r["error_type"])
            corrected = parse_correct(r.get("correct_answer") or "") if err == "wrong_groundtruth" else None
            out.append(json.dumps({"subject": subject, "question": q, "choices": choices, "answer": answer,
                                   "error_type": err, "correct_answer": corrected}, ensure_ascii=False))
            kept += 1
        stats[subject] = kept
    return out, stats


def truthfulqa(mc_task):
    data = json.load(open(mc_task, encoding="utf-8"))
    out = []
    for i, d in enumerate(data):
        mc1 = [{"text": k, "label": v} for k, v in d["mc1_targets"].items()]
        mc2 = [{"text": k, "label": v} for k, v in d["mc2_targets"].items()]
        if sum(t["label"] for t in mc1) != 1:
            raise ValueError(f"row {i}: mc1 must have exactly one true answer")
        out.append(json.dumps({"question": d["question"], "mc1_targets": mc1, "mc2_targets": mc2},
                              ensure_ascii=False))
    return out


def main():
    src = sys.argv[1]
    os.makedirs(OUT, exist_ok=True)
    write_gz(os.path.join(OUT, "gsm8k-test.jsonl.gz"), verbatim_jsonl(os.path.join(src, "gsm8k", "test.jsonl")))
    write_gz(os.path.join(OUT, "math500-test.jsonl.gz"), verbatim_jsonl(os.path.join(src, "math500", "test.jsonl")))
    write_gz(os.path.join(OUT, "ifeval-input.jsonl.gz"),
             verbatim_jsonl(os.path.join(src, "ifeval", "input_data.jsonl")))
    write_gz(os.path.join(TEST_OUT, "gpt4-responses-20231107.jsonl.gz"),
             verbatim_jsonl(os.path.join(src, "ifeval", "input_response_data_gpt4_20231107_145030.jsonl")))
    rows, stats = mmlu_redux(os.path.join(src, "mmlu-redux", "mmlu_redux"))
    write_gz(os.path.join(OUT, "mmlu-redux.jsonl.gz"), rows)
    print("mmlu-redux rows:", len(rows), {k: v for k, v in stats.items() if v != 100})
    write_gz(os.path.join(OUT, "truthfulqa-mc-v1.jsonl.gz"),
             truthfulqa(os.path.join(src, "truthfulqa", "data", "v1", "mc_task.json")))


if __name__ == "__main__":
    main()
