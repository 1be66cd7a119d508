#!/usr/bin/env python3
"""Writes the GPT-2 BPE fixture that GPT2TokenizerTests checks Tacit's tokenizer against.

Hugging Face `tokenizers` trains a small byte-level BPE with GPT-2's pre-tokenizer settings
(ByteLevel(add_prefix_space=False, use_regex=True): GPT-2's pattern, then the bytes-to-unicode
map) on fortune records plus a short multilingual text (so that merges also join the bytes of
accented letters, CJK and emoji), with `<|endoftext|>` as its one special token. It saves the
tokenizer in both formats Tacit reads, `tokenizer.json` and `vocab.json` + `merges.txt`, and
writes `expected.json`: for each of about 70 tricky strings (Unicode, whitespace runs, digits,
punctuation, contractions, the special token, fortune records) the ids `tokenizers` gives.

It then checks the ids against a second, independent implementation written here after GPT-2's
published algorithm (Radford et al. 2019, OpenAI's `encoder.py`: the pattern run by Python's
`regex` module, then "merge every occurrence of the best-ranked pair, repeat"), and, when
`transformers` is installed, against its `GPT2Tokenizer` and `GPT2TokenizerFast` (in transformers
5 both are backed by `tokenizers`, so that check is only of the file formats). It stops on any
difference.

Not run in CI (it needs `pip install tokenizers`; the Hugging Face hub is not needed).
Usage: python3 Scripts/make_tokenizer_fixture.py [FORTUNES_DIR] [OUTPUT_DIR]
Defaults: /usr/share/games/fortunes and Tests/TacitTextTests/Fixtures/gpt2-bpe.
"""
import json
import os
import sys

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

FORTUNES = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/games/fortunes"
OUTPUT = sys.argv[2] if len(sys.argv) > 2 else "Tests/TacitTextTests/Fixtures/gpt2-bpe"
TRAINING_FILES = ["wisdom", "literature", "science", "people", "songs-poems", "computers"]
VOCABULARY_SIZE = 1000

MULTILINGUAL = """Ελληνικά κείμενα και λέξεις. Русский текст и слова. 日本語のテキストと言葉。
中文字符和词语。 한국어 문장과 단어. café naïve résumé Ångström Straße garçon.
مرحبا بالعالم. שלום עולם. emoji 🙂🙂 👍 🇫🇷 ½ ² ٣٤٥ Ⅻ ∑∫√"""


