"""How fast rejection decisions are made: prints figures, asserts nothing.

    python benchmarks/bench_letters.py [--letters 500] [--pdf-letters 100]

1. `make_letters` on a journal with N rejections (default 500): the whole run — reading the
   journal, inflecting names, rendering and writing each .docx atomically, the ledger, the
   journal write-back and the print batch — as letters per second (target ≥ 50).
2. The same run with `pdf=True` for 100 letters: seconds for the batch and its PDF through
   LibreOffice (target ≤ 10 s), and the conversion alone.
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
from toolkit.letters.render import LetterTemplate, compose_batch, convert_to_pdf, find_soffice
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
        print(f"  of which the print batch of {args.letters} letters (docxcompose): "
              f"{time.perf_counter() - started:5.2f} s")
        started = time.perf_counter()
        again = make_letters(str(path), config, folder / "out", Clock.at(TODAY))
        print(f"second run, nothing to make ({again.unchanged} unchanged): "
              f"{time.perf_counter() - started:5.2f} s")

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


if __name__ == "__main__":
    main()
