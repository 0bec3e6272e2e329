#!/usr/bin/env python3
"""Golden values for io.github.qalign.utility.Rouge / PorterStemmer (test resources under rouge/).

A re-implementation of Google's rouge_score (github.com/google-research/google-research, rouge/tokenize.py,
rouge/rouge_scorer.py, rouge/scoring.py; Apache-2.0) that uses NLTK's own PorterStemmer, exactly as
rouge_score's DefaultTokenizer does (`porter.PorterStemmer()`, i.e. mode NLTK_EXTENSIONS):

  tokenize(text):  lower-case; every run of characters outside [a-z0-9] becomes one space; split on
                   whitespace; with stemming, tokens longer than 3 characters go through stemmer.stem;
                   keep only tokens matching ^[a-z0-9]+$.
  rougeN:          clipped n-gram overlap; precision = overlap / max(#prediction n-grams, 1),
                   recall = overlap / max(#target n-grams, 1); F = 2PR/(P+R) or 0.
  rougeL:          LCS length l of the token lists; 0/0/0 if either list is empty; P = l/|prediction|,
                   R = l/|target|; F as above.

PyPI (and so rouge_score itself) is not reachable on the build machine; NLTK comes from Debian:
    apt-get install python3-nltk            # 3.8-1 on bookworm
    /usr/bin/python3 qalign-core/src/test/scripts/rouge_golden.py /work/shared/data/gsm8k
The GSM8K files are read only here, never by the build; the pairs used are written into the resources.
"""
import collections
import json
import random
import re
import sys

import nltk
from nltk.stem import porter

OUT = "qalign-core/src/test/resources/rouge/"


def tokenize(text, stemmer):
    text = text.lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    tokens = re.split(r"\s+", text)
    if stemmer:
        tokens = [stemmer.stem(x) if len(x) > 3 else x for x in tokens]
    return [x for x in tokens if re.match(r"^[a-z0-9]+$", x)]


def fmeasure(p, r):
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def ngrams(tokens, n):
    c = collections.Counter()
    for i in range(len(tokens) - n + 1):
        c[tuple(tokens[i:i + n])] += 1
    return c


def rouge_n(target, prediction, n):
    t, p = ngrams(target, n), ngrams(prediction, n)
    overlap = sum(min(cnt, p[g]) for g, cnt in t.items())
    prec = overlap / max(sum(p.values()), 1)
    rec = overlap / max(sum(t.values()), 1)
    return [prec, rec, fmeasure(prec, rec)]


def lcs_length(a, b):
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    return table[-1][-1]


def rouge_l(target, prediction):
    if not target or not prediction:
        return [0, 0, 0]
    l = lcs_length(target, prediction)
    prec, rec = l / len(prediction), l / len(target)
    return [prec, rec, fmeasure(prec, rec)]


def scores(target, prediction, stemmer):
    t, p = tokenize(target, stemmer), tokenize(prediction, stemmer)
    return {"rouge1": rouge_n(t, p, 1), "rouge2": rouge_n(t, p, 2), "rougeL": rouge_l(t, p)}


