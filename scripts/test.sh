#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine (as root) or a
# developer's: installs what the suite needs if missing (PostgreSQL,
# Chromium, staticcheck), runs gofmt, go vet and staticcheck, starts a
# throwaway PostgreSQL on loopback (unless ENLACE_TEST_POSTGRES_URL points
# at one), runs `go test -race ./...`, and stops PostgreSQL afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '== %s\n' "$*" >&2; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

install_missing() {
	local need=()
	command -v chromium >/dev/null 2>&1 || need+=(chromium)
	[ -n "$(pg_bin)" ] || need+=(postgresql)
	[ ${#need[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		log "missing ${need[*]} and cannot install them (not root on Debian): tests that need them will skip"
		return 0
	fi
	log "installing ${need[*]} from Debian"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

install_missing

export PATH="$PATH:$(go env GOPATH)/bin"
if ! command -v staticcheck >/dev/null 2>&1; then
	log "installing staticcheck"
	go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi

log "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	printf 'gofmt would change:\n%s\n' "$unformatted" >&2
	exit 1
fi
log "go vet"
go vet ./...
log "staticcheck"
staticcheck ./...

pgdir=""
stop_pg() {
	if [ -n "$pgdir" ]; then
		log "stopping the throwaway PostgreSQL"
		runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true
		rm -rf "$pgdir"
	fi
}
trap stop_pg EXIT

if [ -z "${ENLACE_TEST_POSTGRES_URL:-}" ] && [ -n "$(pg_bin)" ] && [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
	pgdir=$(mktemp -d /tmp/enlace-pg.XXXXXX)
	chown postgres "$pgdir"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
	log "starting a throwaway PostgreSQL on 127.0.0.1:$port"
	runuser -u postgres -- "$(pg_bin)/initdb" -D "$pgdir/data" -U postgres -A trust --no-sync >/dev/null
	runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
		-o "-h 127.0.0.1 -p $port -k $pgdir -c fsync=off -c max_connections=200" start >/dev/null
	export ENLACE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
fi

[ -x /usr/bin/chromium ] && export ENLACE_CHROMIUM=/usr/bin/chromium

log "go test -race ./..."
set +e
go test -race -count=1 -timeout 20m ./... 2>&1 | tee /tmp/enlace-test.log
status=${PIPESTATUS[0]}
set -e
passed=$(grep -c '^ok' /tmp/enlace-test.log || true)
failed=$(grep -c '^FAIL' /tmp/enlace-test.log || true)
echo "packages: $passed passed, $failed failed"

# Every parser of what a partner sends is fuzzed briefly on each run
# (the seed corpora already ran above as plain tests). ENLACE_FUZZTIME
# lengthens it.
fuzztime=${ENLACE_FUZZTIME:-4s}
fuzzed=0
for target in \
	./stix:FuzzParse ./stix:FuzzEqual \
	./taxii:FuzzParseQuery ./taxii:FuzzParseEnvelope \
	./ledger:FuzzParseTilePath ./ledger:FuzzSplitBundle ./ledger:FuzzSignatureLine \
	./screen/ofac:FuzzOFACCSV ./screen/un:FuzzUNXML ./screen:FuzzNormalize; do
	pkg=${target%%:*} fn=${target##*:}
	if ! go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/enlace-fuzz.log 2>&1; then
		cat /tmp/enlace-fuzz.log
		echo "fuzz $pkg $fn: FAILED"
		status=1
	else
		fuzzed=$((fuzzed + 1))
	fi
done
echo "fuzz targets: $fuzzed passed ($fuzztime each)"
exit "$status"
