"""The pure rules: scoring one answer, the pass mark, drawing and shuffling."""

import random
from decimal import Decimal

import pytest

from exams import grading


@pytest.mark.parametrize(
    ("selected", "expected", "correct_flag"),
    [(["B"], Decimal("5.00"), True), (["A"], Decimal("0.00"), False), ([], Decimal("0.00"), False)],
)
def test_single_choice_scores_full_points_only_for_the_right_key(selected, expected, correct_flag):
    result = grading.grade_answer(
        question_type=grading.SINGLE, correct=["B"], selected=selected, points=Decimal(5)
    )
    assert result.score == expected
    assert result.is_correct is correct_flag


def test_true_false_scores_like_single_choice():
    right = grading.grade_answer(
        question_type=grading.TRUE_FALSE, correct=["F"], selected=["F"], points=Decimal(2)
    )
    wrong = grading.grade_answer(
        question_type=grading.TRUE_FALSE, correct=["F"], selected=["T"], points=Decimal(2)
    )
    assert (right.score, wrong.score) == (Decimal("2.00"), Decimal("0.00"))


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        (["A", "C", "D"], Decimal("6.00")),
        (["A", "C"], Decimal("0.00")),
        (["A", "B"], Decimal("0.00")),
    ],
)
def test_multiple_choice_all_or_nothing_needs_exactly_the_right_set(selected, expected):
    result = grading.grade_answer(
        question_type=grading.MULTIPLE,
        correct=["A", "C", "D"],
        selected=selected,
        points=Decimal(6),
        multiple_scoring=grading.ALL_OR_NOTHING,
    )
    assert result.score == expected


@pytest.mark.parametrize(
    ("selected", "expected", "is_correct"),
    [
        (["A", "C", "D"], Decimal("6.00"), True),
        (["A", "C"], Decimal("4.00"), False),
        (["D"], Decimal("2.00"), False),
        (["A", "B"], Decimal("0.00"), False),  # a wrong key scores nothing
        ([], Decimal("0.00"), False),
    ],
)
def test_multiple_choice_partial_scores_the_share_of_right_keys_unless_a_wrong_one_is_chosen(
    selected, expected, is_correct
):
    result = grading.grade_answer(
        question_type=grading.MULTIPLE,
        correct=["A", "C", "D"],
        selected=selected,
        points=Decimal(6),
        multiple_scoring=grading.PARTIAL,
    )
    assert result.score == expected
    assert result.is_correct is is_correct


def test_partial_scores_round_half_up_to_cents():
    result = grading.grade_answer(
        question_type=grading.MULTIPLE,
        correct=["A", "B", "C"],
        selected=["A"],
        points=Decimal(5),
        multiple_scoring=grading.PARTIAL,
    )
    assert result.score == Decimal("1.67")


def test_partial_scoring_never_applies_to_single_choice():
    result = grading.grade_answer(
        question_type=grading.SINGLE,
        correct=["A"],
        selected=["B"],
        points=Decimal(5),
        multiple_scoring=grading.PARTIAL,
    )
    assert result.score == 0


@pytest.mark.parametrize(
    ("score", "max_score", "pass_mark", "expected"),
    [
        (80, 100, 80, True),
        (79.99, 100, 80, False),
        (40, 50, 80, True),
        (39, 50, 80, False),
        (0, 0, 0, False),
    ],
)
def test_pass_mark_is_on_a_hundred_point_scale(score, max_score, pass_mark, expected):
    assert (
        grading.passed(score=Decimal(str(score)), max_score=Decimal(max_score), pass_mark=pass_mark)
        is expected
    )


def test_draw_picks_distinct_items_and_refuses_a_short_pool():
    rng = random.Random(7)
    drawn = grading.draw(list(range(10)), 4, rng)
    assert len(set(drawn)) == 4
    with pytest.raises(ValueError):
        grading.draw([1, 2], 3, rng)


def test_shuffled_choices_keep_every_key_and_leave_true_false_in_order():
    choices = [{"key": k, "text": k} for k in "ABCDEF"]
    orders = {
        tuple(
            c["key"] for c in grading.shuffled_choices(choices, grading.SINGLE, random.Random(seed))
        )
        for seed in range(20)
    }
    assert all(sorted(order) == list("ABCDEF") for order in orders)
    assert len(orders) > 1
    tf = grading.shuffled_choices(grading.TRUE_FALSE_CHOICES, grading.TRUE_FALSE, random.Random(1))
    assert [c["key"] for c in tf] == ["T", "F"]


def test_normalise_selection_drops_duplicates_and_sorts():
    assert grading.normalise_selection(["C", "A", "C"]) == ["A", "C"]
