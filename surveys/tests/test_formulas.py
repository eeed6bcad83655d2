"""The pure parts: sampling, reporting groups, conditions (hypothesis)."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.conditions import visible_questions
from surveys.sampling import reporting_groups, sample_people

ids = st.lists(st.integers(min_value=1, max_value=10**9), unique=True, max_size=60)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ids, st.integers(min_value=1, max_value=80), st.integers(min_value=0, max_value=2**62))
def test_a_sample_is_a_reproducible_subset_of_the_asked_size(candidates, size, seed):
    drawn = sample_people(candidates, size, seed)
    assert set(drawn) <= set(candidates)
    assert len(drawn) == min(size, len(candidates))
    assert drawn == sorted(drawn)
    # the same roster in another order and the same seed give the same people
    assert sample_people(list(reversed(candidates)), size, seed) == drawn


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ids, st.integers(min_value=0, max_value=2**62))
def test_without_a_size_everyone_is_asked(candidates, seed):
    assert sample_people(candidates, None, seed) == sorted(candidates)


def test_different_seeds_draw_different_samples():
    people = list(range(1, 1001))
    assert sample_people(people, 50, 1) != sample_people(people, 50, 2)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.integers(1, 500), st.integers(1, 8), max_size=80), st.integers(1, 8))
def test_no_group_is_smaller_than_the_minimum_except_the_pool(unions, minimum):
    fallback = 0
    groups = reporting_groups(unions, fallback, minimum)
    assert set(groups) == set(unions)
    sizes: dict[int, int] = {}
    for person, group in groups.items():
        assert group in (unions[person], fallback)
        sizes[group] = sizes.get(group, 0) + 1
    assert all(n >= minimum for g, n in sizes.items() if g != fallback)


def q(pk, on=None, values=()):
    return SimpleNamespace(pk=pk, condition_on_id=on, condition_values=list(values))


def test_a_condition_shows_a_question_only_on_a_matching_earlier_answer():
    questions = [q(1), q(2, on=1, values=["否"]), q(3, on=2, values=["加班"]), q(4)]
    assert visible_questions(questions, {1: ["是"]}) == {1, 4}
    assert visible_questions(questions, {1: ["否"]}) == {1, 2, 4}
    assert visible_questions(questions, {1: ["否"], 2: ["加班"]}) == {1, 2, 3, 4}
    # a question hidden by its condition hides those that depend on it, whatever was sent for them
    assert visible_questions(questions, {1: ["是"], 2: ["加班"]}) == {1, 4}


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["是", "否", "其他"]), max_size=3))
def test_unconditional_questions_are_always_shown(chosen):
    assert visible_questions([q(1), q(2), q(3, on=1, values=["否"])], {1: chosen}) >= {1, 2}
