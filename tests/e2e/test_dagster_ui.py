"""The Dagster UI, for real: the webserver on loopback with the project's workspace, every
asset group found through its GraphQL API, and the asset graph rendered in headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
GROUPS = {"ingestion", "dossiers", "surveys", "indices", "quality", "reference", "publication"}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql",
                                     data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("ui_home")
    port = _free_port()
    env = {**os.environ, "CHISO_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    subprocess.run([str(Path(sys.executable).parent / "chiso"), "dagster-home"], env=env,
                   check=True, capture_output=True)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-webserver"), "-w", "workspace.yaml",
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                break
        except OSError:
            if server.poll() is not None:
                pytest.fail(server.stderr.read().decode()[-3000:])
            time.sleep(1)
    else:
        server.kill()
        pytest.fail("the webserver did not answer /server_info within 180 s")
    yield port, home
    server.terminate()
    server.wait(timeout=30)


def test_every_asset_group_is_served(webserver) -> None:
    port, _ = webserver
    answer = _graphql(port, """{ assetNodes { groupName description assetKey { path }
        owners { ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
        partitionDefinition { description } } }""")
    nodes = {"/".join(n["assetKey"]["path"]): n for n in answer["data"]["assetNodes"]}
    groups = {node["groupName"] for node in nodes.values()}
    assert groups == GROUPS, answer
    # every asset described and owned; the dossier marts partitioned by month
    assert [k for k, n in nodes.items() if not n["description"] or not n["owners"]] == []
    assert nodes["quality/quality_results"]["owners"] == [{"team": "data-stewards"}]
    assert "Monthly" in nodes["marts/fct_service_index_monthly"]["partitionDefinition"][
        "description"]
    assert nodes["marts/sipas_index_yearly"]["groupName"] == "surveys"
    assert nodes["marts/par_index_yearly"]["groupName"] == "indices"


def test_runs_wait_in_a_queue_one_at_a_time(webserver) -> None:
    """The instance `chiso dagster-home` writes queues runs: one writes the warehouse at a
    time, whichever job it runs (a UI backfill runs Dagster's implicit asset job)."""
    port, _ = webserver
    answer = _graphql(port, "{ instance { runQueuingSupported "
                            "runQueueConfig { maxConcurrentRuns } } }")
    assert answer["data"]["instance"] == {"runQueuingSupported": True,
                                          "runQueueConfig": {"maxConcurrentRuns": 1}}


def test_the_asset_graph_renders_in_headless_chromium(webserver, tmp_path: Path) -> None:
    port, _ = webserver
    shot = ROOT / "var" / "test-artefacts" / "dagster-asset-graph.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chromium'}", "--window-size=1600,1000",
         "--virtual-time-budget=20000", f"--screenshot={shot}", "--dump-dom",
         f"http://127.0.0.1:{port}/asset-groups"],
        capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one
    # the lineage graph draws a node per group (the nodes carry the group names)
    missing = {g for g in GROUPS if f">{g}<" not in done.stdout}
    assert missing == set(), done.stdout[-2000:]
