"""Applicant identities (personal data the pipeline must pseudonymise), built as arrays: names
as indexes into the name lists, identity and phone numbers as fixed-width digit bytes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sample_generator.arrow_text import put_digits

FAMILY = np.array(["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
                   "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"])
FAMILY_P = np.array([38, 11, 9.5, 7, 5, 3, 4.5, 4, 2, 2, 2, 1.5, 1.5, 1.3, 1, 0.5])
MIDDLE_MALE = np.array(["Văn", "Hữu", "Minh", "Đức", "Quang", "Thanh", "Công", "Xuân"])
MIDDLE_FEMALE = np.array(["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Minh", "Phương", "Hồng"])
GIVEN_MALE = np.array(["An", "Bình", "Dũng", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam",
                       "Phong", "Phúc", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Đạt"])
GIVEN_FEMALE = np.array(["Châu", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga",
                         "Ngân", "Quỳnh", "Tâm", "Thảo", "Trang", "Tú", "Vân", "Yến", "Ánh"])
MOBILE_PREFIXES = ("032", "033", "034", "035", "036", "037", "038", "039", "056", "058",
                   "070", "076", "077", "078", "079", "081", "082", "083", "084", "085",
                   "086", "088", "089", "090", "091", "093", "094", "096", "097", "098")
# the lists above as Arrow dictionaries: middle and given names, men's first, then women's
FAMILY_TEXT = pa.array(FAMILY.tolist())
MIDDLE_TEXT = pa.array(MIDDLE_MALE.tolist() + MIDDLE_FEMALE.tolist())
GIVEN_TEXT = pa.array(GIVEN_MALE.tolist() + GIVEN_FEMALE.tolist())


@dataclass
class Names:
    family: np.ndarray
    middle: np.ndarray  # index into MIDDLE_TEXT
    given: np.ndarray  # index into GIVEN_TEXT
    female: np.ndarray

    def take(self, index: np.ndarray) -> Names:
        return Names(self.family[index], self.middle[index], self.given[index],
                     self.female[index])

    def __len__(self) -> int:
        return len(self.family)

    @staticmethod
    def concat(parts: list[Names]) -> Names:
        return Names(*(np.concatenate([getattr(p, f) for p in parts])
                       for f in ("family", "middle", "given", "female")))

    def text(self) -> pa.Array:
        """Vietnamese full names: family, middle and given name."""
        return pc.binary_join_element_wise(
            FAMILY_TEXT.take(pa.array(self.family, pa.int32())),
            MIDDLE_TEXT.take(pa.array(self.middle, pa.int32())),
            GIVEN_TEXT.take(pa.array(self.given, pa.int32())), " ")


def full_names(rng: np.random.Generator, n: int) -> Names:
    """Vietnamese full names and whether each person is female."""
    female = rng.random(n) < 0.5
    family = rng.choice(len(FAMILY), n, p=FAMILY_P / FAMILY_P.sum())
    middle_female = rng.integers(0, len(MIDDLE_FEMALE), n)
    middle_male = rng.integers(0, len(MIDDLE_MALE), n)
    given_female = rng.integers(0, len(GIVEN_FEMALE), n)
    given_male = rng.integers(0, len(GIVEN_MALE), n)
    middle = np.where(female, len(MIDDLE_MALE) + middle_female, middle_male)
    given = np.where(female, len(GIVEN_MALE) + given_female, given_male)
    return Names(family.astype(np.int8), middle.astype(np.int8), given.astype(np.int8), female)


def citizen_ids(
    rng: np.random.Generator, birth_province: np.ndarray, female: np.ndarray
) -> np.ndarray:
    """12-digit CCCD (S12): 0 + birth province code, gender/century digit, birth year, 6
    random digits."""
    n = len(birth_province)
    year = rng.integers(1950, 2007, n)
    century = np.where(year >= 2000, 2, 0) + female.astype(np.int64)
    tail = rng.integers(0, 1_000_000, n)
    matrix = np.empty((n, 12), np.uint8)
    matrix[:, 0] = ord("0")
    matrix[:, 1:3] = np.asarray(birth_province).astype("S2").view(np.uint8).reshape(n, 2)
    put_digits(matrix, 3, century, 1)
    put_digits(matrix, 4, year % 100, 2)
    put_digits(matrix, 6, tail, 6)
    return matrix.view("S12").ravel()


def phone_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """10-digit mobile numbers (S10) with a Vietnamese operator prefix."""
    matrix = np.empty((n, 10), np.uint8)
    prefixes = np.array([np.frombuffer(p.encode(), np.uint8) for p in MOBILE_PREFIXES])
    matrix[:, :3] = prefixes[rng.integers(0, len(MOBILE_PREFIXES), n)]
    put_digits(matrix, 3, rng.integers(0, 10_000_000, n), 7)
    return matrix.view("S10").ravel()
