#!/usr/bin/env bash
# parity's entrypoint for the postgres images it builds offline from Debian packages.
#
# Written from scratch to honour the documented contract of the official `postgres`
# image, so a profile that works against an offline stand-in works against Docker Hub's
# image too:
#   POSTGRES_PASSWORD          superuser password; required unless POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_USER              superuser name (default: postgres)
#   POSTGRES_DB                database created at first start (default: $POSTGRES_USER)
#   POSTGRES_INITDB_ARGS       extra initdb arguments (shell-quoted words), e.g. --locale=C
#   LANG                       the cluster's locale when those name none (image default en_US.utf8)
#   POSTGRES_HOST_AUTH_METHOD  pg_hba.conf method for TCP clients (default: scram-sha-256)
#   PGDATA                     cluster directory (default: /var/lib/postgresql/data; from
#                              18 on /var/lib/postgresql/MAJOR/docker under a VOLUME at
#                              /var/lib/postgresql, and a cluster left at an older major's
#                              place is refused rather than silently ignored)
#   <VAR>_FILE                 read POSTGRES_PASSWORD/USER/DB/INITDB_ARGS from a file (secrets)
#   /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz run once, in sorted order, on first start.
set -Eeo pipefail

log() { printf '%s [parity-entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*"; }
die() {
	log "error: $*" >&2
	exit 1
}

# `docker run postgres:15 -c shared_buffers=1GB` means "postgres with these flags".
if [ "${1:0:1}" = '-' ]; then
	set -- postgres "$@"
fi

# Anything else (bash, psql, pg_dump, ...) is the caller's business: run it untouched.
if [ "$1" != 'postgres' ]; then
	exec "$@"
fi

# Secrets are usually mounted as files; accept VAR_FILE as the official image does.
file_env() {
	local var="$1" file_var="${1}_FILE"
	if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
		die "both $var and $file_var are set; set only one"
	fi
	if [ -n "${!file_var:-}" ]; then
		[ -r "${!file_var}" ] || die "$file_var=${!file_var} is not a readable file"
		printf -v "$var" '%s' "$(<"${!file_var}")"
		unset "$file_var"
	fi
}
for v in POSTGRES_PASSWORD POSTGRES_USER POSTGRES_DB POSTGRES_INITDB_ARGS; do
	file_env "$v"
done

# From 18 on the official image keeps each major's cluster apart, as pg_ctlcluster does.
if [ "${PG_MAJOR:-0}" -ge 18 ]; then
	default_pgdata="/var/lib/postgresql/$PG_MAJOR/docker"
else
	default_pgdata=/var/lib/postgresql/data
fi
export PGDATA="${PGDATA:-$default_pgdata}"
export POSTGRES_USER="${POSTGRES_USER:-postgres}"
export POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
export POSTGRES_HOST_AUTH_METHOD="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

# Root only prepares directories, then drops to the postgres user: postgres refuses to
# run as root. setpriv (util-linux, in every Debian base) stands in for gosu.
if [ "$(id -u)" = '0' ]; then
	mkdir -p "$PGDATA"
	# Only touch what is not already ours, so a huge existing cluster starts fast.
	find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
	chmod 0700 "$PGDATA"
	# The default unix_socket_directories; sticky and world-writable so any uid can use it.
	mkdir -p /var/run/postgresql
	chown postgres:postgres /var/run/postgresql
	chmod 3777 /var/run/postgresql
	HOME="$(getent passwd postgres | cut -d: -f6)"
	export HOME
	exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

# With the per-major default, a cluster elsewhere under /var/lib/postgresql (or a volume still
# mounted at the pre-18 data path) means an upgrade without pg_upgrade or a mount in the old
# place: starting an empty cluster beside it would look like lost data, so stop and say why.
# An explicit PGDATA (any other path) is the caller's choice and is not second-guessed.
refuse_clusters_elsewhere() {
	[ "$PGDATA" = "/var/lib/postgresql/${PG_MAJOR:-}/docker" ] || return 0
	local found=() d
	for d in /var/lib/postgresql /var/lib/postgresql/data /var/lib/postgresql/*/docker; do
		if [ -s "$d/PG_VERSION" ]; then
			found+=("$d (PostgreSQL $(<"$d/PG_VERSION"))")
		fi
	done
	if [ "${#found[@]}" -eq 0 ] && cut -d' ' -f5 /proc/self/mountinfo | grep -qx /var/lib/postgresql/data; then
		found+=("/var/lib/postgresql/data (a mount or volume, unused from 18 on)")
	fi
	[ "${#found[@]}" -eq 0 ] && return 0
	die "PGDATA is $PGDATA (one directory per major version from 18 on), which is empty,
  but there is PostgreSQL data, or a mount, at: ${found[*]}
  Mount the volume at /var/lib/postgresql instead (PostgreSQL $PG_MAJOR then uses its own
  $PG_MAJOR/docker directory; move an older major's data with pg_upgrade), or set
  PGDATA=/var/lib/postgresql/data to keep the pre-18 location."
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != 'trust' ]; then
		die "the database in $PGDATA is not initialised yet and POSTGRES_PASSWORD is empty.
  Set POSTGRES_PASSWORD to a non-empty superuser password (e.g. -e POSTGRES_PASSWORD=secret),
  or, only for throwaway local use, -e POSTGRES_HOST_AUTH_METHOD=trust to allow every
  connection without a password."
	fi
	if [ "$POSTGRES_HOST_AUTH_METHOD" = 'trust' ]; then
		log "warning: POSTGRES_HOST_AUTH_METHOD=trust: every TCP client may connect as any role without a password"
	fi
	refuse_clusters_elsewhere

	mkdir -p "$PGDATA" || die "cannot create $PGDATA as uid $(id -u); mount a directory it may write to"
	chmod 0700 "$PGDATA" 2>/dev/null || :

	# No locale or encoding here, as in the official image: initdb takes both from the
	# environment (the image's LANG, en_US.utf8: a UTF8 cluster) unless POSTGRES_INITDB_ARGS
	# names them.
	initdb_args=(
		--username="$POSTGRES_USER"
		# The unix socket stays password-free (init scripts use it); TCP is set below.
		--auth-local=trust
	)
	if [ "$POSTGRES_HOST_AUTH_METHOD" = 'scram-sha-256' ]; then
		# Before PostgreSQL 14 password_encryption defaulted to md5, so a scram pg_hba line
		# could never match the stored password; this makes initdb store it as SCRAM.
		initdb_args+=(--auth-host=scram-sha-256)
	fi
	# Words the user quoted stay together: POSTGRES_INITDB_ARGS="--locale-provider=icu --icu-locale='und'".
	eval "user_initdb_args=( ${POSTGRES_INITDB_ARGS:-} )"
	if [ -n "${POSTGRES_PASSWORD:-}" ]; then
		# A pipe keeps the password out of every process's argv.
		initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") "${user_initdb_args[@]}"
	else
		initdb "${initdb_args[@]}" "${user_initdb_args[@]}"
	fi

	printf '\n# added by parity-entrypoint: every TCP client must authenticate\nhost all all all %s\n' \
		"$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
	printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"

	# Temporary server for the one-time setup. It listens on the unix socket only, so a
	# client that reaches the TCP port knows the final server is up, not this one. The
	# user's own flags are passed through (e.g. -c hba_file=...), quoted for pg_ctl's sh.
	sh_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
	temp_opts=''
	for arg in "${@:2}"; do
		temp_opts+=" $(sh_quote "$arg")"
	done
	temp_opts+=" -c listen_addresses=''"
	pg_ctl -D "$PGDATA" -o "$temp_opts" -w -t "${PGSTARTTIMEOUT:-60}" start

	# postmaster.pid line 4 is the port, line 5 the first socket directory; reading them
	# copes with -p or unix_socket_directories given by the user.
	PGPORT="$(sed -n 4p "$PGDATA/postmaster.pid")"
	PGHOST="$(sed -n 5p "$PGDATA/postmaster.pid")"
	export PGPORT PGHOST
	psql_cmd=(psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER")

	if [ "$POSTGRES_DB" != 'postgres' ]; then
		# :"db" lets psql quote the identifier, so any name works.
		"${psql_cmd[@]}" --dbname postgres --set db="$POSTGRES_DB" <<-'SQL'
			CREATE DATABASE :"db";
		SQL
	fi

	shopt -s nullglob
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
		*.sh)
			if [ -x "$f" ]; then
				log "running $f"
				"$f"
			else
				log "sourcing $f"
				# shellcheck disable=SC1090
				. "$f"
			fi
			;;
		*.sql)
			log "running $f"
			"${psql_cmd[@]}" --dbname "$POSTGRES_DB" -f "$f"
			;;
		*.sql.gz)
			log "running $f"
			gunzip -c "$f" | "${psql_cmd[@]}" --dbname "$POSTGRES_DB"
			;;
		*) log "ignoring $f (not .sh, .sql or .sql.gz)" ;;
		esac
	done
	shopt -u nullglob

	pg_ctl -D "$PGDATA" -m fast -w stop
	unset PGHOST PGPORT
	log "init complete; starting postgres"
fi

exec "$@"
