#!/bin/sh
# The queue's smoke test, one `pgq` process per step as an operator or a release job runs them:
# enqueue a job, see it in the backlog, check the schema. pgq reads PGHOST, PGPORT, PGUSER,
# PGPASSWORD and PGDATABASE (database.env in the profiles).
set -eu
pgq verify --expect present
pgq queue smoke.ping '{"from": "smoke"}'
backlog=$(pgq backlog)
echo "$backlog"
echo "$backlog" | grep -q 'smoke.ping'
