"""Wide survey exports (one column per question) to the long answers table.

The questions change by year and the questionnaire is an input file, so answers are rows
(survey_id, respondent_id, question_code, answer), not columns. A blank answer is kept as a
null answer: the question was asked and not answered, which the indices need to know.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def long_answers(survey_id: pa.Array, respondent_id: pa.Array, answers: dict[str, pa.Array],
                 rows: pa.Array) -> pa.Table:
    """One row per respondent and question; `rows` is each respondent's source row."""
    n = len(survey_id)
    codes = list(answers)
    if not codes or not n:
        return pa.table({
            "survey_id": pa.array([], pa.string()), "respondent_id": pa.array([], pa.string()),
            "question_code": pa.array([], pa.string()), "answer": pa.array([], pa.int64()),
            "_source_row": pa.array([], pa.int64())})
    repeat = pa.array(np.tile(np.arange(n), len(codes)))
    return pa.table({
        "survey_id": survey_id.take(repeat),
        "respondent_id": respondent_id.take(repeat),
        "question_code": pa.array(np.repeat(np.array(codes, dtype=object), n), pa.string()),
        "answer": pa.concat_arrays([answers[c].cast(pa.int64()) for c in codes]),
        "_source_row": rows.take(repeat),
    })
