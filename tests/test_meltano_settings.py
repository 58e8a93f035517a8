"""What Meltano does with the tap's settings: meltano.yml's declarations and the usual mistakes.

The first test compares meltano.yml with the tap's own ``--about``; the others run the tap
through ``meltano invoke`` (this repository's project, a system database of the test's own)
with the mistakes newcomers make, and check that the tap, not Meltano, has the last word.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import typing as t
import zipfile
from pathlib import Path

import pytest
import yaml

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.sandbox.generated import generated_sources
from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tests.helpers import ROOT
from tests.meltano_project import MELTANO, meltano, meltano_env

TOKEN = "settings-test-token"  # noqa: S105 - the simulator's token in this test
STAMP = "%Y-%m-%d %H:%M:%S"
END = dt.datetime(2026, 3, 3, 12, 0)


def tap_about() -> dict[str, t.Any]:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "tap-wolkvox"), "--about", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    )
    about: dict[str, t.Any] = json.loads(done.stdout)
    return about


def meltano_settings() -> dict[str, dict[str, t.Any]]:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    (tap,) = (p for p in project["plugins"]["extractors"] if p["name"] == "tap-wolkvox")
    return {setting["name"]: setting for setting in tap["settings"]}


def test_meltano_yml_declares_every_setting_with_the_taps_default() -> None:
    properties = tap_about()["settings"]["properties"]
    declared = meltano_settings()
    assert set(declared) == set(properties)
    for name, prop in properties.items():
        setting = declared[name]
        # `meltano config list tap-wolkvox` shows what the tap will use.
        assert setting.get("value") == prop.get("default"), name
        assert bool(setting.get("sensitive")) == bool(prop.get("secret")), name
    # Dates are the tap's to read (Meltano's date_iso8601 would reinterpret 01/02/2024).
    assert declared["start_date"]["kind"] == declared["end_date"]["kind"] == "string"


@pytest.fixture(scope="module")
def invoke(
    tmp_path_factory: pytest.TempPathFactory,
) -> t.Callable[..., subprocess.CompletedProcess[str]]:
    tmp = tmp_path_factory.mktemp("meltano-settings")
    base = meltano_env(tmp)
    meltano(["install", "extractor", "tap-wolkvox"], base)

    def run(*args: str, **settings: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(MELTANO), "invoke", *args],
            cwd=ROOT,
            env={**base, **settings},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run


@pytest.fixture
def sandbox() -> t.Iterator[WolkvoxSimulator]:
    with WolkvoxSimulator(token=TOKEN, now=lambda: END.strftime(STAMP)) as sim:
        sim.sources.update(generated_sources(REPORTS, dt.date(2026, 3, 1), END.date()))
        yield sim


def settings_for(sim: WolkvoxSimulator, **more: str) -> dict[str, str]:
    return {
        "TAP_WOLKVOX_API_URL": sim.url,
        "TAP_WOLKVOX_TOKEN": TOKEN,
        "TAP_WOLKVOX_START_DATE": "2026-03-02",
        "TAP_WOLKVOX_END_DATE": END.isoformat(),
        **more,
    }


@pytest.mark.parametrize("typed", ["01/02/2024", "13/02/2024", "yesterday"])
def test_a_date_reaches_the_tap_as_typed_and_is_refused(
    invoke: t.Callable[..., subprocess.CompletedProcess[str]],
    sandbox: WolkvoxSimulator,
    typed: str,
) -> None:
    settings = settings_for(sandbox, TAP_WOLKVOX_START_DATE=typed)
    dumped = invoke("--dump=config", "tap-wolkvox", **settings)
    assert dumped.returncode == 0, dumped.stderr
    assert json.loads(dumped.stdout)["start_date"] == typed
    run = invoke("tap-wolkvox", **settings)
    assert run.returncode != 0
    assert "not an ISO 8601 date or date-time" in run.stderr
    assert "Traceback" not in run.stderr
    assert not sandbox.requests


def test_numeric_ids_from_meltano_are_read_as_ids(
    invoke: t.Callable[..., subprocess.CompletedProcess[str]], sandbox: WolkvoxSimulator
) -> None:
    settings = settings_for(
        sandbox,
        TAP_WOLKVOX_SKILL_IDS="3001,3002",
        TAP_WOLKVOX__SELECT=json.dumps(["skill_daily_service_levels.*"]),
    )
    dumped = invoke("--dump=config", "tap-wolkvox", **settings)
    assert json.loads(dumped.stdout)["skill_ids"] == [3001, 3002]  # Meltano makes them numbers
    run = invoke("tap-wolkvox", **settings)
    assert run.returncode == 0, run.stderr
    assert '"RECORD"' in run.stdout
    # One partition per skill, asked for by its ID as text.
    assert {r.params.get("skill_id") for r in sandbox.requests} == {"3001", "3002"}


def test_a_misspelled_variable_is_named(
    invoke: t.Callable[..., subprocess.CompletedProcess[str]], sandbox: WolkvoxSimulator
) -> None:
    settings = settings_for(sandbox, TAP_WOLKVOX_LOOKBACK_MINUTE="15")
    run = invoke("tap-wolkvox", **settings)
    assert run.returncode == 0, run.stderr
    warning = [line for line in run.stderr.splitlines() if "TAP_WOLKVOX_LOOKBACK_MINUTE " in line]
    assert warning, run.stderr
    assert "TAP_WOLKVOX_LOOKBACK_MINUTES" in warning[0]
    assert "15" not in warning[0].split("TAP_WOLKVOX_LOOKBACK_MINUTE ")[1]


def test_a_selection_that_matches_nothing_fails(
    invoke: t.Callable[..., subprocess.CompletedProcess[str]], sandbox: WolkvoxSimulator
) -> None:
    settings = settings_for(sandbox, TAP_WOLKVOX__SELECT=json.dumps(["interaction_transfer.*"]))
    run = invoke("tap-wolkvox", **settings)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "selected" in run.stderr.lower()
    assert not sandbox.requests


def test_the_extractor_to_copy_carries_the_default_selection() -> None:
    # Without a select: block Meltano selects all 104 streams (217 calls for three days of
    # sandbox history against 3): the entry users copy must carry the tap's defaults.
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    (tap,) = (p for p in project["plugins"]["extractors"] if p["name"] == "tap-wolkvox")
    defaults = sorted(f"{r.stream}.*" for r in REPORTS if r.selected_by_default)
    assert sorted(tap["select"]) == defaults


def test_the_wheel_the_readme_names_builds(tmp_path: Path) -> None:
    # docs/operations.md, Without Meltano: `pip wheel --no-deps . -w dist`, and that file as a pip_url.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            str(ROOT),
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name == "tap_wolkvox-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "tap_wolkvox/sandbox/sample_shapes.json" in names
    assert any(name.endswith("licenses/LICENSE") for name in names)
