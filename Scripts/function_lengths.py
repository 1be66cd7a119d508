#!/usr/bin/env python3
"""Lists Swift functions, initialisers and subscripts longer than N lines (default 80), longest first.

Usage: Scripts/function_lengths.py DIR [N]   (e.g. Scripts/function_lengths.py Sources 80)
A line counter by brace matching (strings and comments stripped), good enough for Tacit's style;
issue 10 asks that no function in Sources/ exceed 80 lines."""
import os, re, sys
root = sys.argv[1]; limit = int(sys.argv[2]) if len(sys.argv) > 2 else 80
pat = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|static|mutating|override|final|nonisolated|@inlinable|@discardableResult)\s+)*(func\s+\S+|init[?!]?\s*[(<]|subscript)')
rows = []
for dp, _, fs in os.walk(root):
    for f in fs:
        if not f.endswith('.swift'): continue
        p = os.path.join(dp, f); lines = open(p).read().split('\n')
        i = 0
        while i < len(lines):
            if pat.match(lines[i]):
                depth = 0; started = False; j = i
                while j < len(lines):
                    s = re.sub(r'"(?:[^"\\]|\\.)*"', '""', lines[j]); s = s.split('//')[0]
                    for ch in s:
                        if ch == '{': depth += 1
                        elif ch == '}': depth -= 1
                    if depth > 0: started = True
                    if started and depth <= 0: break
                    if not started and j > i + 15: break
                    j += 1
                n = j - i + 1
                if started and n > limit: rows.append((n, p, i + 1, lines[i].strip()[:80]))
            i += 1
for n, p, l, s in sorted(rows, reverse=True): print(f"{n:4d} {p}:{l} {s}")
