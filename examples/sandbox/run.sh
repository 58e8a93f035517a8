#!/usr/bin/env bash
# The tap against the local Wolkvox sandbox, loaded into DuckDB by Meltano. Run it in this
# repository after `make venv`, with the venvs on PATH as the README says
# (export PATH="$PWD/.venv/bin:$PWD/.venv-meltano/bin:$PATH"); `make demo` does all this and
# prints a report. wolkvox-sandbox is installed with the tap (with pip: in the tap's venv).
set -euo pipefail
port=${PORT:-8765}
mkdir -p output
wolkvox-sandbox --port "$port" --history-days 60 \
    > output/sandbox.log 2>&1 &
sandbox=$!
trap 'kill $sandbox' EXIT
until grep -q "Wolkvox sandbox on" output/sandbox.log; do sleep 0.2; done

# Start inside the sandbox's 60 days of history: a week back costs one call per stream.
week_ago=$(python3 -c 'import datetime as d; print(d.date.today() - d.timedelta(days=7))')
TAP_WOLKVOX_API_URL=http://127.0.0.1:$port TAP_WOLKVOX_TOKEN=sandbox-token \
    TAP_WOLKVOX_START_DATE=$week_ago meltano run tap-wolkvox target-duckdb
