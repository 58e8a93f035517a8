"""The Singer SDK's built-in tap tests, run against the simulator."""

from __future__ import annotations

import atexit
import datetime as dt

import pytest
from singer_sdk.testing import SuiteConfig, get_tap_test_class

from tap_wolkvox.declarations import REPORTS
from tap_wolkvox.declarations.information import DIMENSIONS, INFORMATION_REPORTS
from tap_wolkvox.declarations.realtime import SNAPSHOTS
from tap_wolkvox.sandbox.generated import generated_sources
from tap_wolkvox.sandbox.operation import SampleOperation
from tap_wolkvox.sandbox.server import WolkvoxSimulator
from tap_wolkvox.tap import TapWolkvox
from tests.helpers import TOKEN, catalog_selecting

# A column that no row holds (unparsed_values, when every value parses) cannot be checked for
# its type, and a row without problems leaves unparsed_values and _extra_fields out: the SDK
# warns about both, which is no failure of the tap. Only these two columns may be missing from
# every record.
BOOKKEEPING = "'(unparsed_values|_extra_fields)'"
pytestmark = [
    pytest.mark.filterwarnings("ignore:No records were available to test:UserWarning"),
    pytest.mark.filterwarnings(
        rf"ignore:Fields in transformed catalog but not in records. \(\{{{BOOKKEEPING}"
        rf"(, {BOOKKEEPING})?\}}\)$:UserWarning"
    ),
]

# get_tap_test_class needs the config when the class is built, so the simulator starts here.
_LIVE_FROM = dt.datetime(2025, 3, 1)
# A Monday morning: agents on shift and queues for the real-time snapshots; the reports stop
# at end_date whatever the clock says.
_SIMULATOR = WolkvoxSimulator(token=TOKEN, now=lambda: "2025-03-03 10:00:00").start()
_SIMULATOR.sources.update(generated_sources(REPORTS, dt.date(2025, 2, 1), dt.date(2025, 2, 28)))
_SIMULATOR.sources["chat_9"] = SampleOperation(seed=3, history_days=20, live_from=_LIVE_FROM)
atexit.register(_SIMULATOR.stop)

TestTapWolkvox = get_tap_test_class(
    TapWolkvox,
    config={
        "token": TOKEN,
        "api_url": _SIMULATOR.url,
        "start_date": "2025-02-10",
        "end_date": "2025-02-28T23:59:59",
        "agent_ids": ["1201"],
    },
    # every stream selected, not only the three selected by default: the 104 reports, the
    # information.php family and the real-time snapshots (the simulator serves both by default)
    catalog=catalog_selecting(
        *(report.stream for report in (*REPORTS, *INFORMATION_REPORTS)),
        *(dimension.stream for dimension in (*DIMENSIONS, *SNAPSHOTS)),
    ),
    suite_config=SuiteConfig(max_records_limit=500),
)
