"""BFCL's AST check on hand-made cases, and the shipped public data read back."""

import json

import pytest

from agent_lab.evaluation import bfcl

FUNCS = [
    {
        "name": "calculate_triangle_area",
        "parameters": {
            "type": "dict",
            "properties": {
                "base": {"type": "integer"},
                "height": {"type": "integer"},
                "unit": {"type": "string"},
                "scale": {"type": "float"},
            },
            "required": ["base", "height"],
        },
    }
]
TRUTH = [
    {
        "calculate_triangle_area": {
            "base": [10],
            "height": [5],
            "unit": ["units", ""],
            "scale": [1.0, ""],
        }
    }
]


@pytest.mark.parametrize(
    "name,args,ok,reason",
    [
        ("calculate_triangle_area", {"base": 10, "height": 5}, True, ""),
        (
            "calculate_triangle_area",
            {"base": 10, "height": 5, "unit": "Units "},
            True,
            "",
        ),  # case/space-insensitive
        (
            "calculate_triangle_area",
            {"base": 10, "height": 5, "scale": 1},
            True,
            "",
        ),  # int accepted as float
        ("triangle_area", {"base": 10, "height": 5}, False, "wrong function"),
        ("calculate_triangle_area", {"base": 10}, False, "missing required parameter 'height'"),
        (
            "calculate_triangle_area",
            {"base": 10, "height": 5, "color": "red"},
            False,
            "unexpected parameter 'color'",
        ),
        ("calculate_triangle_area", {"base": "10", "height": 5}, False, "str is not integer"),
        ("calculate_triangle_area", {"base": True, "height": 5}, False, "bool is not integer"),
        ("calculate_triangle_area", {"base": 12, "height": 5}, False, "12 not among [10]"),
        (
            "calculate_triangle_area",
            {"base": 10, "height": 5, "unit": "cm"},
            False,
            "'cm' not among",
        ),
        ("calculate_triangle_area", "base=10", False, "not an object"),
    ],
)
def test_ast_check_hand_cases(name, args, ok, reason):
    passed, why = bfcl.ast_check(name, args, FUNCS, TRUTH)
    assert passed is ok and reason in why


def test_optional_only_when_empty_string_is_accepted():
    truth = [{"calculate_triangle_area": {"base": [10], "height": [5], "unit": ["units"]}}]
    assert bfcl.ast_check("calculate_triangle_area", {"base": 10, "height": 5}, FUNCS, truth) == (
        False,
        "missing parameter 'unit'",
    )


def test_load_cases_reads_and_names_broken_files(tmp_path):
    (tmp_path / "possible_answer").mkdir()
    case = {
        "id": "simple_python_0",
        "question": [[{"role": "user", "content": "area?"}]],
        "function": FUNCS,
    }
    (tmp_path / "BFCL_v4_simple_python.json").write_text(json.dumps(case) + "\n")
    (tmp_path / "possible_answer" / "BFCL_v4_simple_python.json").write_text(
        json.dumps({"id": "simple_python_0", "ground_truth": TRUTH}) + "\n"
    )
    loaded = bfcl.load_cases("simple_python", directory=tmp_path)
    assert loaded[0]["ground_truth"] == TRUTH
    (tmp_path / "BFCL_v4_multiple.json").write_text(json.dumps(case) + "\n{broken\n")
    with pytest.raises(ValueError, match=r"BFCL_v4_multiple.json:2: not JSON"):
        bfcl.load_cases("multiple", directory=tmp_path)
    with pytest.raises(FileNotFoundError, match="BFCL file"):
        bfcl.load_cases("irrelevance", directory=tmp_path)
    with pytest.raises(ValueError, match="unknown BFCL category"):
        bfcl.load_cases("java", directory=tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"empty/BFCL_v4_simple_python.json is missing"):
        bfcl.check_data(tmp_path / "empty")  # the benches' check before they train
    (tmp_path / "BFCL_v4_multiple.json").write_text(json.dumps(case) + "\n")
    (tmp_path / "possible_answer" / "BFCL_v4_multiple.json").write_text(
        json.dumps({"id": "simple_python_0", "ground_truth": TRUTH}) + "\n"
    )
    with pytest.raises(FileNotFoundError, match=r"BFCL_v4_irrelevance.json is missing"):
        bfcl.check_data(tmp_path)


@pytest.mark.skipif(
    not (bfcl.BFCL_DIR / "BFCL_v4_simple_python.json").is_file(), reason="public BFCL data not here"
)
def test_public_ground_truth_passes_its_own_check():
    """Each shipped answer's first non-empty accepted values, as a call, must pass: the check agrees
    with the data."""
    failures = {}
    for category in ("simple_python", "multiple"):
        cases = bfcl.load_cases(category)
        assert len(cases) >= 100
        for case in cases:
            ((name, params),) = case["ground_truth"][0].items()
            args = {
                k: next(a for a in v if a != "")
                for k, v in params.items()
                if any(a != "" for a in v)
            }
            ok, why = bfcl.ast_check(name, args, case["function"], case["ground_truth"])
            if not ok:
                failures[case["id"]] = why
    # the one case where the data contradict themselves: 'venue' is declared a string, True is
    # accepted
    assert failures == {"simple_python_307": "parameter 'venue': bool is not string"}
    assert all("ground_truth" not in c for c in bfcl.load_cases("irrelevance", limit=5))


def test_failures_are_counted_by_kind_from_the_checks_own_reasons():
    from agent_lab.evaluation.generalization import failure_kinds

    calls = [
        ("calculate_triangle_area", {"base": 10, "height": 5}),  # passes
        ("calculate_triangle_area", {"base": "10", "height": 5}),  # str is not integer
        ("calculate_triangle_area", {"base": 11, "height": 5}),  # not among [10]
        ("calculate_triangle_area", {"base": 12, "height": 5}),
        ("calculate_triangle_area", {"base": 10}),  # height missing
        ("calculate_triangle_area", {"base": 10, "height": 5, "color": "red"}),
        ("triangle_area", {"base": 10, "height": 5}),
    ]
    rows = [dict(zip(("ok", "reason"), bfcl.ast_check(n, a, FUNCS, TRUTH))) for n, a in calls]
    rows += [
        {"ok": False, "reason": "parse error: no Action"},
        {"ok": False, "reason": "no call (final)"},
    ]
    assert failure_kinds(rows) == {
        "wrong value": 2,
        "wrong type": 1,
        "missing parameter": 1,
        "unexpected parameter": 1,
        "wrong function": 1,
        "reply did not parse": 1,
        "answered without a call": 1,
    }
