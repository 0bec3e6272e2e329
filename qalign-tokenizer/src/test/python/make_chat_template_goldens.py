#!/usr/bin/env python3
"""Expected chat-template renders for ChatTemplateGoldenTest (qalign-tokenizer).

Renders every template of ../resources/chat_templates/ over every conversation of
../resources/chat_templates/conversations.json, with and without add_generation_prompt, using Jinja2 set up exactly
as Hugging Face transformers' apply_chat_template does (transformers/utils/chat_template_utils.py,
_compile_jinja_template and render_jinja_template):

  * ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    (transformers also adds its AssistantTracker extension, which only defines the {% generation %} tag; none of
    these templates uses it);
  * filters["tojson"] = json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...);
  * globals["raise_exception"] raises jinja2.exceptions.TemplateError(message);
  * globals["strftime_now"](fmt) = now().strftime(fmt) -- here "now" is the fixed instant FIXED_NOW so the output
    is reproducible (the Java side passes the same instant through a fixed java.time.Clock);
  * render(messages=..., tools=None, documents=None, add_generation_prompt=..., **special_tokens), where the
    special tokens are the model's bos_token / eos_token as its tokenizer_config.json sets them (a token the
    config leaves null is not passed at all, as in transformers).

A render that raises is recorded as {"error": <message>} (TemplateError: the template's own message).

Usage (from the repository root; needs only Python 3 and Jinja2 >= 3.1):
    python3 qalign-tokenizer/src/test/python/make_chat_template_goldens.py
It rewrites qalign-tokenizer/src/test/resources/chat_templates/goldens.json.
"""
import datetime
import json
import pathlib
import sys

import jinja2
import jinja2.ext
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = pathlib.Path(__file__).resolve().parent
TEMPLATES = HERE.parent / "resources" / "chat_templates"

# 2025-03-07T12:34:56 (UTC); the Java test uses Clock.fixed(Instant.parse("2025-03-07T12:34:56Z"), UTC).
FIXED_NOW = datetime.datetime(2025, 3, 7, 12, 34, 56)

# template file -> (bos_token, eos_token) as in the model's tokenizer_config.json (None = not set)
MODELS = {
    "llama-3.1-instruct.jinja": ("<|begin_of_text|>", "<|eot_id|>"),
    "llama-3.2-instruct.jinja": ("<|begin_of_text|>", "<|eot_id|>"),
    "tulu-3.jinja": ("<|begin_of_text|>", "<|end_of_text|>"),
    "qwen2.5-instruct.jinja": (None, "<|im_end|>"),
    "mistral-nemo-instruct-2407.jinja": ("<s>", "</s>"),
    "gemma-2-it.jinja": ("<bos>", "<eos>"),
    "phi-3.5-mini-instruct.jinja": ("<s>", "<|endoftext|>"),
    "smollm2-instruct.jinja": ("<|im_start|>", "<|im_end|>"),
    "deepseek-r1-distill.jinja": ("<\uff5cbegin\u2581of\u2581sentence\uff5c>", "<\uff5cend\u2581of\u2581sentence\uff5c>"),
}


def compile_template(source):
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return FIXED_NOW.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env.from_string(source)


def main():
    if tuple(int(p) for p in jinja2.__version__.split(".")[:2]) < (3, 1):
        sys.exit("needs Jinja2 >= 3.1, found " + jinja2.__version__)
    conversations = json.loads((TEMPLATES / "conversations.json").read_text(encoding="utf-8"))
    cases = []
    for name, (bos, eos) in MODELS.items():
        template = compile_template((TEMPLATES / name).read_text(encoding="utf-8"))
        special = {}
        if bos is not None:
            special["bos_token"] = bos
        if eos is not None:
            special["eos_token"] = eos
        for conv in conversations:
            for agp in (True, False):
                case = {"template": name, "conversation": conv["id"], "add_generation_prompt": agp}
                try:
                    case["output"] = template.render(messages=conv["messages"], tools=None, documents=None,
                                                     add_generation_prompt=agp, **special)
                except TemplateError as e:
                    case["error"] = str(e)
                cases.append(case)
    out = {
        "generator": "qalign-tokenizer/src/test/python/make_chat_template_goldens.py",
        "jinja2": jinja2.__version__,
        "strftime_now": FIXED_NOW.isoformat() + "Z",
        "special_tokens": {k: {"bos_token": v[0], "eos_token": v[1]} for k, v in MODELS.items()},
        "cases": cases,
    }
    path = TEMPLATES / "goldens.json"
    path.write_text(json.dumps(out, ensure_ascii=True, indent=1) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases ({sum('error' in c for c in cases)} raise) -> {path}")


if __name__ == "__main__":
    main()