def main(gsm8k):
    test = [json.loads(l) for l in open(gsm8k + "/test.jsonl", encoding="utf-8")]
    socratic = [json.loads(l) for l in open(gsm8k + "/test_socratic.jsonl", encoding="utf-8")]
    rng = random.Random(20261130)
    pairs = []
    # 1. the same problem solved twice: the plain solution (target) vs the Socratic one (prediction)
    for i in rng.sample(range(len(test)), 120):
        pairs.append({"source": "gsm8k/test.jsonl#%d answer vs test_socratic.jsonl#%d answer" % (i, i),
                      "target": test[i]["answer"], "prediction": socratic[i]["answer"]})
    # 2. a question (target) vs its own solution (prediction)
    for i in rng.sample(range(len(test)), 50):
        pairs.append({"source": "gsm8k/test.jsonl#%d question vs answer" % i,
                      "target": test[i]["question"], "prediction": test[i]["answer"]})
    # 3. solutions of two different problems
    for _ in range(50):
        i, j = rng.sample(range(len(test)), 2)
        pairs.append({"source": "gsm8k/test.jsonl#%d answer vs #%d answer" % (i, j),
                      "target": test[i]["answer"], "prediction": test[j]["answer"]})
    # 4. edge cases (hand-written): punctuation, case, Unicode, empty, digits glued to letters
    edge = [("Hello, world!", "hello world"), ("", ""), ("", "Some words."), ("!!!", "???"),
            ("The cats' owners' houses", "the cat owner house"), ("İstanbul KELVIN \u212a", "istanbul kelvin k"),
            ("caf\u00e9 na\u00efve r\u00e9sum\u00e9", "cafe naive resume"), ("x2 3x 4.5 1,000", "x2 3x 45 1000"),
            ("Running runners ran; generously generalized", "run runner ran general generous"),
            ("skies dying lying tying news innings", "sky die lie tie news inning"),
            ("a an the of", "of the an a"), ("tab\tsep\nnew\r\nline", "tab sep new line")]
    for t, p in edge:
        pairs.append({"source": "hand-written edge case", "target": t, "prediction": p})

    stemmer = porter.PorterStemmer()
    assert stemmer.mode == porter.PorterStemmer.NLTK_EXTENSIONS
    with open(OUT + "pairs.jsonl", "w", encoding="utf-8") as f:
        for p in pairs:
            row = dict(p)
            row["plain"] = scores(p["target"], p["prediction"], None)
            row["stemmed"] = scores(p["target"], p["prediction"], stemmer)
            row["stemmed_tokens"] = tokenize(p["target"], stemmer)
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

    # every distinct token of the pairs and of 400 more GSM8K problems, stemmed in all three NLTK modes
    words = set()
    for p in pairs:
        words.update(tokenize(p["target"], None))
        words.update(tokenize(p["prediction"], None))
    for i in rng.sample(range(len(test)), 400):
        words.update(tokenize(test[i]["question"] + " " + test[i]["answer"], None))
    words.update(["caresses", "ponies", "ties", "caress", "cats", "feed", "agreed", "plastered", "bled",
                  "motoring", "sing", "conflated", "troubled", "sized", "hopping", "tanned", "falling",
                  "hissing", "fizzed", "failing", "filing", "happy", "sky", "enjoy", "relational",
                  "conditional", "rational", "valenci", "hesitanci", "digitizer", "conformabli", "radicalli",
                  "differentli", "vileli", "analogousli", "vietnamization", "predication", "operator",
                  "feudalism", "decisiveness", "hopefulness", "callousness", "formaliti", "sensitiviti",
                  "sensibiliti", "triplicate", "formative", "formalize", "electriciti", "electrical",
                  "hopeful", "goodness", "revival", "allowance", "inference", "airliner", "gyroscopic",
                  "adjustable", "defensible", "irritant", "replacement", "adjustment", "dependent", "adoption",
                  "homologou", "communism", "activate", "angulariti", "homologous", "effective", "bowdlerize",
                  "probate", "rate", "cease", "controll", "roll", "generalizations", "oscillators", "died",
                  "tied", "lied", "spied", "flies", "dying", "skies", "news", "howe", "proceed", "exceed",
                  "succeed", "innings", "outings", "cannings", "fully", "hopefully", "analogy", "archaeology",
                  "ab", "abs", "is", "as", "yyy", "y", "by", "toy", "syzygy", "ied", "ies", "pies", "aed"])
    modes = [porter.PorterStemmer.NLTK_EXTENSIONS, porter.PorterStemmer.MARTIN_EXTENSIONS,
             porter.PorterStemmer.ORIGINAL_ALGORITHM]
    stemmers = [porter.PorterStemmer(m) for m in modes]
    with open(OUT + "porter.tsv", "w", encoding="utf-8") as f:
        f.write("# word\t" + "\t".join(modes) + "  (NLTK %s)\n" % nltk.__version__)
        for w in sorted(words):
            f.write(w + "\t" + "\t".join(s.stem(w) for s in stemmers) + "\n")
    print(len(pairs), "pairs,", len(words), "words")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/gsm8k")
