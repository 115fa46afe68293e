"""How fast rejection decisions are made: prints figures, asserts nothing.

    python benchmarks/bench_letters.py [--letters 500] [--pdf-letters 100]
                                       [--batch 1000 4000] [--docxcompose 500]

1. `make_letters` on a journal with N rejections (default 500): the whole run — reading the
   journal, inflecting names, rendering and writing each .docx atomically, the ledger, the
   journal write-back and the print batch — as letters per second (target ≥ 50).
2. The same run with `pdf=True` for 100 letters: seconds for the batch and its PDF through
   LibreOffice (target ≤ 10 s), and the conversion alone.
3. The print batch alone at 1,000 and 4,000 letters (`--batch`): seconds, ms per letter, and the
   ratio of the largest to the smallest time (target ≤ 4× for 4× the letters: linear). With
   `--docxcompose N`, the old docxcompose merge of N of them for scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit.journal.clock import Clock
from toolkit.journal.config import Body, Config
from toolkit.journal.schema import Decision, Ground
from toolkit.letters.make import make_letters
from toolkit.letters.render import (
    LetterTemplate,
    _compose_batch_docxcompose,
    compose_batch,
    convert_to_pdf,
    find_soffice,
)
from toolkit.letters.template import FIELDS
from toolkit.sources.xlsx.template import write_journal

BODY = Body(name="Министерство социальной защиты населения Кузбасса", sheet="Министерство",
            phone="+7 (3842) 58-00-00", controller="А.А. Контролёва", unit_head="Б.Б. Руководов")
PEOPLE = (
    "Петрова Анна Сергеевна", "Римский-Корсаков Андрей Львович", "Шевчук Оксана Богдановна",
    "Ёлкин Фёдор Кузьмич", "Орлова-Никитина Ирина Павловна", "Алиев Эльчин Рафик оглы",
)
TODAY = dt.date(2026, 11, 27)


def journal(path: Path, count: int) -> Path:
    grounds = list(Ground)
    rows = []
    for n in range(1, count + 1):
        values = {
            "number": n, "received": dt.date(2026, 11, 16), "citizen": PEOPLE[n % len(PEOPLE)],
            "topic": "Социальный контракт", "decision": Decision.REJECTED.label,
            "decision_date": dt.date(2026, 11, 20), "ground": grounds[n % 4].label,
            "specialist": "Осипова Валентина Сергеевна",
            "address": f"Кемеровская область – Кузбасс, г. Кемерово, ул. Весенняя, д. {n}",
        }
        rows.append(values)
    return write_journal(path, {BODY: rows})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--pdf-letters", type=int, default=100)
    parser.add_argument("--batch", type=int, nargs="*", default=[1000, 4000])
    parser.add_argument("--docxcompose", type=int, default=0,
                        help="also merge this many letters with docxcompose (slow)")
    args = parser.parse_args()
    config = Config(bodies=(BODY,))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = LetterTemplate.load()
        context = {key: f"значение {key}" for key in FIELDS}
        started = time.perf_counter()
        for _ in range(500):
            template.render(context)
        render_rate = 500 / (time.perf_counter() - started)
        print(f"one letter rendered in memory (compiled template): {render_rate:6.0f} letters/s")

        path = journal(folder / "журнал.xlsx", args.letters)
        started = time.perf_counter()
        result = make_letters(str(path), config, folder / "out", Clock.at(TODAY))
        seconds = time.perf_counter() - started
        assert len(result.made) == args.letters
        print(f"make_letters, {args.letters} decisions (.docx, ledger, write-back, batch): "
              f"{seconds:5.2f} s = {args.letters / seconds:5.0f} letters/s (target ≥ 50)")
        started = time.perf_counter()
        compose_batch([m.path for m in result.made], folder / "пакет.docx")
        print(f"  of which the print batch of {args.letters} letters: "
              f"{time.perf_counter() - started:5.2f} s")
        started = time.perf_counter()
        again = make_letters(str(path), config, folder / "out", Clock.at(TODAY))
        print(f"second run, nothing to make ({again.unchanged} unchanged): "
              f"{time.perf_counter() - started:5.2f} s")

        batches(template, folder / "пакеты", args.batch, args.docxcompose)

        if find_soffice() is None:
            print("PDF: LibreOffice (soffice) not installed — skipped")
            return
        (folder / "pdf").mkdir()  # a journal of its own, with its own ledger
        path = journal(folder / "pdf" / "журнал.xlsx", args.pdf_letters)
        started = time.perf_counter()
        result = make_letters(str(path), config, folder / "out-pdf", Clock.at(TODAY), pdf=True)
        seconds = time.perf_counter() - started
        [batch] = result.batches
        assert batch.pdf is not None
        print(f"make_letters --pdf, {args.pdf_letters} decisions: {seconds:5.2f} s "
              f"(target ≤ 10 s)")
        started = time.perf_counter()
        convert_to_pdf(batch.path, folder / "again.pdf")
        print(f"  of which the PDF conversion of the {args.pdf_letters}-letter batch: "
              f"{time.perf_counter() - started:5.2f} s")


def batches(template: LetterTemplate, folder: Path, sizes: list[int], docxcompose: int) -> None:
    """The print batch alone, at each size: linear means the time grows as the letters do."""
    if not sizes:
        return
    folder.mkdir()
    made = []
    for n in range(max([*sizes, docxcompose])):
        path = folder / f"{n:05d}.docx"
        values = {key: f"{key} {n}" for key in FIELDS}
        values["гражданин"] = PEOPLE[n % len(PEOPLE)]
        template.write(values, path)
        made.append(path)
    # Best of 5 rounds, the sizes alternated within each round: a linear batch has almost no
    # fixed cost, so 4× the letters is 4× the time and only noise moves the ratio.
    seconds = dict.fromkeys(sorted(sizes), float("inf"))
    for _ in range(5):
        for size in seconds:
            started = time.perf_counter()
            compose_batch(made[:size], folder / f"пакет-{size}.docx")
            seconds[size] = min(seconds[size], time.perf_counter() - started)
    for size, best in seconds.items():
        print(f"print batch of {size:5d} letters: {best:6.2f} s = "
              f"{1000 * best / size:5.2f} ms per letter")
    low, high = min(seconds), max(seconds)
    if high > low:
        print(f"  {high} vs {low} letters: {seconds[high] / seconds[low]:4.2f}× the time for "
              f"{high / low:.0f}× the letters (target ≤ {high / low:.0f}×)")
    if docxcompose:
        started = time.perf_counter()
        _compose_batch_docxcompose(made[:docxcompose], folder / "docxcompose.docx")
        print(f"  for scale, docxcompose merging {docxcompose} letters: "
              f"{time.perf_counter() - started:6.2f} s")


if __name__ == "__main__":
    main()
