"""Data contracts: one per input family (SPEC section 2).

A contract names the export's columns as the source system spells them, the snake_case
name and type each gets in the warehouse's `raw` schema, which are required, which take
values from a closed list, and which hold personal data (pseudonymised at ingestion, never
stored in clear). The layout of a file is recognised by its `signature` columns.

Types:
- text       NFC-normalised string
- code       identifier kept as text ("01", never 1); numbers from JSON/XLSX/Parquet become
             text, padded with zeros to the field's `width` when it has one (province 2)
- int        64-bit integer
- float      double
- timestamp  wall-clock time in Asia/Ho_Chi_Minh (TIMESTAMP); accepts dd/mm/yyyy HH:MM:SS,
             yyyyMMddHHmmss, ISO 8601 with or without offset, Excel serial numbers
- date       calendar date, same dialects
- flag       0/1 integer (TINYINT)

Rules a row must keep (or it goes to raw.quarantine with the reason): required fields present,
values of their type, enumerations within `allowed`, no exact copy of an earlier row and no
second row with the same `key` in one file. A key already in raw (a dossier version sent again
in another file) is counted as loaded and not inserted twice.

Wide surveys (`answer_columns`): every column matching the pattern is one question; answers
must be integers (out-of-scale values load: the warehouse flags them against the
questionnaire) and go to `raw.<answers_table>` as (survey_id, respondent_id, question_code,
answer), one row per respondent and question, because questions change by year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "code", "int", "float", "timestamp", "date", "flag"]
Pii = Literal["name", "national_id", "phone"]

DUCKDB_TYPES: dict[str, str] = {
    "text": "varchar",
    "code": "varchar",
    "int": "bigint",
    "float": "double",
    "timestamp": "timestamp",
    "date": "date",
    "flag": "tinyint",
}


@dataclass(frozen=True)
class Field:
    source: str
    name: str
    kind: Kind = "text"
    required: bool = False
    allowed: frozenset[str] | None = None
    pii: Pii | None = None
    description: str = ""
    # codes of a fixed number of digits: a numeric cell (1) is padded back to its text ("01")
    width: int | None = None
    # a number in percent: "97,21%" (a spreadsheet's percent cell saved as CSV) is 97.21
    percent: bool = False
    # an integer a file may leave out: then each row's value is this timestamp field's time as
    # the number yyyyMMddHHmmss (SPEC 2.1: versions are told apart "by version/time")
    from_time: str | None = None

    @property
    def column(self) -> str:
        """Name in raw: personal data is stored only as its keyed hash."""
        return f"{self.name}_hmac" if self.pii else self.name

    @property
    def duckdb_type(self) -> str:
        return "varchar" if self.pii else DUCKDB_TYPES[self.kind]


@dataclass(frozen=True)
class Contract:
    family: str
    table: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    signature: frozenset[str]
    description: str = ""
    # wide survey files: answer columns matching this regex go to a long answers table
    answer_columns: str | None = None
    answers_table: str | None = None
    # the field naming the reporting unit a row belongs to (an agency): a unit's share of bad
    # rows can fail a run as a file's can (ingestion/thresholds.py)
    unit: str | None = None
    # the time a row states (a version's update, an event's moment): a re-sent row repeats its
    # key and this time, so the check for rows already in raw only reads raw's rows of the new
    # file's time range (zone maps skip the rest); without one, the whole table is checked
    resend_moment: str | None = None

    def __post_init__(self) -> None:
        names = {f.name for f in self.fields}
        if self.resend_moment is not None and not any(
                f.name == self.resend_moment and f.required and f.kind == "timestamp"
                for f in self.fields):
            raise ValueError(f"{self.family}: resend_moment must be a required timestamp field")
        missing = [k for k in self.key if k not in names]
        if missing:
            raise ValueError(f"{self.family}: key fields {missing} are not fields")
        optional_key = [f.source for f in self.fields if f.name in self.key and not f.required]
        if optional_key:  # a row without its key could never be deduplicated
            raise ValueError(f"{self.family}: key fields {optional_key} must be required")
        if not self.signature <= {f.source for f in self.fields}:
            raise ValueError(f"{self.family}: signature columns must be contract fields")
        if self.answers_table and not {"survey_id", "respondent_id"} <= names:
            raise ValueError(f"{self.family}: a wide survey needs survey_id and respondent_id")
        if self.unit is not None and self.unit not in names:
            raise ValueError(f"{self.family}: unit field {self.unit} is not a field")
        for f in self.fields:
            if f.from_time is not None and not (f.kind == "int" and any(
                    t.name == f.from_time and t.required and t.kind == "timestamp"
                    for t in self.fields)):
                raise ValueError(f"{self.family}: {f.source} can only stand on a required time")

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def stands_in(self, field: Field) -> Field | None:
        """The timestamp field whose time stands in for `field` when a file leaves it out."""
        return next((f for f in self.fields if f.name == field.from_time), None)


def _codes(*values: object) -> frozenset[str]:
    return frozenset(str(v) for v in values)


STATUS_CODES = _codes(*range(1, 11))
CHANNELS = _codes(1, 2, 3)
LEVELS = frozenset({"tinh", "huyen", "xa"})
EVENT_TYPES = frozenset({
    "TIEP_NHAN", "CHUYEN_XU_LY", "YEU_CAU_BO_SUNG", "HOAN_THANH_BO_SUNG", "XIN_LOI_HEN_LAI",
    "DA_XU_LY", "TU_CHOI", "RUT_HO_SO", "DUNG_XU_LY", "DA_TRA_KET_QUA",
})
FLAGS = _codes(0, 1)

DOSSIER_RECORDS = Contract(
    family="dossier_records",
    table="dossier_records",
    unit="agency_code",
    description="One row per dossier and version, national portal sync field names (DVCQG).",
    key=("dossier_id", "version"),
    resend_moment="updated_at",
    signature=frozenset({"MaHoSo", "TrangThaiHoSo", "NgayHenTra"}),
    fields=(
        Field("MaHoSo", "dossier_id", "code", required=True),
        # an export without versions tells them apart by their update time (SPEC 2.1)
        Field("PhienBan", "version", "int", required=True, from_time="updated_at"),
        Field("MaTTHC", "procedure_code", "code", required=True),
        Field("MaLinhVuc", "field_code", "code"),
        Field("MaDonVi", "agency_code", "code", required=True),
        Field("MaTinh", "province_code", "code", required=True, width=2),
        Field("CapThucHien", "level", "code", required=True, allowed=LEVELS),
        Field("KenhThucHien", "channel", "code", required=True, allowed=CHANNELS,
              description="1 in person, 2 online, 3 public postal service"),
        Field("NgayNopHoSo", "submitted_at", "timestamp", required=True),
        Field("NgayTiepNhan", "received_at", "timestamp"),
        Field("NgayHenTra", "due_at", "timestamp"),
        Field("NgayKetThucXuLy", "processing_ended_at", "timestamp"),
        Field("NgayTraKetQua", "result_returned_at", "timestamp"),
        Field("NgayCapNhat", "updated_at", "timestamp", required=True),
        Field("TrangThaiHoSo", "status_code", "code", required=True, allowed=STATUS_CODES),
        Field("DuocThanhToanTrucTuyen", "paid_online", "code", allowed=_codes(0, 1, 2),
              description="0 no, 1 via the national portal, 2 via another payment gateway"),
        Field("DanhSachLePhi", "fee_list_json", "text"),
        Field("HoSoCoThanhPhanSoHoa", "has_digitised_component", "flag", allowed=FLAGS),
        Field("DuocSoHoa", "digitised", "flag", allowed=FLAGS),
        Field("DuocLayTuKhoDMQG", "reused_from_national_store", "flag", allowed=FLAGS),
        Field("MaKetQua", "result_code", "code"),
        Field("DuongDanTepTinKetQua", "result_file_url", "text"),
        Field("TaiKhoanDuocXacThucVoiVNeID", "vneid_authenticated", "flag", allowed=FLAGS),
        Field("DanhGiaHaiLong", "rating", "code",
              allowed=frozenset({"rat_hai_long", "hai_long", "khong_hai_long"})),
        Field("CoPhanAnhKienNghi", "has_complaint", "flag", allowed=FLAGS),
        # the digital services the portal scores (issue 9); optional: a system that does not
        # export one leaves its criterion "not measured" in the warehouse, never 0
        Field("ThoiDiemDongBo", "synced_at", "timestamp",
              description="when this version reached the national portal (sync time)"),
        Field("CoBanSaoDienTu", "has_certified_copy", "flag", allowed=FLAGS,
              description="an electronic certified copy (bản sao điện tử) was issued"),
        Field("SuDungDuLieuDanCu", "uses_population_data", "flag", allowed=FLAGS,
              description="the dossier used data of the national population database"),
        Field("DongBoKhoCaNhan", "shared_to_personal_store", "flag", allowed=FLAGS,
              description="its digitised data were shared to the applicant's store on the "
                          "national portal"),
        Field("ChuHoSo", "applicant_name", pii="name"),
        Field("SoDinhDanh", "applicant_national_id", pii="national_id"),
        Field("SoDienThoai", "applicant_phone", pii="phone"),
    ),
)

DOSSIER_EVENTS = Contract(
    family="dossier_events",
    table="dossier_events",
    unit="agency_code",
    description="One row per state change of a dossier.",
    key=("event_id",),
    resend_moment="event_at",
    signature=frozenset({"MaSuKien", "MaHoSo", "LoaiSuKien", "ThoiDiem"}),
    fields=(
        Field("MaSuKien", "event_id", "code", required=True),
        Field("MaHoSo", "dossier_id", "code", required=True),
        Field("LoaiSuKien", "event_type", "code", required=True, allowed=EVENT_TYPES),
        Field("ThoiDiem", "event_at", "timestamp", required=True),
        Field("TrangThai", "status_code", "code", allowed=STATUS_CODES),
        Field("MaDonVi", "agency_code", "code", required=True),
        Field("NguoiXuLy", "handler_code", "code"),
        Field("NgayHenTraMoi", "new_due_at", "timestamp"),
        Field("GhiChu", "note", "text"),
    ),
)

PROCEDURE_CATALOGUE = Contract(
    family="procedure_catalogue",
    table="procedure_catalogue",
    description="National database of administrative procedures (CSDLQG về TTHC).",
    key=("procedure_code",),
    signature=frozenset({"MaTTHC", "ThoiHanGiaiQuyet", "DonViThoiGian"}),
    fields=(
        Field("MaTTHC", "procedure_code", "code", required=True),
        Field("TenTTHC", "procedure_name", "text", required=True),
        Field("MaLinhVuc", "field_code", "code", required=True),
        Field("TenLinhVuc", "field_name", "text"),
        Field("CapThucHien", "levels", "text", required=True,
              description="levels separated by ';' (tinh, huyen, xa)"),
        Field("ThoiHanGiaiQuyet", "legal_time_value", "int", required=True),
        Field("DonViThoiGian", "legal_time_unit", "code", required=True,
              allowed=frozenset({"ngay_lam_viec", "ngay", "gio", "thang"})),
        Field("MucDoDVC", "online_level", "code", required=True,
              allowed=frozenset({"toan_trinh", "mot_phan", "khong"})),
        Field("CoPhiLePhi", "fee_bearing", "flag", required=True, allowed=FLAGS),
        Field("KetQuaLaGiay", "paper_result", "flag", allowed=FLAGS),
        Field("KetNoiCSDLDanCu", "population_db_connected", "flag", allowed=FLAGS,
              description="the procedure is connected to the national population database"),
    ),
)

PROCEDURE_ANNOUNCEMENTS = Contract(
    family="procedure_announcements",
    table="procedure_announcements",
    unit="agency_code",
    description="Decisions announcing procedures (quyết định công bố TTHC) and their publication "
                "on the national portal, per agency, from the CSDLQG về TTHC.",
    key=("decision_number", "procedure_code", "agency_code"),
    signature=frozenset({"SoQuyetDinh", "NgayQuyetDinh", "NgayHieuLucVanBan"}),
    fields=(
        Field("MaDonVi", "agency_code", "code", required=True,
              description="the agency whose procedure it is (it proposed the announcement)"),
        Field("MaTTHC", "procedure_code", "code", required=True),
        Field("SoQuyetDinh", "decision_number", "code", required=True),
        Field("NgayQuyetDinh", "decided_on", "date", required=True),
        Field("NgayHieuLucVanBan", "legal_basis_effective_on", "date",
              description="the day the legal document the procedure rests on takes effect"),
        Field("NgayCongKhai", "made_public_at", "timestamp",
              description="when the procedure was made public on the national portal"),
        Field("SoBoPhanCongKhai", "components_published", "int",
              description="how many of its components were published (Decree 63/2010 art. 8.2 "
                          "requires seven)"),
    ),
)

AGENCIES = Contract(
    family="agencies",
    table="agencies",
    description="Agencies that receive and process dossiers, with their province's code system.",
    key=("agency_code",),
    signature=frozenset({"MaDonVi", "CapDonVi", "HeThongMa"}),
    fields=(
        Field("MaDonVi", "agency_code", "code", required=True),
        Field("TenDonVi", "agency_name", "text", required=True),
        Field("CapDonVi", "level", "code", required=True, allowed=LEVELS),
        Field("MaTinh", "province_code", "code", required=True, width=2),
        Field("HeThongMa", "code_system", "code", required=True,
              allowed=frozenset({"gso63", "gso34"})),
        Field("HieuLucTu", "valid_from", "date", required=True),
        Field("HieuLucDen", "valid_to", "date"),
    ),
)

SELF_REPORTED_RATES = Contract(
    family="self_reported_rates",
    table="self_reported_rates",
    description="Monthly on-time rates as provinces publish them; for reconciliation only.",
    key=("year", "month", "province_code"),
    signature=frozenset({"TyLeDungHan", "TongSoHoSoDaGiaiQuyet"}),
    fields=(
        Field("Nam", "year", "int", required=True),
        Field("Thang", "month", "int", required=True),
        Field("MaTinh", "province_code", "code", required=True, width=2),
        Field("TenTinh", "province_name", "text"),
        Field("TongSoHoSoDaGiaiQuyet", "processed_reported", "int", required=True),
        Field("SoHoSoDungHan", "on_time_reported", "int"),
        Field("TyLeDungHan", "on_time_rate_reported", "float", required=True, percent=True),
    ),
)

# --- surveys (SPEC 2.3) ------------------------------------------------------------------------
# Wide exports: one column per question. The questions change by year (the questionnaire is
# itself an input), so answers do not become columns of raw: they go to a long answers table
# (survey_id, respondent_id, question_code, answer) and the wide table keeps the rest.

SURVEY_MODES = frozenset({"truc_tiep", "dien_thoai", "truc_tuyen"})

SIPAS_QUESTIONNAIRE = Contract(
    family="sipas_questionnaire",
    table="sipas_questionnaire",
    description="SIPAS questionnaire of one year: question -> element, aspect, scale, weight.",
    key=("survey_year", "question_code"),
    signature=frozenset({"question_code", "element_code", "scale_max"}),
    fields=(
        Field("survey_year", "survey_year", "int", required=True),
        Field("question_code", "question_code", "code", required=True),
        Field("element_code", "element_code", "code", required=True,
              description="SIPAS element 1..5"),
        Field("element_name", "element_name", "text"),
        Field("aspect", "aspect", "code", description="perception, satisfaction, expectation"),
        Field("question_text", "question_text", "text"),
        Field("scale_min", "scale_min", "int", required=True),
        Field("scale_max", "scale_max", "int", required=True),
        Field("weight", "weight", "float", description="relative within the element; 0 = not "
              "in the index"),
        Field("index_rule", "index_rule", "code"),
    ),
)

SIPAS_RESPONSES = Contract(
    family="sipas_responses",
    table="sipas_responses",
    description="SIPAS respondents (one row each); answers in raw.sipas_answers.",
    key=("survey_id", "respondent_id"),
    signature=frozenset({"MaKhaoSat", "MaNguoiTraLoi", "HinhThuc", "TrongSo"}),
    answer_columns=r"^C\d{2,3}$",
    answers_table="sipas_answers",
    fields=(
        Field("MaKhaoSat", "survey_id", "code", required=True),
        Field("NamKhaoSat", "survey_year", "int", required=True),
        Field("MaTinh", "province_code", "code", required=True, width=2),
        Field("MaHuyen", "district_code", "code", width=3,
              description="sampled district (until 2025)"),
        Field("MaXa", "commune_code", "code", width=5),
        Field("MaNguoiTraLoi", "respondent_id", "code", required=True),
        Field("MaDieuTraVien", "interviewer_id", "code", description="null for web interviews"),
        Field("HinhThuc", "mode", "code", required=True, allowed=SURVEY_MODES),
        Field("ThoiGianBatDau", "started_at", "timestamp"),
        Field("ThoiGianKetThuc", "ended_at", "timestamp"),
        Field("TrongSo", "weight", "float"),
        Field("GioiTinh", "gender", "text"),
        Field("NamSinh", "birth_year", "int"),
        Field("TrinhDoHocVan", "education", "text"),
        Field("NgheNghiep", "occupation", "text"),
        Field("DanToc", "ethnicity", "text"),
        Field("SoDienThoai", "respondent_phone", pii="phone"),
    ),
)

OFFICIALS_QUESTIONNAIRE = Contract(
    family="officials_questionnaire",
    table="officials_questionnaire",
    description="Officials/leaders survey questionnaire of one year (feeds PAR INDEX fields).",
    key=("survey_year", "question_code"),
    signature=frozenset({"question_code", "par_field_code", "scale_max"}),
    fields=(
        Field("survey_year", "survey_year", "int", required=True),
        Field("question_code", "question_code", "code", required=True),
        Field("par_field_code", "par_field_code", "code", required=True,
              description="PAR INDEX field 1..8"),
        Field("par_field_name", "par_field_name", "text"),
        Field("question_text", "question_text", "text"),
        Field("scale_min", "scale_min", "int", required=True),
        Field("scale_max", "scale_max", "int", required=True),
        Field("weight", "weight", "float"),
    ),
)

OFFICIALS_RESPONSES = Contract(
    family="officials_responses",
    table="officials_responses",
    description="Officials/leaders survey respondents; answers in raw.officials_answers.",
    key=("survey_id", "respondent_id"),
    signature=frozenset({"MaKhaoSat", "MaNguoiTraLoi", "ChucVu"}),
    answer_columns=r"^CB\d{2,3}$",
    answers_table="officials_answers",
    fields=(
        Field("MaKhaoSat", "survey_id", "code", required=True),
        Field("NamKhaoSat", "survey_year", "int", required=True),
        Field("MaTinh", "province_code", "code", required=True, width=2),
        Field("MaNguoiTraLoi", "respondent_id", "code", required=True),
        Field("MaDieuTraVien", "interviewer_id", "code"),
        Field("ChucVu", "position", "text"),
        Field("ThoiGianBatDau", "started_at", "timestamp"),
        Field("ThoiGianKetThuc", "ended_at", "timestamp"),
    ),
)

# PAPI microdata (SPEC 2.4b) as a survey contractor delivers it: an SPSS-style wide file (short
# lower-case variable names, numeric answer codes, one column per question d101, d102, ...) with
# the sampling design (province, district, commune, village, weight) and a codebook (variable,
# label, value labels, the missing-value codes such as 98 "không biết" and 99 "không trả lời").
PAPI_RESPONSES = Contract(
    family="papi_responses",
    table="papi_responses",
    description="PAPI respondents (one row each) with the sampling design; answers in "
                "raw.papi_answers.",
    key=("survey_id", "respondent_id"),
    signature=frozenset({"wave", "respid", "vill", "weight"}),
    answer_columns=r"^d\d{3}[a-z]?$",
    answers_table="papi_answers",
    fields=(
        Field("wave", "survey_id", "code", required=True, description="survey wave, PAPI2024"),
        Field("year", "survey_year", "int", required=True),
        Field("prov", "province_code", "code", required=True, width=2),
        Field("dist", "district_code", "code", width=3,
              description="sampled district (none after the 2025 reorganisation)"),
        Field("comm", "commune_code", "code", required=True, width=5),
        Field("vill", "village_code", "code", required=True,
              description="sampled village (thôn, tổ dân phố): the cluster of ~16 interviews"),
        Field("respid", "respondent_id", "code", required=True),
        Field("intvid", "interviewer_id", "code"),
        Field("start_time", "started_at", "timestamp"),
        Field("end_time", "ended_at", "timestamp"),
        Field("weight", "weight", "float", required=True,
              description="post-stratification weight of the respondent"),
        Field("gender", "gender", "code", description="1 nam, 2 nữ (codebook)"),
        Field("birthyr", "birth_year", "int"),
        Field("ethnic", "ethnicity", "code", description="1 Kinh, 2 other (codebook)"),
        Field("educ", "education", "code", description="education level code (codebook)"),
    ),
)

PAPI_CODEBOOK = Contract(
    family="papi_codebook",
    table="papi_codebook",
    description="PAPI codebook of one wave: variable, label, value labels, valid range, "
                "missing-value codes.",
    key=("survey_year", "variable"),
    signature=frozenset({"variable", "value_labels", "missing_values"}),
    fields=(
        Field("year", "survey_year", "int", required=True),
        Field("variable", "variable", "code", required=True),
        Field("label", "label", "text"),
        Field("value_labels", "value_labels", "text",
              description="code=label pairs separated by ';'"),
        Field("valid_min", "valid_min", "int"),
        Field("valid_max", "valid_max", "int"),
        Field("missing_values", "missing_values", "text",
              description="codes that mean not answered, separated by ';' (98;99)"),
    ),
)

# --- PCI (VCCI), SPEC 2.4b: the published table, ingested as published, never recomputed -------
# VCCI's ranking table names provinces (no code) and prints Vietnamese headers; header matching
# folds case and diacritics, so "Tỉnh, thành phố" is the column TinhThanhPho.

PCI_SCORES = Contract(
    family="pci_scores",
    table="pci_scores",
    description="PCI ranking table of one year as VCCI publishes it: province, weighted total "
                "out of 100, ten sub-indices out of 10, rank and group.",
    key=("year", "province_name"),
    signature=frozenset({"TinhThanhPho", "DiemPCI", "XepHang"}),
    fields=(
        Field("Nam", "year", "int", required=True),
        Field("XepHang", "rank", "int", required=True, description="rank as VCCI publishes it"),
        Field("TinhThanhPho", "province_name", "text", required=True,
              description="province as VCCI names it"),
        Field("MaTinh", "province_code", "code", width=2,
              description="added by whoever typed the table in, when they did"),
        Field("DiemPCI", "total_score", "float", required=True,
              description="weighted PCI score out of 100"),
        Field("GiaNhapThiTruong", "entry_costs", "float"),
        Field("TiepCanDatDai", "land_access", "float"),
        Field("TinhMinhBach", "transparency", "float"),
        Field("ChiPhiThoiGian", "time_costs", "float"),
        Field("ChiPhiKhongChinhThuc", "informal_charges", "float"),
        Field("CanhTranhBinhDang", "policy_bias", "float"),
        Field("TinhNangDongCuaChinhQuyenTinh", "proactivity", "float"),
        Field("DichVuHoTroDoanhNghiep", "business_support", "float"),
        Field("DaoTaoLaoDong", "labour_training", "float"),
        Field("ThietChePhapLyVaAnNinhTratTu", "legal_institutions", "float"),
        Field("NhomXepHang", "group_name", "text", description="VCCI's group (Rất tốt, Tốt, ...)"),
    ),
)

# --- PAR INDEX (SPEC 2.4) ---------------------------------------------------------------------

PAR_SOURCES = frozenset({"tham_dinh", "dieu_tra_xhh"})

PAR_METHODOLOGY = Contract(
    family="par_methodology",
    table="par_methodology",
    description="PAR INDEX methodology: scored criteria with their maximum points, versioned.",
    key=("methodology_version", "criterion_code"),
    signature=frozenset({"methodology_version", "criterion_code", "max_points"}),
    fields=(
        Field("methodology_version", "methodology_version", "code", required=True),
        Field("valid_from_year", "valid_from_year", "int", required=True),
        Field("valid_to_year", "valid_to_year", "int"),
        Field("field_code", "field_code", "code", required=True),
        Field("field_name", "field_name", "text"),
        Field("criterion_code", "criterion_code", "code", required=True),
        Field("parent_code", "parent_code", "code"),
        Field("parent_name", "parent_name", "text"),
        Field("criterion_name", "criterion_name", "text"),
        Field("max_points", "max_points", "float", required=True),
        Field("source", "source", "code", allowed=PAR_SOURCES,
              description="tham_dinh appraised, dieu_tra_xhh from the surveys"),
        Field("note", "note", "text"),
    ),
)

PAR_SCORES = Contract(
    family="par_scores",
    table="par_scores",
    description="PAR INDEX scores per year, province and scored criterion.",
    key=("year", "province_code", "criterion_code"),
    signature=frozenset({"MaTinh", "criterion_code", "appraised_points"}),
    fields=(
        Field("year", "year", "int", required=True),
        Field("MaTinh", "province_code", "code", required=True, width=2),
        Field("criterion_code", "criterion_code", "code", required=True),
        Field("max_points", "max_points", "float"),
        Field("self_assessed_points", "self_assessed_points", "float"),
        Field("appraised_points", "appraised_points", "float"),
        Field("evidence_ref", "evidence_ref", "text"),
    ),
)

PAR_INTERNAL_METHODOLOGY = Contract(
    family="par_internal_methodology",
    table="par_internal_methodology",
    description="A province's own index of its departments/districts: criteria per block.",
    key=("province_code", "block", "valid_from_year", "criterion_code"),
    signature=frozenset({"block", "criterion_code", "max_points", "valid_from_year"}),
    fields=(
        Field("province_code", "province_code", "code", required=True, width=2),
        Field("block", "block", "code", required=True,
              description="so_nganh departments, huyen districts"),
        Field("valid_from_year", "valid_from_year", "int", required=True),
        Field("field_code", "field_code", "code"),
        Field("field_name", "field_name", "text"),
        Field("criterion_code", "criterion_code", "code", required=True),
        Field("criterion_name", "criterion_name", "text"),
        Field("max_points", "max_points", "float", required=True),
        Field("source", "source", "code", allowed=PAR_SOURCES),
        Field("note", "note", "text"),
    ),
)

PAR_INTERNAL_SCORES = Contract(
    family="par_internal_scores",
    table="par_internal_scores",
    description="A province's own index: scores per year, block, unit and criterion.",
    key=("year", "province_code", "block", "unit_code", "criterion_code"),
    signature=frozenset({"MaTinh", "block", "unit_code", "criterion_code", "appraised_points"}),
    fields=(
        Field("year", "year", "int", required=True),
        Field("MaTinh", "province_code", "code", required=True, width=2),
        Field("block", "block", "code", required=True),
        Field("unit_code", "unit_code", "code", required=True),
        Field("unit_name", "unit_name", "text"),
        Field("criterion_code", "criterion_code", "code", required=True),
        Field("max_points", "max_points", "float"),
        Field("self_assessed_points", "self_assessed_points", "float"),
        Field("appraised_points", "appraised_points", "float"),
        Field("evidence_ref", "evidence_ref", "text"),
    ),
)

# --- the national portal's evaluation export (SPEC 2.4b, 3.2) -----------------------------------
# Nested JSON flattened by ingestion/portal_evaluation.py into one row per unit, month and
# metric; the counts behind the portal's score, for reconciliation with chiso's own.

PORTAL_METRIC_CODES = frozenset({
    "PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "PUBLIC_CONTENT_FULL", "DOSSIER_SYNC",
    "ORIGINAL_RESULT_AVAILABLE", "SO_HOA_GIAY_TO_GIAI_QUYET", "ELECTRONIC_CERTIFIED_COPY",
    "REUSED_DIGITIZED_DATA", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
    "CITIZEN_DATA_CONNECTED_DOSSIER", "CITIZEN_DATA_CONNECTED_FORMALITY",
    "PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION",
    "DOSSIER_RECEIVING_SATISFACTION",
    # the tree groups' ratios and group scores, named by chiso (the portal gives them no code)
    "PROGRESS", "ONLINE_PROVISION", "ONLINE_SUBMISSION", "ONLINE_SERVICE",
    "PAYMENT_DOSSIER_ONLINE", "PAYMENT_PROCEDURE_INTEGRATED", "PAYMENT_PROCEDURE_WITH_DOSSIERS",
    "PAYMENT",
})

PORTAL_EVALUATION = Contract(
    family="portal_evaluation",
    table="portal_evaluation",
    description="The national portal's own evaluation of a unit and month, one row per metric.",
    key=("year", "month", "unit_code", "metric_code"),
    signature=frozenset({"unitCode", "code", "maxScore", "numerator", "denominator"}),
    fields=(
        Field("year", "year", "int", required=True),
        Field("month", "month", "int", required=True),
        Field("group", "group_code", "code", required=True,
              allowed=frozenset({"PUBLICITY", "PROGRESS", "ONLINE_SERVICE", "DIGITIZATION",
                                 "SATISFACTION", "PAYMENT"})),
        Field("unitCode", "unit_code", "code", required=True),
        Field("unitName", "unit_name", "text"),
        Field("unitType", "unit_type", "code", required=True,
              allowed=frozenset({"province", "agency"})),
        Field("parentCode", "parent_code", "code"),
        Field("code", "metric_code", "code", required=True, allowed=PORTAL_METRIC_CODES),
        Field("name", "metric_name", "text"),
        Field("numerator", "numerator", "float"),
        Field("denominator", "denominator", "float"),
        Field("ratio", "ratio", "float"),
        Field("score", "score", "float"),
        Field("maxScore", "max_score", "float"),
    ),
)

# --- citizen petitions (phản ánh, kiến nghị; SPEC 2.4b) -----------------------------------------

PETITIONS = Contract(
    family="petitions",
    table="petitions",
    unit="agency_code",
    description="Citizen petitions (phản ánh, kiến nghị) to an agency, one row per petition.",
    key=("petition_id",),
    signature=frozenset({"MaPAKN", "PhanLoai", "HanXuLy"}),
    fields=(
        Field("MaPAKN", "petition_id", "code", required=True),
        Field("MaDonVi", "agency_code", "code", required=True),
        Field("NgayTiepNhan", "received_at", "timestamp", required=True),
        Field("PhanLoai", "classification", "code",
              allowed=frozenset({"quy_dinh_hanh_chinh", "hanh_vi_can_bo", "khac"}),
              description="about regulations and procedures, about staff, other"),
        Field("HanXuLy", "due_at", "timestamp"),
        Field("NgayXuLy", "handled_at", "timestamp",
              description="when it was answered (handled or refused)"),
        Field("KetQua", "outcome", "code",
              allowed=frozenset({"da_xu_ly", "tu_choi", "yeu_cau_bo_sung", "dang_xu_ly"})),
        Field("NgayCongKhai", "published_at", "timestamp"),
        Field("DanhGia", "rating", "code",
              allowed=frozenset({"rat_hai_long", "hai_long", "khong_hai_long"})),
    ),
)

CONTRACTS: tuple[Contract, ...] = (
    DOSSIER_RECORDS,
    DOSSIER_EVENTS,
    PROCEDURE_CATALOGUE,
    PROCEDURE_ANNOUNCEMENTS,
    AGENCIES,
    SELF_REPORTED_RATES,
    SIPAS_QUESTIONNAIRE,
    SIPAS_RESPONSES,
    OFFICIALS_QUESTIONNAIRE,
    OFFICIALS_RESPONSES,
    PAPI_RESPONSES,
    PAPI_CODEBOOK,
    PCI_SCORES,
    PAR_METHODOLOGY,
    PAR_SCORES,
    PAR_INTERNAL_METHODOLOGY,
    PAR_INTERNAL_SCORES,
    PORTAL_EVALUATION,
    PETITIONS,
)


def contract_for(family: str) -> Contract:
    return next(c for c in CONTRACTS if c.family == family)
