#!/usr/bin/env bash
# Test of the container image (issue 13), without a container engine: reads dist/target/jib-image.tar (built by
# `./mvnw -Pimage -Dimage.base=tar://... package`, deploy/image/build-base.sh making the base), checks its manifest and
# config (entrypoint, ports, labels, version), unpacks its layers in order into a root file system, checks that every
# program the Kubernetes manifests run exists there, then runs the image's own entrypoint in that root in private
# mount and PID namespaces (what a container runtime gives the process, minus cgroups and the network namespace):
# `--version`, an agent's `--check` on a configuration made for the image, and group snapshots through a real
# embedded cluster (`bench`: ZooKeeper, a coordinator and agents over mutual TLS, all inside the image's root).
#
# Needs root (chroot, mount namespaces) and python3. Without them it skips, unless GROUPSNAP_CI is set (as .ci/run
# does): then a missing precondition is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

TEST_NAME=image-test
# shellcheck source=deploy/test/lib.sh
. deploy/test/lib.sh

[ "$(id -u)" -eq 0 ] || unmet "needs root (chroot and mount namespaces)"
command -v python3 >/dev/null 2>&1 || unmet "needs python3"
command -v unshare >/dev/null 2>&1 || unmet "needs unshare (util-linux)"
image=dist/target/jib-image.tar
[ -f "$image" ] || fail "no $image; build it: deploy/image/build-base.sh target/image-base.tar &&" \
  "./mvnw -B -Pimage -Dimage.base=tar://\$PWD/target/image-base.tar package -DskipTests"
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1)

