#!/bin/sh
# parity's entrypoint for the PgBouncer image it builds offline from Debian packages.
#
# Written from scratch to honour the part of edoburu/pgbouncer's contract parity relies on: a
# configuration at /etc/pgbouncer/pgbouncer.ini (with its auth file beside it) is used as it is,
# and the command (by default pgbouncer on that file, in the foreground) is exec'ed as given.
# edoburu's image can also write that file from DB_HOST, POOL_MODE, ... variables; parity always
# brings its own, so this stand-in does not, and says so rather than start unconfigured.
set -e
if [ "$1" = "/usr/bin/pgbouncer" ] || [ "$1" = "pgbouncer" ]; then
	for config in "$@"; do :; done  # pgbouncer takes its configuration file last
	case "$config" in
		-*|pgbouncer|/usr/bin/pgbouncer) ;;  # options only (--version, --help)
		*) if [ ! -f "$config" ]; then
			echo "no $config: this stand-in for edoburu/pgbouncer does not write one from" \
				"variables; copy or mount a pgbouncer.ini there" >&2
			exit 1
		fi ;;
	esac
fi
exec "$@"
