"""Pure exam rules: scoring one answer, drawing and shuffling. No ORM access.

Kept apart from ``services.py`` so the rules can be tested on plain data.
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"

ALL_OR_NOTHING = "all"
PARTIAL = "partial"

TRUE_FALSE_CHOICES = [{"key": "T", "text": "正确"}, {"key": "F", "text": "错误"}]

CENT = Decimal("0.01")


@dataclass(frozen=True)
class QuestionScore:
    score: Decimal
    is_correct: bool


def normalise_selection(selected: Iterable[str]) -> list[str]:
    """The keys of a selection, without duplicates, in a stable (sorted) order."""
    return sorted({str(key) for key in selected})


def grade_answer(
    *,
    question_type: str,
    correct: Sequence[str],
    selected: Sequence[str],
    points: Decimal,
    multiple_scoring: str = ALL_OR_NOTHING,
) -> QuestionScore:
    """Score one answer.

    Single choice and true/false: full points for the correct key, else 0.
    Multiple choice, all-or-nothing: full points only for exactly the correct set.
    Multiple choice, partial (少选得部分分，错选不得分): any wrong key scores 0;
    otherwise points × (correct keys chosen / correct keys), rounded to 0.01.
    """
    points = Decimal(points)
    right = set(correct)
    chosen = set(selected)
    if chosen == right and right:
        return QuestionScore(points.quantize(CENT), True)
    if question_type != MULTIPLE or multiple_scoring != PARTIAL:
        return QuestionScore(Decimal("0.00"), False)
    if not chosen or chosen - right:
        return QuestionScore(Decimal("0.00"), False)
    share = points * len(chosen) / len(right)
    return QuestionScore(share.quantize(CENT, rounding=ROUND_HALF_UP), False)


def passed(*, score: Decimal, max_score: Decimal, pass_mark: int) -> bool:
    """Whether `score` out of `max_score` reaches `pass_mark` on a 100-point scale."""
    if not max_score:
        return False
    return Decimal(score) * 100 >= Decimal(pass_mark) * Decimal(max_score)


def draw(pool: Sequence, count: int, rng: random.Random) -> list:
    """`count` distinct items of `pool`, chosen at random (ValueError if the pool is short)."""
    if count > len(pool):
        raise ValueError("pool too small")
    return rng.sample(list(pool), count)


def shuffled_choices(choices: Sequence[dict], question_type: str, rng: random.Random) -> list:
    """The choices in the order to show; true/false always keeps 正确 before 错误."""
    choices = [dict(choice) for choice in choices]
    if question_type != TRUE_FALSE:
        rng.shuffle(choices)
    return choices


def choice_label(index: int) -> str:
    """The letter shown before the `index`-th choice as displayed (A, B, C …)."""
    return chr(ord("A") + index)