work=$(mktemp -d /tmp/groupsnap-image-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
mkdir "$work/image" "$work/root"
tar -C "$work/image" -xf "$image"

# The manifest and config: what a runtime reads. Prints the entrypoint, one argument per line.
python3 - "$work/image" "$version" > "$work/entrypoint" <<'EOF'
import json, os, sys
d, version = sys.argv[1], sys.argv[2]
def fail(msg):
    sys.exit("image-test: FAILED: " + msg)
m = json.load(open(os.path.join(d, "manifest.json")))
if len(m) != 1: fail("manifest.json lists %d images, expected 1" % len(m))
m = m[0]
c = json.load(open(os.path.join(d, m["Config"])))
cfg = c.get("config") or {}
if c.get("os") != "linux" or c.get("architecture") != "amd64":
    fail("config says %s/%s, expected linux/amd64" % (c.get("os"), c.get("architecture")))
if len(c["rootfs"]["diff_ids"]) != len(m["Layers"]):
    fail("config has %d diff_ids for %d layers" % (len(c["rootfs"]["diff_ids"]), len(m["Layers"])))
if len(m["Layers"]) < 2: fail("expected the base layer and groupsnap's, found %d layers" % len(m["Layers"]))
for layer in m["Layers"]:
    if not os.path.isfile(os.path.join(d, layer)): fail("layer %s named in manifest.json is missing" % layer)
ep = (cfg.get("Entrypoint") or []) + (cfg.get("Cmd") or [])
if not ep or ep[0] != "java" or "io.groupsnap.cli.Groupsnap" not in ep:
    fail("entrypoint %r does not run java with io.groupsnap.cli.Groupsnap" % ep)
ports = set((cfg.get("ExposedPorts") or {}).keys())
for p in ("7300/tcp", "7400/tcp", "9464/tcp", "9465/tcp"):
    if p not in ports: fail("port %s is not exposed (exposed: %s)" % (p, sorted(ports)))
labels = cfg.get("Labels") or {}
if labels.get("org.opencontainers.image.version") != version:
    fail("label org.opencontainers.image.version is %r, expected %r" % (labels.get("org.opencontainers.image.version"), version))
print("\n".join(ep))
with open(os.path.join(d, "layers"), "w") as f:
    f.write("\n".join(m["Layers"]) + "\n")
with open(os.path.join(d, "path"), "w") as f:
    f.write(next((e[5:] for e in cfg.get("Env", []) if e.startswith("PATH=")), "/usr/bin:/bin"))
EOF
mapfile -t entrypoint < "$work/entrypoint"
say "manifest: $(wc -l < "$work/image/layers") layers, entrypoint ${entrypoint[*]:0:3} ..."

while read -r layer; do
  tar -C "$work/root" --keep-directory-symlink --warning=no-unknown-keyword -xf "$work/image/$layer"
done < "$work/image/layers"
root="$work/root"

# Every program a container of the Kubernetes manifests starts (the first item of each `command:` list) is in the
# image, on its PATH.
IFS=: read -r -a path < "$work/image/path" || true   # one line, no newline
programs=$(awk '/^ *command:/ {getline; sub(/^ *- */, ""); print}' deploy/kubernetes/*.yaml | sort -u)
[ -n "$programs" ] || fail "found no command: in deploy/kubernetes/*.yaml"
for prog in $programs; do
  found=no
  case "$prog" in
    /*) { [ -x "$root$prog" ] || [ -L "$root$prog" ]; } && found=yes ;;
    *) for d in "${path[@]}"; do { [ -x "$root$d/$prog" ] || [ -L "$root$d/$prog" ]; } && found=yes; done ;;
  esac
  [ "$found" = yes ] || fail "the Kubernetes manifests run '$prog', which the image does not have"
done
say "the programs the Kubernetes manifests run are in the image: $(echo $programs)"

# An agent configuration for the image: one dir volume under /srv held by a shell hook, captures under /var/lib.
mkdir -p "$root/srv/data" "$root/var/lib/groupsnap/snapshots" "$root/etc/groupsnap"
echo 'a row' > "$root/srv/data/table"
cat > "$root/etc/groupsnap/agent.yaml" <<'EOF'
agentId: image-agent
cluster: default
listen: 127.0.0.1:7400
zookeeper: 127.0.0.1:2181
snapshotRoot: /var/lib/groupsnap/snapshots
insecure: true
volumes:
  - name: data
    kind: dir
    path: /srv/data
writers:
  - name: app
    kind: exec
    freeze: [/bin/sh, -c, 'echo "$GROUPSNAP_PHASE" >> /var/lib/groupsnap/hook.out']
    thaw: [/bin/sh, -c, 'echo "$GROUPSNAP_PHASE" >> /var/lib/groupsnap/hook.out']
    timeout: 5s
EOF

# Runs the entrypoint with the given arguments in the image's root: a private mount namespace (proc, a tmpfs /tmp,
# the host's /dev bound read-only) and PID namespace, the image's PATH, no host environment.
in_image() {
  unshare --mount --pid --fork --mount-proc="$root/proc" -- \
    env -i PATH="$(cat "$work/image/path")" HOME=/root \
    sh -ec 'mount -t tmpfs -o mode=1777 tmpfs "$1/tmp"; mount --rbind /dev "$1/dev"; mount --make-rslave "$1/dev";
            r=$1; shift; exec chroot "$r" "$@"' sh "$root" "${entrypoint[@]}" "$@"
}

out=$(in_image --version)
printf '%s\n' "$out" | grep -q -- "$version" || fail "groupsnap --version in the image printed '$out', not $version"
say "groupsnap --version in the image: $(printf '%s' "$out" | head -n 1)"

if ! out=$(in_image agent --config /etc/groupsnap/agent.yaml --check 2>&1); then
  fail "agent --check in the image failed: $out"
fi
say "agent --check in the image: $(printf '%s' "$out" | tail -n 1)"

# Group snapshots inside the image: an embedded ZooKeeper, a coordinator and two agents over mutual TLS.
if ! out=$(in_image bench --members 2 --snapshots 3 2>&1); then
  printf '%s\n' "$out" | tail -n 20 >&2
  fail "group snapshots inside the image (groupsnap bench) failed"
fi
say "group snapshots inside the image: $(printf '%s\n' "$out" | grep -E '^ *2 ' | head -n 1 | tr -s ' ')"
say "OK"
