#!/usr/bin/env bash
# groupsnap exec-writer hook of the multi-host harness: relays the agent's phase to the WorkloadNode listening on
# 127.0.0.1:PORT inside the same network namespace, and maps its one-line answer to an exit code.
#
#   usage: workload-hook.sh PORT        (the phase and transaction or restore come from the agent's environment)
#   exit:  0 ok | 75 try again later (busy, unreachable, no answer in time) | 1 refused | 2 bad input
#
# Nothing from the environment is evaluated: every value is checked against a strict pattern before it is sent.
set -u
log() { echo "${EPOCHREALTIME:-?} hook: $*"; }

port="${1:-}"
phase="${GROUPSNAP_PHASE:-}"
txn="${GROUPSNAP_TXN:-}"
deadline="${GROUPSNAP_LEASE_DEADLINE_MILLIS:-}"
restored="${GROUPSNAP_RESTORED:-}"

[[ "$port" =~ ^[0-9]{1,5}$ ]] || { log "bad port argument" >&2; exit 2; }
case "$phase" in
  pre-restore|post-restore) txn="${GROUPSNAP_RESTORE:-}"; what="GROUPSNAP_RESTORE" ;;
  *) what="GROUPSNAP_TXN" ;;
esac
[[ "$txn" =~ ^[A-Za-z0-9._-]{1,128}$ ]] || { log "bad $what" >&2; exit 2; }

case "$phase" in
  prepare) line="ping" ;;
  freeze)
    [[ "$deadline" =~ ^[0-9]{1,18}$ ]] || { log "bad GROUPSNAP_LEASE_DEADLINE_MILLIS" >&2; exit 2; }
    line="freeze $deadline $txn" ;;
  thaw) line="thaw $txn" ;;
  abort) line="abort $txn" ;;
  pre-restore) line="pre-restore $txn" ;;
  post-restore)
    [[ "$restored" =~ ^(true|false)$ ]] || { log "bad GROUPSNAP_RESTORED" >&2; exit 2; }
    line="post-restore $txn $restored" ;;
  *) log "unknown phase" >&2; exit 2 ;;
esac

if ! exec 3<>"/dev/tcp/127.0.0.1/$port"; then
  log "$phase $txn: workload not reachable on port $port" >&2
  exit 75
fi
printf '%s\n' "$line" >&3
answer=""
if ! IFS= read -r -t 6 answer <&3; then
  log "$phase $txn: no answer within 6s" >&2
  exit 75
fi
exec 3>&-
log "$phase $txn${restored:+ restored=$restored}: $answer"
case "$answer" in
  ok) exit 0 ;;
  busy*) exit 75 ;;
  *) exit 1 ;;
esac