def fortune_records(path):
    """Records of a fortune file: the text between lines holding only '%'."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    records, lines = [], []
    for line in text.split("\n"):
        if line.rstrip("\r") == "%":
            records.append("\n".join(lines))
            lines = []
        else:
            lines.append(line.rstrip("\r"))
    records.append("\n".join(lines))
    return [record for record in records if record.strip()]


TRICKY = [
    # whitespace runs: spaces, tabs, newlines, trailing and leading, other Unicode spaces
    "", " ", "  ", "   ", "\t", "\n", "\n\n\n", "Hello world", "Hello  world", "a  b   c    d",
    "  leading spaces", "trailing spaces   ", "tabs\tand\ttabs", "\t\tleading tabs", "tab at end\t",
    "line\nbreak", "two\n\nbreaks", "mixed \t\n whitespace", "end with newline\n", "crlf\r\nline\r\n",
    " \nspace then newline", "non\u00a0breaking space", "ideographic\u3000space", "next\u0085line",
    "unit\u001fseparator", "file\u001cseparator", "zero\u200bwidth", "em\u2003space  x",
    # contractions (only lowercase ones are split off by GPT-2's pattern)
    "don't", "I'm here", "you're", "we've", "she'll", "he'd", "it's", "IT'S", "'s'", "rock 'n' roll",
    "o'clock", "''s", "y'all'll", " 's", "?!'s",
    # digits and punctuation
    "123", "3.14159", "1,000,000", "phone: 555-0123", "2024-01-01T12:00:00Z", "x1y2z3", "٣٤٥ Ⅻ ½ ²",
    "Hello!!!", "...", "?!?!", "(parens) [brackets] {braces}", "@user #tag $100 %50", "a--b",
    "\"quoted\"", "«guillemets» —em dash—", "C++ and C#", " !x", "  !!", "a , b",
    # Unicode letters, marks, scripts and emoji
    "café", "naïve résumé", "cafe\u0301 decomposed", "Ελληνικά", "Русский текст", "日本語のテキスト",
    "中文字符", "한국어", "🙂", "👨\u200d👩\u200d👧\u200d👦 family", "🇫🇷 flag", "emoji🙂inline",
    "مرحبا", "עברית", "ǅ titlecase", "ʰmodifier", "math ∑∫√ symbols", "control\u0001char",
    "\U0010fffd private use", "\ufeffbyte order mark",
    # the special token
    "<|endoftext|>", "before<|endoftext|>after", "text <|endoftext|> text", "<|endoftext|><|endoftext|>",
]


def main():
    records = []
    for name in TRAINING_FILES:
        records += fortune_records(os.path.join(FORTUNES, name))
    corpus = records + [MULTILINGUAL] * 20

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCABULARY_SIZE,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(corpus, trainer)

    os.makedirs(OUTPUT, exist_ok=True)
    tokenizer.save(os.path.join(OUTPUT, "tokenizer.json"))
    tokenizer.model.save(OUTPUT)  # vocab.json, merges.txt

    # Fortune records from a file the BPE was not trained on, and a few from one it was.
    held_out = fortune_records(os.path.join(FORTUNES, "fortunes"))[:12]
    seen = fortune_records(os.path.join(FORTUNES, "wisdom"))[:4]
    strings = TRICKY + held_out + seen
    cases = [{"text": text, "ids": tokenizer.encode(text).ids} for text in strings]
    with open(os.path.join(OUTPUT, "expected.json"), "w", encoding="utf-8") as handle:
        json.dump(
            {
                "tokenizers_version": __import__("tokenizers").__version__,
                "vocabulary_size": tokenizer.get_vocab_size(with_added_tokens=True),
                "cases": cases,
            },
            handle,
            indent=1,
        )
        handle.write("\n")
    print(f"{len(cases)} cases, vocabulary {tokenizer.get_vocab_size()}, written to {OUTPUT}")
    reference_check(cases)
    cross_check(cases)


def byte_symbols():
    """GPT-2's byte-to-character map: printable Latin-1 bytes stand for themselves, the other 68
    bytes map to U+0100 onwards in increasing order."""
    printable = [b for b in range(256) if 0x21 <= b <= 0x7E or 0xA1 <= b <= 0xAC or 0xAE <= b <= 0xFF]
    others = [b for b in range(256) if b not in printable]
    table = {b: chr(b) for b in printable}
    table.update({b: chr(0x100 + i) for i, b in enumerate(others)})
    return table


def reference_check(cases):
    """GPT-2's original algorithm on vocab.json + merges.txt, compared with the fixture."""
    import regex

    pattern = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
    with open(os.path.join(OUTPUT, "vocab.json"), encoding="utf-8") as handle:
        vocabulary = json.load(handle)
    with open(os.path.join(OUTPUT, "merges.txt"), encoding="utf-8") as handle:
        lines = [line for line in handle.read().split("\n") if line and not line.startswith("#version")]
    ranks = {tuple(line.split(" ")): rank for rank, line in enumerate(lines)}
    symbols = byte_symbols()
    special = "<|endoftext|>"

    def merge(word):
        parts = list(word)
        while len(parts) > 1:
            best = min(zip(parts, parts[1:]), key=lambda pair: ranks.get(pair, float("inf")))
            if best not in ranks:
                break
            joined, i = [], 0
            while i < len(parts):
                if i + 1 < len(parts) and (parts[i], parts[i + 1]) == best:
                    joined.append(parts[i] + parts[i + 1])
                    i += 2
                else:
                    joined.append(parts[i])
                    i += 1
            parts = joined
        return [vocabulary[part] for part in parts]

    def encode(text):
        ids = []
        for index, segment in enumerate(text.split(special)):
            if index > 0:
                ids.append(vocabulary[special])
            for piece in pattern.findall(segment):
                ids += merge("".join(symbols[b] for b in piece.encode("utf-8")))
        return ids

    differences = [case for case in cases if encode(case["text"]) != case["ids"]]
    for case in differences:
        print(f"GPT-2's algorithm differs on {case['text']!r}: {encode(case['text'])} != {case['ids']}")
    if differences:
        sys.exit(f"{len(differences)} differences with GPT-2's original algorithm")
    print("GPT-2's original algorithm (Python regex) agrees on every case")


def cross_check(cases):
    """Compares with transformers' slow GPT2Tokenizer when it is installed."""
    try:
        from transformers import GPT2Tokenizer, GPT2TokenizerFast
    except ImportError:
        print("transformers not installed: cross-check skipped")
        return
    slow = GPT2Tokenizer(os.path.join(OUTPUT, "vocab.json"), os.path.join(OUTPUT, "merges.txt"))
    fast = GPT2TokenizerFast(tokenizer_file=os.path.join(OUTPUT, "tokenizer.json"))
    mismatches = 0
    for case in cases:
        for name, other in (("GPT2Tokenizer", slow), ("GPT2TokenizerFast", fast)):
            ids = other.encode(case["text"])
            if ids != case["ids"]:
                mismatches += 1
                print(f"{name} differs on {case['text']!r}: {ids} != {case['ids']}")
    if mismatches:
        sys.exit(f"{mismatches} mismatches with transformers")
    print("transformers GPT2Tokenizer and GPT2TokenizerFast agree on every case")


if __name__ == "__main__":
    main()
