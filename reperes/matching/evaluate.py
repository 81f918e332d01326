"""Quality of the engine on synthetic data: `python -m reperes.matching.evaluate [PEOPLE] [QUERIES]`.

Prints precision and recall of the automatic decisions, the share sent to review, and the time
per query. The benchmark (bench/) can reuse `evaluate`."""

import sys
import time
from dataclasses import dataclass, field

from reperes.matching.decide import DEFAULT_THRESHOLDS, Outcome, Thresholds
from reperes.matching.engine import Engine, Index
from reperes.matching.synthetic import population, queries


@dataclass
class Quality:
    known: int = 0
    newcomers: int = 0
    same_right: int = 0
    same_wrong: int = 0  # SAME with another person than the one copied, or for a newcomer
    review_known: int = 0  # the right person is among the matches to review
    review_newcomers: int = 0
    missed: int = 0  # decided NEW for someone known
    seconds: list[float] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.same_right / max(1, self.same_right + self.same_wrong)

    @property
    def recall(self) -> float:
        return self.same_right / max(1, self.known)

    @property
    def f1(self) -> float:
        return 2 * self.precision * self.recall / max(1e-9, self.precision + self.recall)

    def report(self) -> str:
        timings = sorted(self.seconds)
        median = timings[len(timings) // 2] * 1000
        p95 = timings[int(len(timings) * 0.95)] * 1000
        return "\n".join(
            (
                f"queries: {self.known} known people, {self.newcomers} newcomers",
                f"auto SAME: precision {self.precision:.4f}, recall {self.recall:.4f}, F1 {self.f1:.4f}",
                f"auto SAME wrong: {self.same_wrong}",
                f"review: {self.review_known} known (right person listed), {self.review_newcomers} newcomers",
                f"known decided NEW: {self.missed}",
                f"recall including review: {(self.same_right + self.review_known) / max(1, self.known):.4f}",
                f"match_one: median {median:.2f} ms, p95 {p95:.2f} ms",
            )
        )


def evaluate(people: int = 20_000, incoming: int = 2_000, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Quality:
    registry = population(people, seed=0)
    engine = Engine(Index.from_records(registry), thresholds)
    quality = Quality()
    for query, truth in queries(registry, incoming, seed=1):
        start = time.perf_counter()
        decision = engine.match_one(query)
        quality.seconds.append(time.perf_counter() - start)
        matched = {match.id for match in decision.matches}
        if truth:
            quality.known += 1
        else:
            quality.newcomers += 1
        if decision.outcome == Outcome.SAME:
            if truth and decision.best is not None and decision.best.id == truth:
                quality.same_right += 1
            else:
                quality.same_wrong += 1
        elif decision.outcome == Outcome.REVIEW:
            if truth and truth in matched:
                quality.review_known += 1
            elif not truth:
                quality.review_newcomers += 1
            else:
                quality.missed += 1
        elif truth:
            quality.missed += 1
    return quality


if __name__ == "__main__":
    people, incoming = (int(argument) for argument in (sys.argv[1:3] + ["20000", "2000"][len(sys.argv[1:3]) :]))
    print(evaluate(people, incoming).report())
