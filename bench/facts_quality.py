"""Recall and precision of the narrative fact extractor on hand-annotated sample reports (issue 7).

    .venv/bin/python bench/facts_quality.py [--samples ../shared/samples] [--gold bench/facts_gold.json] [-v]

A proposal is correct when a gold fact of the same file has the same value and unit and its offset (the
first character of the number) falls inside the proposal's figure. Recall: gold facts found / gold facts.
Precision: correct proposals / proposals. Needs no database: the extractor is pure Python.
Exit status 0 only when both are at least --target (default 0.9) overall. See docs/facts.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from changai.narratives.extraction import Fact, extract  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Fact extraction quality on the sample reports.")
    parser.add_argument("--samples", default=str(ROOT.parent / "shared" / "samples"))
    parser.add_argument("--gold", default=str(ROOT / "bench" / "facts_gold.json"))
    parser.add_argument("--target", type=float, default=0.9)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss and wrong proposal")
    return parser.parse_args(argv)


def _gold_value(raw) -> tuple[Decimal, Decimal | None]:
    if isinstance(raw, list):
        return Decimal(str(raw[0])), Decimal(str(raw[1]))
    return Decimal(str(raw)), None


def _same(fact: Fact, gold: dict) -> bool:
    value, value_max = _gold_value(gold["value"])
    return (
        fact.start <= gold["offset"] < fact.end
        and fact.unit == gold["unit"]
        and fact.value == value
        and fact.value_max == value_max
    )


def score_file(text: str, gold: list[dict]) -> dict:
    facts = extract(text)
    matched_facts: set[int] = set()
    missed = []
    for item in gold:
        hit = next((k for k, fact in enumerate(facts) if k not in matched_facts and _same(fact, item)), None)
        if hit is None:
            missed.append(item)
        else:
            matched_facts.add(hit)
    wrong = [fact for k, fact in enumerate(facts) if k not in matched_facts]
    return {"gold": len(gold), "proposed": len(facts), "correct": len(matched_facts), "missed": missed, "wrong": wrong}


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def main(argv=None) -> int:
    args = parse_args(argv)
    gold = json.loads(Path(args.gold).read_text(encoding="utf-8"))["facts"]
    by_file: dict[str, list[dict]] = {}
    for item in gold:
        by_file.setdefault(item["file"], []).append(item)
    totals = {"gold": 0, "proposed": 0, "correct": 0}
    print(f"{'file':<16}{'gold':>6}{'proposed':>10}{'correct':>9}{'recall':>9}{'precision':>11}")
    for name in sorted(by_file):
        text = (Path(args.samples) / name).read_text(encoding="utf-8")
        result = score_file(text, by_file[name])
        for key in totals:
            totals[key] += result[key]
        recall = _ratio(result["correct"], result["gold"])
        precision = _ratio(result["correct"], result["proposed"])
        print(
            f"{name:<16}{result['gold']:>6}{result['proposed']:>10}{result['correct']:>9}"
            f"{recall:>9.1%}{precision:>11.1%}"
        )
        if args.verbose:
            _explain(text, name, result)
    recall = _ratio(totals["correct"], totals["gold"])
    precision = _ratio(totals["correct"], totals["proposed"])
    print(
        f"{'overall':<16}{totals['gold']:>6}{totals['proposed']:>10}{totals['correct']:>9}"
        f"{recall:>9.1%}{precision:>11.1%}"
    )
    return 0 if recall >= args.target and precision >= args.target else 1


def _explain(text: str, name: str, result: dict) -> None:
    for item in result["missed"]:
        at = item["offset"]
        print(f"  missed  {name}@{at}: {item['value']} {item['unit']}  …{text[max(0, at - 12) : at + 8]}…")
    for fact in result["wrong"]:
        print(f"  wrong   {name}@{fact.start}: {fact.figure} {fact.unit}  …{text[fact.quote_start : fact.end]}…")


if __name__ == "__main__":
    sys.exit(main())
