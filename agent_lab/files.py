"""Files every stage reads and writes: JSON Lines and CSV, in one place.

Used from notebook 04 on (training sets, exports, review sheets), in notebook 07 (the human
annotation sheet) and by the lab grader (its report).

Writers are atomic: they write a temporary file beside the target and rename it, so a crash never
leaves half a file where a good one was. Readers name the file and the line of any problem: a
missing file, text that is not UTF-8, a JSONL line that is not JSON, a CSV row with more or fewer
fields than its header, a header without the columns the caller needs. A CSV saved by Excel
(UTF-8 with a byte-order mark) reads like any other.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path


def _atomic_open(path: Path, newline: str | None = None):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    return tmp, open(tmp, "w", encoding="utf-8", newline=newline)


# ---------------------------------------------------------------------------------- JSON Lines
def write_jsonl(rows: Iterable[dict], path: Path) -> Path:
    """One JSON object per line, UTF-8, Chinese kept readable."""
    path = Path(path)
    tmp, f = _atomic_open(path)
    with f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def jsonl_lines(text: str) -> Iterator[tuple[int, object, str]]:
    """(1-based line number, value or None, error or "") for each non-blank line of JSONL text."""
    # split on "\n" alone: str.splitlines() would also split inside a value holding U+2028 or U+0085
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line), ""
        except json.JSONDecodeError as exc:
            yield number, None, f"not JSON: {exc.msg} at column {exc.colno}"
        except (ValueError, RecursionError) as exc:  # nesting too deep, an integer too long
            yield number, None, f"not readable JSON ({type(exc).__name__})"


def _text(path: Path, what: str) -> str:
    if not path.is_file():
        raise FileNotFoundError(f"{what}{path} does not exist")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ValueError(f"{path}:{line}: not UTF-8 text (save it as UTF-8)") from None


def read_jsonl(path: Path) -> list:
    """Rows of a JSONL file; a missing file or a bad line is an error naming the file and line."""
    path = Path(path)
    rows = []
    for number, value, error in jsonl_lines(_text(path, "")):
        if error:
            raise ValueError(f"{path}:{number}: {error}")
        rows.append(value)
    return rows


# ----------------------------------------------------------------------------------------- CSV
def write_csv(rows: Iterable[dict], path: Path, columns: list[str]) -> Path:
    """A header of `columns`, then one line per row (missing keys left empty, others ignored)."""
    path = Path(path)
    tmp, f = _atomic_open(path, newline="")
    with f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in columns})
    tmp.replace(path)
    return path


def read_csv(path: Path, required: Iterable[str] = (), what: str = "") -> list[tuple[int, dict]]:
    """(row number, row) for each data row of a CSV file with a header.

    Rows are numbered as a spreadsheet shows them (the header is row 1), which is the line number
    when no cell holds a line break. Header names are stripped; blank cells read as "". Raises,
    naming the file (and the row), for a missing file, text that is not UTF-8, a header without
    the `required` columns, or a row whose field count differs from the header's. `what` names the
    file in the messages ("annotation sheet ")."""
    path = Path(path)
    text = _text(path, what)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))  # quoted newlines kept
        header = [name.strip() for name in reader.fieldnames or []]
        reader.fieldnames = header
        missing = [c for c in required if c not in header]
        if missing:
            raise ValueError(f"{path}: missing columns {missing} (the header has {header})")
        rows = []
        for line, row in enumerate(reader, 2):
            extra, blank = row.pop(None, None), [k for k, v in row.items() if v is None]
            if extra or blank:
                fields = len(header) + len(extra or []) - len(blank)
                raise ValueError(f"{path}:{line}: {fields} fields, the header has {len(header)}")
            rows.append((line, row))
    except csv.Error as exc:
        raise ValueError(f"{path}: not a readable CSV file ({exc})") from None
    return rows
