"""Auto-grading for the labs: each check gives a clear pass/fail line and points; nothing crashes
the notebook.

Introduced in the labs (`labs/source/lab01_parse_outputs.ipynb` and the rest).

    grader = Grader("lab01")
    grader.check("🐢 parses a plain Action", lambda: parse("...")["name"] == "get_weather_info",
    points=1) grader.report()          # prints the table and the score; returns the figures

A check passes when its function returns True (or None) without raising. `NotImplementedError` (a
stub not yet written), an `AssertionError` (with its message) or any other exception is a failure
with the reason printed; the notebook goes on. `report` writes the result to the metrics folder as
`labs/<lab>.json` so tests and instructors can read scores without parsing notebooks.
"""

from __future__ import annotations

import json
import os
import traceback
from dataclasses import dataclass, field

TAG_ENV = (
    "AGENT_LAB_GRADER_TAG"  # set by the batch grader (agent_lab.course.lab_grading) for one run
)


@dataclass
class Result:
    name: str
    points: float
    passed: bool
    message: str = ""


@dataclass
class Grader:
    lab: str
    results: list[Result] = field(default_factory=list)
    tag: str = field(default_factory=lambda: os.environ.pop(TAG_ENV, ""), repr=False)

    def check(self, name: str, fn, points: float = 1.0) -> bool:
        """Run one check; record and print its outcome. Returns whether it passed."""
        try:
            outcome = fn()
            passed, message = (
                outcome is None or outcome is True,
                "" if outcome in (None, True) else f"returned {outcome!r}",
            )
        except NotImplementedError:
            passed, message = False, "not implemented yet"
        except AssertionError as exc:
            passed, message = False, str(exc) or "an assertion failed"
        except Exception as exc:  # a student's bug must be reported, not crash the notebook
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            passed, message = False, f"{type(exc).__name__}: {exc} (line {frame.lineno})"
        self.results = [r for r in self.results if r.name != name] + [
            Result(name, points, passed, message)
        ]
        print(
            f"{'PASS' if passed else 'FAIL'}  {name}  [{points:g} pt]"
            + ("" if passed else f"  -- {message}")
        )
        if self.tag:  # the batch grader scores from these lines (agent_lab.course.lab_grading)
            print(
                f"[{self.tag}] " + json.dumps({"name": name, "passed": passed}, ensure_ascii=False)
            )
        return passed

    @property
    def score(self) -> float:
        return sum(r.points for r in self.results if r.passed)

    @property
    def total(self) -> float:
        return sum(r.points for r in self.results)

    def report(self, save: bool = True) -> dict:
        """Print the score and (by default) save it with every check's outcome."""
        figures = {
            "lab": self.lab,
            "score": self.score,
            "total": self.total,
            "passed": sum(r.passed for r in self.results),
            "checks": len(self.results),
            "results": [r.__dict__ for r in self.results],
        }
        print(
            f"\n{self.lab}: {figures['passed']} of {figures['checks']} checks passed, "
            f"score {self.score:g} / {self.total:g}"
        )
        if save:
            from agent_lab.course.harness import save_metrics

            save_metrics(f"labs/{self.lab}", figures)
        return figures
