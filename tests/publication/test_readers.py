"""The connections an analyst would try, each against a real published file and real processes."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pytest
import sqlalchemy as sa
from python_calamine import CalamineWorkbook

from foundation.reference import provinces_gso34, provinces_gso63
from tests.publication.conftest import Home

HERE = Path(__file__).parent
README = Path(__file__).resolve().parents[2] / "README.md"


def _wait_for(path: Path, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the helper process died: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} never appeared")
        time.sleep(0.05)


def test_a_reader_holding_the_file_open_sees_one_publication_whole(home: Home) -> None:
    home.publish("run-old", keep=1)
    ready, stop = home.root / "ready", home.root / "stop"
    reader = subprocess.Popen(
        [sys.executable, str(HERE / "reader.py"), str(home.published), str(ready), str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(ready, reader)
        started = time.time()
        new = home.publish("run-new", keep=1)  # keep=1: the old file is even unlinked
        swapped = time.time()
        time.sleep(0.5)  # the reader goes on reading its open file after the swap
        stop.touch()
        out, err = reader.communicate(timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0, err
    report = json.loads(out)

    assert report["errors"] == []
    # every read saw one publication whole: a single run id across _publication and all tables
    assert all(len(r["runs"]) == 1 for r in report["reads"])
    during = [r for r in report["reads"] if started <= r["at"] <= swapped]
    after_swap = [r for r in report["reads"] if r["at"] > swapped]
    assert during and after_swap, "the reader must have been reading during and after the swap"
    # the connection opened before the swap keeps its publication until it reconnects
    assert {r["runs"][0] for r in report["reads"]} == {"run-old"}
    assert report["after_reconnect"] == ["run-new"]
    assert [p.name for p in home.publications.glob("*.duckdb")] == [new.history_file.name]


def test_a_tool_connecting_during_a_publication_is_never_refused(home: Home) -> None:
    home.publish("run-old")
    ready, stop = home.root / "ready", home.root / "stop"
    reader = subprocess.Popen(
        [sys.executable, str(HERE / "reader.py"), str(home.published), str(ready), str(stop),
         "reconnect"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(ready, reader)
        home.publish("run-new")
        time.sleep(0.5)
        stop.touch()
        out, err = reader.communicate(timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0, err
    report = json.loads(out)
    assert report["errors"] == []  # no connection refused, no read failed
    seen = [r["runs"] for r in report["reads"]]
    assert all(len(runs) == 1 for runs in seen)
    # old until the swap, new from then on, never back
    first_new = seen.index(["run-new"])
    assert seen[:first_new] == [["run-old"]] * first_new and first_new > 0
    assert seen[first_new:] == [["run-new"]] * (len(seen) - first_new)


@pytest.fixture
def pipeline_writing(home: Home):
    """Another process holding the warehouse open for writing, as a pipeline run does."""
    home.publish("run-aaaa1111", partition_rows=100)
    home.con.close()
    ready, stop = home.root / "writer-ready", home.root / "writer-stop"
    script = (
        "import duckdb, pathlib, sys, time\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute('create or replace table scratch (i integer)')\n"
        "while not pathlib.Path(sys.argv[3]).exists():\n"
        "    con.execute('insert into scratch values (1)')\n"
        "    pathlib.Path(sys.argv[2]).touch()\n"
        "    time.sleep(0.01)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", script, str(home.warehouse), str(ready),
                               str(stop)], stderr=subprocess.PIPE, text=True)
    _wait_for(ready, writer)
    yield home
    stop.touch()
    writer.wait(timeout=30)


def test_sqlalchemy_url_reads_the_published_file_while_the_warehouse_is_written(
        pipeline_writing: Home) -> None:
    home = pipeline_writing
    # the problem this solves: the warehouse itself refuses every other process
    with pytest.raises(duckdb.IOException, match="lock"):
        duckdb.connect(str(home.warehouse), read_only=True)
    # what Superset and Metabase do, through duckdb-engine
    engine = sa.create_engine(f"duckdb:///{home.published}?access_mode=read_only")
    try:
        top = pd.read_sql("select unit_name, rank, units_ranked from service_index_monthly "
                          "where code_system = 'gso34' and period_start = date '2025-03-01' "
                          "order by rank, unit_name limit 10", engine)
    finally:
        engine.dispose()
    assert len(top) == 10
    assert top["units_ranked"].unique().tolist() == [34]
    assert top["rank"].is_monotonic_increasing and top["rank"].iloc[0] == 1


def test_the_duckdb_cli_from_pypi_reads_the_published_file(home: Home) -> None:
    home.publish("run-aaaa1111")
    cli = Path(sys.executable).parent / "duckdb"  # the duckdb-cli package's binary
    out = subprocess.run([str(cli), "-readonly", "-csv", str(home.published), "-c",
                          "select run_id from _publication; "
                          "select count(*) from withheld_units where unit_name = 'Đắk Nông'; "
                          "select comment from duckdb_columns() where table_name = "
                          "'withheld_units' and column_name = 'reason'"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    # DuckDB 1.5 reads the file, its rows and its column comments
    assert out.splitlines() == ["run_id", "run-aaaa1111", "count_star()", "1", "comment",
                                "Why it was withheld."]


def test_python_readers_duckdb_pandas_polars(home: Home) -> None:
    home.publish("run-aaaa1111")
    with duckdb.connect(str(home.published), read_only=True) as con:
        frame = con.sql("select * from withheld_units").df()
        polars_frame = con.sql("select * from withheld_units").pl()
    assert frame["unit_name"].tolist() == ["Đắk Nông"]
    assert isinstance(polars_frame, pl.DataFrame) and polars_frame["unit_name"].to_list() == [
        "Đắk Nông"]


def test_parquet_exports_one_folder_per_table_split_by_year_when_large(home: Home) -> None:
    result = home.publish("run-aaaa1111", partition_rows=100)
    parquet = result.exports_dir / "parquet"
    # 291 and 297 rows reach the 100-row threshold: split by year; 1 row: one file
    assert sorted(p.relative_to(parquet).as_posix() for p in parquet.rglob("*.parquet")) == [
        "_publication/data.parquet", "_publication_inputs/data.parquet",
        "dossier_indicators/year=2025/data_0.parquet",
        "service_index_monthly/year=2025/data_0.parquet", "withheld_units/data.parquet"]
    # what Spark and Power BI's folder connector read
    table = ds.dataset(parquet / "service_index_monthly", partitioning="hive").to_table()
    assert table.num_rows == result.tables["service_index_monthly"]
    assert set(table.column("year").to_pylist()) == {2025}
    with duckdb.connect() as con:
        rows = con.execute("select count(*) from read_parquet(?, hive_partitioning = true)",
                           [str(parquet / "dossier_indicators" / "**" / "*.parquet")]
                           ).fetchone()[0]
    assert rows == result.tables["dossier_indicators"]


def test_one_spreadsheet_per_index_with_vietnamese_headers(home: Home) -> None:
    result = home.publish("run-aaaa1111")
    xlsx = result.exports_dir / "xlsx"
    # only the table with a rank is an index
    assert sorted(p.name for p in xlsx.iterdir()) == ["service_index_monthly.xlsx"]
    book = CalamineWorkbook.from_path(str(xlsx / "service_index_monthly.xlsx"))
    assert book.sheet_names == ["service_index_monthly", "Thông tin"]
    rows = book.get_sheet_by_name("service_index_monthly").to_python()
    assert len(rows) == result.tables["service_index_monthly"] + 1
    header = rows[0]
    # label_vi where the manifest has one, else the column's Vietnamese label
    # (publication/column_labels_vi.csv), never its English description
    assert header[:2] == ["Ngày đầu kỳ", "Loại đơn vị"]
    assert header[4] == "Tỉnh, thành phố" and header[7] == "Thứ hạng"
    # cells keep their types: a date is a date, a rank a number, a name the name
    first = rows[1]
    assert isinstance(first[0], dt.date) and first[0] >= dt.date(2025, 1, 1)
    assert isinstance(first[7], (int, float)) and first[7] >= 1
    assert first[4] in {p.name for p in provinces_gso63() + provinces_gso34()}
    about = book.get_sheet_by_name("Thông tin").to_python()
    assert about[0][:2] == ["Lần công bố (run id)", "run-aaaa1111"]


def _readme_sql() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_example_queries_run(home: Home) -> None:
    """Each ```sql block of the README runs on a publication holding its tables."""
    home.publish("run-aaaa1111")
    queries = _readme_sql()
    ran = 0
    with duckdb.connect(str(home.published), read_only=True) as con:
        tables = {r[0] for r in con.execute("show tables").fetchall()}
        for sql in queries:
            needed = set(re.findall(r"\bfrom\s+(\w+)", sql))
            if needed <= tables:
                assert con.execute(sql).fetchall(), sql
                ran += 1
    assert ran >= 3


def test_the_readme_connection_commands_run(home: Home, tmp_path: Path) -> None:
    """The README's ```bash block on connecting, as written, in a folder laid out like the
    project (`var/` holding the publication, `.venv/` the project's environment)."""
    home.publish("run-aaaa1111")
    project = tmp_path / "project"
    project.mkdir()
    (project / "var").symlink_to(home.root, target_is_directory=True)
    (project / ".venv").symlink_to(Path(sys.executable).parent.parent, target_is_directory=True)
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    connecting = next(b for b in blocks if "duckdb -readonly" in b)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", connecting], cwd=project,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "│ run-aaaa1111 │" in out  # the DuckDB CLI's box
    assert out.count("Đắk Nông") == 2  # the withheld unit through pandas and through polars
    assert "shape: (1, 4)" in out  # polars prints its frame's shape
    assert re.search(r"^0\s+run-aaaa1111\b", out, re.MULTILINE)  # pandas row 0, via SQLAlchemy
