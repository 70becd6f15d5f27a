#!/usr/bin/env bash
# Install test of the Debian package (issue 13): installs dist/target/groupsnap_*_all.deb on this machine, checks the
# layout, secures it as docs/operations.md says (certificates from `groupsnap certs init`, ZooKeeper credential
# files), runs a ZooKeeper, a coordinator and an agent from the installed files the way their systemd units would
# (systemd itself is not running here), takes a group snapshot over mutual TLS as an admin client, checks that what
# lacks credentials is refused (the CLI, an agent configuration without tls, an anonymous ZooKeeper client), then
# removes and purges the package and checks what is left. Also unpacks the tarball and runs its launcher.
#
# Needs root and dpkg; build first: ./mvnw -B -q package -DskipTests. Without root it skips, unless GROUPSNAP_CI is
# set (as .ci/run does): then every missing precondition is a failure. Refuses to run where a groupsnap package is
# installed already (it would replace the operator's). Everything it starts is stopped, and the package purged, on
# the way out, failed or not.
set -euo pipefail
cd "$(dirname "$0")/../.."

TEST_NAME=install-test
# shellcheck source=deploy/test/lib.sh
. deploy/test/lib.sh

[ "$(id -u)" -eq 0 ] || unmet "needs root (it installs a package)"
command -v dpkg >/dev/null 2>&1 || unmet "needs dpkg"
shopt -s nullglob
debs=(dist/target/groupsnap_*_all.deb)
tarballs=(dist/target/groupsnap-*.tar.gz)
[ ${#debs[@]} -eq 1 ] || fail "expected one dist/target/groupsnap_*_all.deb, found ${#debs[@]}; run: ./mvnw -B -q package -DskipTests"
[ ${#tarballs[@]} -eq 1 ] || fail "expected one dist/target/groupsnap-*.tar.gz, found ${#tarballs[@]}"
deb=${debs[0]}
if dpkg-query -W -f='${Status}' groupsnap 2>/dev/null | grep -qv 'not-installed'; then
  fail "a groupsnap package is installed here already; not touching it (dpkg -P groupsnap first)"
fi

work=$(mktemp -d /tmp/groupsnap-install-test.XXXXXX)
chmod 755 "$work"
pids=()
installed=no
cleanup() {
  local rc=$? pid
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  if [ "$rc" -ne 0 ]; then
    for log in "$work"/*.log; do printf -- '--- %s (last lines)\n' "$log" >&2; tail -n 20 "$log" >&2; done
  fi
  if [ "$installed" = yes ]; then dpkg -P groupsnap >/dev/null 2>&1; fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    [ -z "$(ss -Htln "sport = :$p")" ] && { echo "$p"; return; }
  done
}
wait_for() {   # wait_for SECONDS DESCRIPTION COMMAND...: polls until COMMAND succeeds
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "$what: not within ${deadline}s"
    sleep 0.5
  done
}
forget() {   # forget PID: a process waited for, no longer the cleanup's to stop
  local p keep=()
  for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  pids=("${keep[@]}")
}
expect_file() { [ -e "$1" ] || fail "missing after install: $1"; }
expect_gone() { [ ! -e "$1" ] && [ ! -L "$1" ] || fail "still there: $1"; }

# --- the environment and command line a unit gives its daemon, read from the installed unit -------------------------
declare -A unit_env
load_unit_env() {   # Environment= lines, then EnvironmentFile= (which systemd applies over them)
  local unit=$1 line value file
  unit_env=()
  while IFS= read -r line; do
    [[ $line == Environment=* ]] || continue
    value=${line#Environment=}; value=${value#\"}; value=${value%\"}
    unit_env[${value%%=*}]=${value#*=}
  done <"$unit"
  while IFS= read -r line; do
    [[ $line == EnvironmentFile=* ]] || continue
    file=${line#EnvironmentFile=}
    [[ $file == -* ]] && { file=${file#-}; [ -f "$file" ] || continue; }
    while IFS= read -r value; do
      [[ $value == *=* && $value != \#* ]] && unit_env[${value%%=*}]=${value#*=}
    done <"$file"
  done <"$unit"
}
unit_argv=()
load_unit_command() {   # load_unit_command UNIT KEY: the command of KEY, variables expanded as systemd does
  local line word parts
  line=$(grep -m1 "^$2=" "$1") || fail "$1: no $2"
  line=${line#"$2"=}
  [[ $line != *[\"\'\\]* ]] || fail "$1: $2 uses quoting this test does not parse"
  unit_argv=()
  set -f
  for word in $line; do
    if [[ $word =~ ^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$ ]]; then
      unit_argv+=("${unit_env[${BASH_REMATCH[1]}]-}")
    elif [[ $word =~ ^\$([A-Za-z_][A-Za-z0-9_]*)$ ]]; then
      read -ra parts <<<"${unit_env[${BASH_REMATCH[1]}]-}"
      unit_argv+=("${parts[@]}")
    else
      unit_argv+=("$word")
    fi
  done
  set +f
}
unit_user() { sed -n 's/^User=//p' "$1" | head -n1; }
run_as_unit() {   # run_as_unit UNIT KEY LOG: starts KEY of UNIT in the background with the unit's user and environment
  local unit=$1 key=$2 log=$3 user name envs=()
  load_unit_env "$unit"
  load_unit_command "$unit" "$key"
  user=$(unit_user "$unit")
  for name in "${!unit_env[@]}"; do envs+=("$name=${unit_env[$name]}"); done
  local home
  home=$(getent passwd "$user" | cut -d: -f6)
  setpriv --reuid="$user" --regid="$user" --init-groups -- \
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" USER="$user" \
    LOGNAME="$user" "${envs[@]}" "${unit_argv[@]}" >"$log" 2>&1 &
  pids+=($!)
  last_pid=$!
}

# The CLI's own runs here are short: a JVM that starts faster (the daemons get their units' options).
export GROUPSNAP_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto"

# --- install ------------------------------------------------------------------------------------------------------
t0=$SECONDS
say "installing $deb ($(du -h "$deb" | cut -f1))"
DEBIAN_FRONTEND=noninteractive dpkg --force-unsafe-io -i "$deb" >"$work/dpkg-install.log" 2>&1 || fail "dpkg -i: $(tail -n 3 "$work/dpkg-install.log")"
installed=yes
units=/lib/systemd/system
for f in /usr/bin/groupsnap /usr/share/groupsnap/bin/groupsnap /etc/groupsnap/agent.yaml \
    /etc/groupsnap/coordinator.env $units/groupsnap-agent.service $units/groupsnap-coordinator.service \
    /usr/share/bash-completion/completions/groupsnap /usr/share/man/man1/groupsnap.1.gz \
    /usr/share/doc/groupsnap/docs/operations.md /var/lib/groupsnap; do
  expect_file "$f"
done
jars=(/usr/share/groupsnap/lib/*.jar)
[ ${#jars[@]} -gt 10 ] || fail "only ${#jars[@]} jar(s) in /usr/share/groupsnap/lib"
conffiles=$(dpkg-query -W -f='${Conffiles}' groupsnap)
for f in /etc/groupsnap/agent.yaml /etc/groupsnap/coordinator.env; do
  grep -q " $f " <<<"$conffiles" || fail "$f is not a conffile: $conffiles"
done
getent passwd groupsnap | grep -q ':/usr/sbin/nologin$' || fail "no system user groupsnap with /usr/sbin/nologin"
tls=/etc/groupsnap/tls
[ "$(stat -c '%a %U:%G' "$tls")" = "750 root:groupsnap" ] || fail "$tls: $(stat -c '%a %U:%G' "$tls"), not 750 root:groupsnap"
enabled=(/etc/systemd/system/*.wants/groupsnap-*)
[ ${#enabled[@]} -eq 0 ] || fail "installing enabled units: ${enabled[*]}"
say "installed: ${#jars[@]} jars, conffiles $(awk '{print $1}' <<<"$conffiles" | xargs), user groupsnap, $tls 750 root:groupsnap, no unit enabled"

# --- configure as an operator would, and start the daemons from the installed layout -------------------------------
# (the checks of the files run while the JVMs start)
zk_port=$(free_port); coord_port=$(free_port); agent_port=$(free_port)
mkdir -p "$work/data" "$work/snapshots" "$work/zk"
printf 'ledger line %s\n' 1 2 3 >"$work/data/ledger"
# ZooKeeper: a standalone server from the installed jars (production uses an ensemble; see docs/operations.md)
java -Dzookeeper.admin.enableServer=false -cp '/usr/share/groupsnap/lib/*' \
  org.apache.zookeeper.server.ZooKeeperServerMain "$zk_port" "$work/zk" >"$work/zookeeper.log" 2>&1 &
pids+=($!)

# Certificates and credentials as docs/operations.md ("Certificates and credentials") makes them: the CA and every
# host's certificate on an admin host (here $work/ca, which keeps the CA key), then each host's files copied under
# the names the shipped configurations use, each key owned by the user of the daemon that reads it.
ca=$work/ca
install -d -m 700 "$ca"
groupsnap certs init --dir "$ca" --coordinator coordinator --agent install-test --client admin=admin >"$work/certs.log" \
  || fail "groupsnap certs init: $(cat "$work/certs.log")"
install -m 644 "$ca/ca.pem" "$tls/ca.pem"
install -m 644 "$ca/install-test.pem" "$tls/agent.pem"
install -m 600 "$ca/install-test.key" "$tls/agent.key"
install -m 644 "$ca/coordinator.pem" "$tls/coordinator.pem"
install -m 600 -o groupsnap -g groupsnap "$ca/coordinator.key" "$tls/coordinator.key"
(
  umask 077
  printf 'coordinator:%s\nagents:%s\n' "$(head -c 24 /dev/urandom | base64)" "$(head -c 24 /dev/urandom | base64)" \
    >/etc/groupsnap/zookeeper-coordinator.auth
  grep '^agents:' /etc/groupsnap/zookeeper-coordinator.auth >/etc/groupsnap/zookeeper-agents.auth
)
chown groupsnap:groupsnap /etc/groupsnap/zookeeper-coordinator.auth
say "certs init: $(grep -c '^wrote' "$work/certs.log") certificates with keys; installed: $(cd "$tls" && stat -c '%n %a %U' -- * | paste -sd, | sed 's/,/, /g')"
say "ZooKeeper credentials: $(cd /etc/groupsnap && stat -c '%n %a %U' -- zookeeper-*.auth | paste -sd, | sed 's/,/, /g')"

agent_yaml() {   # agent_yaml LINE...: the test's agent configuration, the LINEs at its end
  cat <<EOF
agentId: install-test
cluster: default
listen: 127.0.0.1:$agent_port
zookeeper: 127.0.0.1:$zk_port
snapshotRoot: $work/snapshots
volumes:
  - name: data
    kind: dir
    path: $work/data
writers:
  - name: app
    kind: exec
    freeze: [/bin/sh, -c, 'echo "\$GROUPSNAP_PHASE \$GROUPSNAP_TXN" >> $work/hook.out']
    thaw: [/bin/sh, -c, 'echo "\$GROUPSNAP_PHASE \$GROUPSNAP_TXN" >> $work/hook.out']
    timeout: 5s
zookeeperAuth: /etc/groupsnap/zookeeper-agents.auth
EOF
  printf '%s\n' "$@"
}
# Secure by default: without tls: and without insecure: true the check refuses, in one line naming tls (checked in
# the background while the shipped file is).
agent_yaml >"$work/agent-without-tls.yaml"
groupsnap agent --config "$work/agent-without-tls.yaml" --check >"$work/check-without-tls.log" 2>&1 &
without_tls_pid=$!
pids+=($!)

# The shipped agent.yaml is an example naming /srv/pgdata: until an operator edits it, the unit's ExecStartPre check
# refuses with one line naming the file and the field.
if [ ! -e /srv/pgdata ]; then
  rc=0; check=$(groupsnap agent --config /etc/groupsnap/agent.yaml --check 2>&1) || rc=$?
  [ "$rc" -eq 2 ] && [ "$(wc -l <<<"$check")" -eq 1 ] && [[ $check == *"/etc/groupsnap/agent.yaml: volumes[0].path"* ]] \
    || fail "unedited agent.yaml: expected exit 2 naming volumes[0].path, got $rc: $check"
  say "unedited agent.yaml refused as expected: $check"
fi

rc=0; wait "$without_tls_pid" || rc=$?
forget "$without_tls_pid"
check=$(cat "$work/check-without-tls.log")
[ "$rc" -eq 2 ] && [ "$(wc -l <<<"$check")" -eq 1 ] && [[ $check == *"$work/agent-without-tls.yaml: tls: required unless insecure: true"* ]] \
  || fail "agent.yaml without tls: expected exit 2 naming tls, got $rc: $check"
say "agent.yaml without tls refused: $check"

agent_yaml 'tls:' "  ca: $tls/ca.pem" "  cert: $tls/agent.pem" "  key: $tls/agent.key" >/etc/groupsnap/agent.yaml
# coordinator.env as shipped (TLS files and ZooKeeper credentials), with this test's ZooKeeper and address
sed -i -e "s|^GROUPSNAP_ZOOKEEPER=.*|GROUPSNAP_ZOOKEEPER=127.0.0.1:$zk_port|" \
  -e "s|--listen 0.0.0.0:7300|--listen 127.0.0.1:$coord_port|" /etc/groupsnap/coordinator.env
for opt in "--listen 127.0.0.1:$coord_port" "--tls-ca $tls/ca.pem" "--tls-cert $tls/coordinator.pem" \
    "--tls-key $tls/coordinator.key" "--zookeeper-auth /etc/groupsnap/zookeeper-coordinator.auth"; do
  grep -q -e "^GROUPSNAP_COORDINATOR_OPTS=.*$opt" /etc/groupsnap/coordinator.env || fail "coordinator.env lacks $opt"
done
wait_for 30 "ZooKeeper on 127.0.0.1:$zk_port" bash -c "exec 3<>/dev/tcp/127.0.0.1/$zk_port"
run_as_unit $units/groupsnap-coordinator.service ExecStart "$work/coordinator.log"
coordinator_pid=$last_pid
# ExecStartPre is: groupsnap agent --config /etc/groupsnap/agent.yaml --check; it also makes the class-data archive
# (GROUPSNAP_CDS_ARCHIVE) in the directory systemd makes for CacheDirectory=groupsnap, made here as systemd would.
install -d -m 0700 /var/cache/groupsnap
run_as_unit $units/groupsnap-agent.service ExecStartPre "$work/agent-check.log"
wait "$last_pid" || fail "the agent unit's ExecStartPre failed: $(cat "$work/agent-check.log")"
unset 'pids[-1]'
say "agent unit's ExecStartPre (${unit_argv[*]}): $(cat "$work/agent-check.log")"
[ -s /var/cache/groupsnap/agent.jsa ] || fail "the agent unit's ExecStartPre made no class-data archive"
say "class-data archive for the agent: /var/cache/groupsnap/agent.jsa, $(du -h /var/cache/groupsnap/agent.jsa | cut -f1)"
run_as_unit $units/groupsnap-agent.service ExecStart "$work/agent.log"
agent_pid=$last_pid
agent_opts=${unit_env[GROUPSNAP_JAVA_OPTS]}
say "started ZooKeeper (:$zk_port), the coordinator (:$coord_port) and the agent (:$agent_port) as their units would"

version=$(groupsnap --version)
package_version=$(dpkg-query -W -f='${Version}' groupsnap)
[[ $version == "groupsnap ${package_version%%~*}"* ]] || fail "groupsnap --version printed '$version', package $package_version"
say "groupsnap --version: $version (package $package_version)"

if command -v man >/dev/null 2>&1; then
  man_out=$(MANWIDTH=100 man --warnings groupsnap 2>"$work/man-warnings.log")
  [ ! -s "$work/man-warnings.log" ] || fail "man groupsnap warns: $(head -n 3 "$work/man-warnings.log")"
  grep -q 'groupsnap snapshot create' <<<"$man_out" || fail "man groupsnap does not show snapshot create"
  say "man groupsnap: $(wc -l <<<"$man_out") lines, no warnings"
fi

completion=$(bash -c 'source /usr/share/bash-completion/completions/groupsnap
  COMP_WORDS=(groupsnap snap); COMP_CWORD=1; COMP_LINE="groupsnap snap"; COMP_POINT=${#COMP_LINE}
  _complete_groupsnap groupsnap snap groupsnap 2>/dev/null; printf "%s\n" "${COMPREPLY[@]}"')
[ "$completion" = snapshot ] || fail "bash completion of 'groupsnap snap' gave: $completion"
say "bash completion: 'groupsnap snap<TAB>' -> $completion"

# zsh: the installed _groupsnap, found by compinit in the vendor directory, runs the bash script through zsh's
# bashcompinit; asked as zsh's _bash_complete asks (sh emulation, COMP_* set), it must answer as bash does.
if command -v zsh >/dev/null 2>&1; then
  zsh_out=$(HOME=$work zsh -f -c '
    fpath=(/usr/share/zsh/vendor-completions $fpath)
    autoload -U compinit && compinit -u -d "$HOME/zcompdump"
    [[ $_comps[groupsnap] == _groupsnap ]] || { print -r -- "compinit did not bind groupsnap: $_comps[groupsnap]"; exit 1 }
    autoload -U +X _groupsnap && _groupsnap 2>/dev/null
    ask() {
      local -a words COMP_WORDS COMPREPLY; local -x COMP_LINE COMP_POINT COMP_CWORD; local CURRENT
      words=("$@"); CURRENT=$#words; COMP_LINE="$words"; COMP_POINT=${#COMP_LINE}; COMP_CWORD=$((CURRENT - 1))
      COMP_WORDS=($words)
      compgen -F _complete_groupsnap -- ${words[CURRENT]} | sort | paste -sd" " -
    }
    print -r -- "backup: $(ask groupsnap backup "")"
    print -r -- "create: $(ask groupsnap snapshot create --gr)"' 2>&1) || fail "zsh completion: $zsh_out"
  grep -qx 'backup: delete list logs run show' <<<"$zsh_out" || fail "zsh completion of 'groupsnap backup ': $zsh_out"
  grep -q '^create: .*--group ' <<<"$zsh_out" || fail "zsh completion of 'groupsnap snapshot create --gr': $zsh_out"
  say "zsh completion: 'groupsnap backup <TAB>' -> $(sed -n 's/^backup: //p' <<<"$zsh_out")"
elif [ -n "${GROUPSNAP_CI:-}" ]; then
  fail "zsh is missing (GROUPSNAP_CI is set: the zsh completion must be checked)"
fi

if command -v systemd-analyze >/dev/null 2>&1; then
  systemd-analyze verify $units/groupsnap-agent.service $units/groupsnap-coordinator.service \
    >"$work/systemd-analyze.log" 2>&1 || fail "systemd-analyze verify: $(cat "$work/systemd-analyze.log")"
  [ ! -s "$work/systemd-analyze.log" ] || fail "systemd-analyze verify warns: $(cat "$work/systemd-analyze.log")"
  say "systemd-analyze verify: both units clean"
elif [ -n "${GROUPSNAP_CI:-}" ]; then
  fail "systemd-analyze is missing (Debian: package systemd)"
fi

# The tarball: unpacked, its launcher runs from its own lib/
mkdir -p "$work/opt"
tar -xzf "${tarballs[0]}" -C "$work/opt"
tdir=("$work"/opt/groupsnap-*)
for f in bin/groupsnap conf/agent.yaml conf/coordinator.env systemd/groupsnap-agent.service completion/groupsnap \
    man/man1/groupsnap.1.gz docs/operations.md; do
  [ -e "${tdir[0]}/$f" ] || fail "tarball: no $f"
done
grep -q '^ExecStart=/opt/groupsnap/bin/groupsnap agent' "${tdir[0]}/systemd/groupsnap-agent.service" \
  || fail "tarball: the agent unit does not run /opt/groupsnap/bin/groupsnap"
[ "$("${tdir[0]}/bin/groupsnap" --version)" = "$version" ] || fail "tarball: --version differs from the package's"
say "tarball: layout complete, bin/groupsnap --version: $version"

# --- one group snapshot through the installed daemons -------------------------------------------------------------
# The CLI as an admin: the admin client's certificate, and the agents' ZooKeeper credentials to find the leader
export GROUPSNAP_ZOOKEEPER=127.0.0.1:$zk_port GROUPSNAP_ZOOKEEPER_AUTH=/etc/groupsnap/zookeeper-agents.auth
export GROUPSNAP_TLS_CA=$tls/ca.pem GROUPSNAP_TLS_CERT=$ca/admin.pem GROUPSNAP_TLS_KEY=$ca/admin.key
listening() { [ -n "$(ss -Htln "sport = :$coord_port")" ] && [ -n "$(ss -Htln "sport = :$agent_port")" ]; }
wait_for 60 "the coordinator and the agent listening" listening
ready() { groupsnap cluster status | awk '$1 == "leader" && $2 != "(none)" {l=1} $1 == "agents" && $2 >= 1 {a=1} END {exit !(l && a)}'; }
wait_for 60 "a leader and a registered agent" ready
[ "$(stat -c %U "/proc/$coordinator_pid")" = groupsnap ] || fail "the coordinator does not run as user groupsnap"
say "cluster up: $(groupsnap cluster status | awk '$1 == "leader" || $1 == "agents"' | xargs)"

# What comes without credentials is refused: an anonymous ZooKeeper client (NoAuth) and the CLI (exit 2, one line)
# (the installed ZooKeeper client jar, driven by a few lines of Java: its own shell needs commons-cli, not shipped)
cat >"$work/ZkAnonymous.java" <<'EOF'
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/** A ZooKeeper client without credentials: reads and writes the epoch, creates a registration. Exit 0: all refused. */
public class ZkAnonymous {
  public static void main(String[] args) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(args[0], 30_000, e -> {
      if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
        connected.countDown();
      }
    });
    if (!connected.await(30, TimeUnit.SECONDS)) {
      System.out.println("probe: not connected to " + args[0]);
      System.exit(1);
    }
    String cluster = args[1];
    String[] tries = {"get " + cluster + "/epoch", "set " + cluster + "/epoch", "create " + cluster + "/agents/forged"};
    int refused = 0;
    for (int i = 0; i < tries.length; i++) {
      try {
        switch (i) {
          case 0 -> zk.getData(cluster + "/epoch", false, null);
          case 1 -> zk.setData(cluster + "/epoch", new byte[] {0}, -1);
          default -> zk.create(cluster + "/agents/forged", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
              CreateMode.EPHEMERAL);
        }
        System.out.println("probe: " + tries[i] + ": ALLOWED");
      } catch (KeeperException e) {
        System.out.println("probe: " + tries[i] + ": " + e.code());
        refused += e.code() == KeeperException.Code.NOAUTH ? 1 : 0;
      }
    }
    zk.close();
    System.exit(refused == tries.length ? 0 : 1);
  }
}
EOF
GROUPSNAP_LOG_LEVEL=ERROR java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '/usr/share/groupsnap/lib/*' \
  "$work/ZkAnonymous.java" "127.0.0.1:$zk_port" /groupsnap/default >"$work/zk-anonymous.log" 2>&1 &
probe_pid=$!
pids+=($!)
rc=0; out=$(env -u GROUPSNAP_TLS_CA -u GROUPSNAP_TLS_CERT -u GROUPSNAP_TLS_KEY groupsnap snapshot list 2>&1) || rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && [[ $out == *"no TLS credentials"* ]] \
  || fail "the CLI without credentials: expected exit 2 and one line, got $rc: $out"
say "CLI without credentials, exit 2: $out"
rc=0; wait "$probe_pid" || rc=$?
forget "$probe_pid"
[ "$rc" -eq 0 ] || fail "an anonymous ZooKeeper client was not refused everything (exit $rc): $(tail -n 8 "$work/zk-anonymous.log")"
say "anonymous ZooKeeper client: $(sed -n 's/^probe: //p' "$work/zk-anonymous.log" | paste -sd, | sed 's/,/, /g')"

rc=0; created=$(groupsnap snapshot create --wait 2>"$work/create.err") || rc=$?
[ "$rc" -eq 0 ] || fail "snapshot create --wait exited $rc: $created $(cat "$work/create.err")"
read -r id state _ <<<"$created"
[ "$state" = COMMITTED ] || fail "snapshot create --wait: $created"
cmp -s "$work/data/ledger" "$work/snapshots/data/$id/ledger" || fail "no capture of the volume at $work/snapshots/data/$id"
grep -qx "freeze $id" "$work/hook.out" && grep -qx "thaw $id" "$work/hook.out" || fail "writer hooks: $(cat "$work/hook.out")"
say "groupsnap snapshot create --wait: $(head -n 1 <<<"$created")"
say "capture in place; the writer froze and thawed"
say "agent JVM resident memory: $(awk '/^VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$agent_pid/status") (unit: $agent_opts)"

for pid in "$agent_pid" "$coordinator_pid"; do
  kill -TERM "$pid"
  rc=0; wait "$pid" || rc=$?
  [ "$rc" -eq 0 ] || [ "$rc" -eq 143 ] || fail "process $pid exited $rc on SIGTERM (the units accept 0 and 143)"
done
pids=("${pids[0]}")   # ZooKeeper, stopped by the cleanup
say "agent and coordinator stopped on SIGTERM"

# --- remove keeps the conffiles; purge removes them ---------------------------------------------------------------
dpkg --force-unsafe-io -r groupsnap >"$work/dpkg-remove.log" 2>&1 || fail "dpkg -r: $(tail -n 3 "$work/dpkg-remove.log")"
[ "$(dpkg-query -W -f='${Status}' groupsnap)" = "deinstall ok config-files" ] || fail "after dpkg -r: $(dpkg-query -W -f='${Status}' groupsnap)"
for f in /usr/bin/groupsnap /usr/share/groupsnap $units/groupsnap-agent.service $units/groupsnap-coordinator.service \
    /usr/share/bash-completion/completions/groupsnap /usr/share/man/man1/groupsnap.1.gz /usr/share/doc/groupsnap \
    /var/lib/groupsnap /var/cache/groupsnap; do
  expect_gone "$f"
done
grep -q "^agentId: install-test$" /etc/groupsnap/agent.yaml || fail "dpkg -r did not keep the edited agent.yaml"
[ -f /etc/groupsnap/coordinator.env ] || fail "dpkg -r did not keep coordinator.env"
for f in "$tls/agent.key" "$tls/coordinator.key" /etc/groupsnap/zookeeper-coordinator.auth; do
  [ -f "$f" ] || fail "dpkg -r did not keep $f"
done
say "dpkg -r: program files gone, conffiles kept: $(ls /etc/groupsnap | xargs)"

dpkg --force-unsafe-io -P groupsnap >"$work/dpkg-purge.log" 2>&1 || fail "dpkg -P: $(tail -n 3 "$work/dpkg-purge.log")"
installed=no
dpkg-query -W -f='${Status}' groupsnap 2>/dev/null | grep -qv 'not-installed' && fail "dpkg -P left the package known"
expect_gone /etc/groupsnap
left=$(dpkg -S groupsnap 2>/dev/null || true)
[ -z "$left" ] || fail "dpkg still knows files: $left"
say "dpkg -P: /etc/groupsnap gone (with its keys and credentials); left on purpose: the system user groupsnap ($(getent passwd groupsnap | cut -d: -f1,3))"
say "OK in $((SECONDS - t0))s"
