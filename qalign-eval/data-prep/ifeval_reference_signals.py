#!/usr/bin/python3
"""Golden signals for the IFEval checkers' library-dependent parts, from the Python libraries the reference uses.

For each GPT-4 response in the IFEval reference file and each of its eight loose variants (evaluation_lib's order),
records what the Python libraries say:
  lang: langdetect.detect(text) with DetectorFactory.seed = 0, or null when it raises LangDetectException;
  caps: the number of NLTK word tokens (NLTKWordTokenizer, the word step of nltk.word_tokenize) for which
        str.isupper() is true.
Run with Debian's python3-nltk (3.8) and python3-langdetect (1.0.9):
    /usr/bin/python3 qalign-eval/data-prep/ifeval_reference_signals.py RESPONSES.jsonl OUT.jsonl.gz
(NLTK's Punkt sentence model is not packaged by Debian, so sentence counts are not recorded.)
"""
import gzip
import io
import json
import sys

import langdetect
from langdetect import DetectorFactory
from nltk.tokenize.destructive import NLTKWordTokenizer

DetectorFactory.seed = 0
TOKENIZER = NLTKWordTokenizer()


def variants(response):
    r = response.split("\n")
    first = "\n".join(r[1:]).strip()
    last = "\n".join(r[:-1]).strip()
    both = "\n".join(r[1:-1]).strip()
    return [response, response.replace("*", ""), first, last, both,
            first.replace("*", ""), last.replace("*", ""), both.replace("*", "")]


def lang(text):
    try:
        return langdetect.detect(text)
    except langdetect.LangDetectException:
        return None


def main():
    src, out = sys.argv[1], sys.argv[2]
    rows = []
    for line in open(src, encoding="utf-8"):
        d = json.loads(line)
        vs = variants(d["response"])
        rows.append(json.dumps({"prompt": d["prompt"],
                                "lang": [lang(v) for v in vs],
                                "caps": [sum(1 for t in TOKENIZER.tokenize(v) if t.isupper()) for v in vs]}))
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(("\n".join(rows) + "\n").encode("utf-8"))
    open(out, "wb").write(buf.getvalue())
    print(out, len(rows), "rows", len(buf.getvalue()), "bytes")


if __name__ == "__main__":
    main()
