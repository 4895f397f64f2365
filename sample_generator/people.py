"""Applicant identities (personal data the pipeline must pseudonymise), built as arrays."""

from __future__ import annotations

import numpy as np

FAMILY = np.array(["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
                   "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"])
FAMILY_P = np.array([38, 11, 9.5, 7, 5, 3, 4.5, 4, 2, 2, 2, 1.5, 1.5, 1.3, 1, 0.5])
MIDDLE_MALE = np.array(["Văn", "Hữu", "Minh", "Đức", "Quang", "Thanh", "Công", "Xuân"])
MIDDLE_FEMALE = np.array(["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Minh", "Phương", "Hồng"])
GIVEN_MALE = np.array(["An", "Bình", "Dũng", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam",
                       "Phong", "Phúc", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Đạt"])
GIVEN_FEMALE = np.array(["Châu", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga",
                         "Ngân", "Quỳnh", "Tâm", "Thảo", "Trang", "Tú", "Vân", "Yến", "Ánh"])
MOBILE_PREFIXES = np.array(["032", "033", "034", "035", "036", "037", "038", "039", "056", "058",
                            "070", "076", "077", "078", "079", "081", "082", "083", "084", "085",
                            "086", "088", "089", "090", "091", "093", "094", "096", "097", "098"])


def _pick(rng: np.random.Generator, values: np.ndarray, n: int) -> np.ndarray:
    return values[rng.integers(0, len(values), n)]


def full_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Vietnamese full names and whether each person is female."""
    female = rng.random(n) < 0.5
    family = FAMILY[rng.choice(len(FAMILY), n, p=FAMILY_P / FAMILY_P.sum())]
    middle = np.where(female, _pick(rng, MIDDLE_FEMALE, n), _pick(rng, MIDDLE_MALE, n))
    given = np.where(female, _pick(rng, GIVEN_FEMALE, n), _pick(rng, GIVEN_MALE, n))
    names = np.char.add(np.char.add(np.char.add(np.char.add(family, " "), middle), " "), given)
    return names, female


def citizen_ids(
    rng: np.random.Generator, birth_province: np.ndarray, female: np.ndarray
) -> np.ndarray:
    """12-digit CCCD: 0 + birth province code, gender/century digit, birth year, 6 random."""
    n = len(birth_province)
    year = rng.integers(1950, 2007, n)
    century = np.where(year >= 2000, 2, 0) + female.astype(np.int64)
    tail = rng.integers(0, 1_000_000, n)
    number = (
        np.char.add(np.char.add("0", birth_province.astype(str)),
                    np.char.add(century.astype(str), np.char.zfill((year % 100).astype(str), 2)))
    )
    return np.char.add(number, np.char.zfill(tail.astype(str), 6))


def phone_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.char.add(_pick(rng, MOBILE_PREFIXES, n),
                       np.char.zfill(rng.integers(0, 10_000_000, n).astype(str), 7))
