#!/bin/sh
# parity's entrypoint for the haproxy image it builds offline from Debian packages.
#
# Written from scratch to honour the official `haproxy` image's contract: the configuration
# is /usr/local/etc/haproxy/haproxy.cfg, arguments that start with "-" are haproxy's own,
# and haproxy runs in the foreground (-db) as a master process with workers (-W), so
# SIGUSR1 (the image's STOPSIGNAL) stops it gracefully and SIGUSR2 reloads it.
set -e
case "$1" in
	-*) set -- haproxy "$@" ;;
esac
if [ "$1" = "haproxy" ]; then
	shift
	set -- haproxy -W -db "$@"
fi
exec "$@"
