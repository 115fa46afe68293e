"""Precision and recall of repeat-question detection on tests/data/repeats_pairs.tsv.

    PYTHONPATH=. python benchmarks/repeats_accuracy.py [--sweep]

Each pair is judged alone: an index of the one earlier application, and the new one looked up.
Figures are printed for all pairs, for the groups the threshold was tuned on (even groups 0–48),
for the odd groups 1–49 (not used to pick the threshold, but seen while writing the synonyms),
for groups 50–59 (written after tuning: the honest estimate), and per kind of pair. --sweep
prints the figures for a range of thresholds.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.intake.repeats import THRESHOLD, EarlierApplication, RepeatIndex
from toolkit.intake.submission import birth_hash

UNSEEN_FROM = 50  # groups written after tuning (benchmarks/repeats_topics.UNSEEN)
PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "repeats_pairs.tsv"


def load_pairs(path: Path = PAIRS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _hash(text: str) -> str:
    return birth_hash(dt.date.fromisoformat(text)) if text else ""


def predict(pair: dict[str, str], threshold: float = THRESHOLD) -> bool:
    """Whether the new application of a pair is found to repeat the earlier one."""
    earlier = EarlierApplication(
        citizen=pair["old_citizen"], received=dt.date(2024, 1, 15), topic=pair["old_topic"],
        sheet="Журнал", row=int(pair["id"]) + 5, birth_hash=_hash(pair["old_birth"]),
        phone=pair["old_phone"], email=pair["old_email"], address=pair["old_address"],
    )
    index = RepeatIndex([earlier], threshold=threshold)
    return bool(index.find_for(
        pair["new_citizen"], pair["new_topic"], birth_hash=_hash(pair["new_birth"]),
        phone=pair["new_phone"], email=pair["new_email"], address=pair["new_address"],
        on=dt.date(2024, 3, 1),
    ))


def scores(pairs: list[dict[str, str]], predicted: list[bool]) -> tuple[float, float, int, int]:
    """(precision, recall, false positives, false negatives)."""
    tp = sum(1 for p, y in zip(pairs, predicted, strict=True) if y and p["label"] == "1")
    fp = sum(1 for p, y in zip(pairs, predicted, strict=True) if y and p["label"] == "0")
    fn = sum(1 for p, y in zip(pairs, predicted, strict=True) if not y and p["label"] == "1")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, fp, fn


def evaluate(threshold: float = THRESHOLD, verbose: bool = True) -> dict[str, tuple[float, ...]]:
    pairs = load_pairs()
    predicted = [predict(p, threshold) for p in pairs]
    out: dict[str, tuple[float, ...]] = {}
    group = [int(p["group_new"]) for p in pairs]
    subsets = {
        "все пары": [True] * len(pairs),
        "настройка порога (четные 0–48)": [g < UNSEEN_FROM and g % 2 == 0 for g in group],
        "проверка (нечетные 1–49)": [g < UNSEEN_FROM and g % 2 == 1 for g in group],
        "новые группы (50–59)": [g >= UNSEEN_FROM for g in group],
    }
    for name, mask in subsets.items():
        sub = [p for p, m in zip(pairs, mask, strict=True) if m]
        pred = [y for y, m in zip(predicted, mask, strict=True) if m]
        out[name] = scores(sub, pred)
        if verbose:
            precision, recall, fp, fn = out[name]
            print(f"{name:32} пар {len(sub):3}  точность {precision:.3f}  полнота {recall:.3f}"
                  f"  ложных срабатываний {fp}  пропусков {fn}")
    if verbose:
        kinds = sorted({p["kind"] for p in pairs})
        for kind in kinds:
            idx = [i for i, p in enumerate(pairs) if p["kind"] == kind]
            right = sum(1 for i in idx if predicted[i] == (pairs[i]["label"] == "1"))
            print(f"  {kind:22} верно {right}/{len(idx)}")
    return out


def main() -> None:
    if "--sweep" in sys.argv:
        for threshold in range(40, 86, 5):
            p, r, fp, fn = evaluate(threshold, False)["настройка порога (четные 0–48)"]
            print(f"порог {threshold}: точность {p:.3f} полнота {r:.3f} (fp {fp}, fn {fn})")
        return
    print(f"порог сходства тематики {THRESHOLD}")
    evaluate()


if __name__ == "__main__":
    main()
