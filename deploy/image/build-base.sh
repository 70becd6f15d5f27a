#!/usr/bin/env bash
# Builds the base of groupsnap's container image as an image tarball (the `docker save` layout: manifest.json, a
# config, one layer), without Docker and without a registry: the layer is made of the files of Debian packages
# installed on this machine (a JRE, the shell and tools the agent, its hooks and the Kubernetes manifests call), plus
# every package whose shared libraries those files load. Jib then puts groupsnap on top of it:
#
#   deploy/image/build-base.sh target/image-base.tar
#   ./mvnw -B -Pimage -Dimage.base=tar://$PWD/target/image-base.tar package -DskipTests
#
# which writes dist/target/jib-image.tar (deploy/kubernetes/README.md, "The image"). deploy/test/image-test.sh runs
# that image's entrypoint. Needs a Debian host with the packages below installed (.ci/run installs them).
set -euo pipefail

out=${1:?usage: build-base.sh OUTPUT.tar}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

jre=openjdk-17-jre-headless
java_home=/usr/lib/jvm/java-17-openjdk-amd64
# The tools: what the agent runs (fsfreeze, btrfs, restic, nice), what hooks and the manifests' init containers use
# (sh, install, sed), and bash for operators' hooks.
wanted=("$jre" libc6 libc-bin dash bash coreutils sed grep util-linux mount btrfs-progs restic)

fail() { printf 'build-base: %s\n' "$*" >&2; exit 1; }
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' \
    || fail "package $p is not installed on this machine (apt-get install $p)"
done
[ -x "$java_home/bin/java" ] || fail "no JRE at $java_home"

work=$(mktemp -d /tmp/groupsnap-image-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"

# The packages: the wanted ones, then, until nothing changes, the packages owning every shared library an ELF file of
# the set loads (ldd resolves the whole chain of one file; the loop catches libraries found only through another
# package's files).
declare -A have=()
for p in "${wanted[@]}"; do have[$p]=1; done
owners_of_libs() {
  # every ELF file of the given packages -> the libraries it loads -> the packages owning them
  local p f
  for p in "$@"; do
    dpkg -L "$p" 2>/dev/null
  done | while read -r f; do
    [ -f "$f" ] && [ ! -L "$f" ] || continue
    case "$f" in *.so|*.so.*|*/bin/*|*/sbin/*|*/lib/jvm/*/lib/*) ;; *) continue ;; esac
    head -c 4 "$f" 2>/dev/null | grep -q 'ELF' || continue
    ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
  done | sort -u | while read -r lib; do
    # dpkg records paths before the /usr merge (/lib/...), ldd may print either form
    dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "${lib#/usr}" 2>/dev/null || true
  done | cut -d: -f1 | tr ',' '\n' | sed 's/^ *//' | sort -u
}
pending=("${wanted[@]}")
while [ ${#pending[@]} -gt 0 ]; do
  next=()
  while read -r p; do
    [ -n "$p" ] && [ -z "${have[$p]:-}" ] || continue
    have[$p]=1
    next+=("$p")
  done < <(owners_of_libs "${pending[@]}")
  pending=("${next[@]}")
done
packages=("${!have[@]}")

# Their files, with the directories between them; no documentation, manuals or translations. Debian 12 merged /usr:
# /bin, /sbin and /lib are links into /usr, as on the host.
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib" "$root/usr/lib64"
ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
for p in "${packages[@]}"; do dpkg -L "$p"; done \
  | grep -vE '^/usr/share/(doc|man|info|locale|lintian|bug)(/|$)' \
  | grep '^/' | sort -u | while read -r f; do
      if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\n' "${f#/}"; fi
    done > "$work/files"
tar -C / --no-recursion -cf - -T "$work/files" | tar -C "$root" --keep-directory-symlink -xf -

# What maintainer scripts would have made: the alternatives' links the image uses, the JRE's trust store link
# target (an empty store: groupsnap trusts only the CA files it is given), users, writable temporary space.
ln -sf "$java_home/bin/java" "$root/usr/bin/java"
ln -sf dash "$root/usr/bin/sh"
mkdir -p "$root/etc/ssl/certs/java" "$root/tmp" "$root/run" "$root/var/tmp" "$root/proc" "$root/sys" "$root/dev" \
  "$root/etc/groupsnap" "$root/var/lib/groupsnap" "$root/home/groupsnap"
chmod 1777 "$root/tmp" "$root/var/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\ngroupsnap:x:10001:10001:groupsnap:/home/groupsnap:/usr/sbin/nologin\n' \
  > "$root/etc/passwd"
printf 'root:x:0:\ngroupsnap:x:10001:\n' > "$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
chown 10001:10001 "$root/home/groupsnap"

# The image: one layer, its config (the PATH finds the JRE and the tools; Jib adds groupsnap's layers, entrypoint
# and labels), and the manifest naming them.
mkdir -p "$work/image"
tar -C "$root" --numeric-owner --sort=name --mtime='@0' -cf "$work/image/layer.tar" .
diff_id=$(sha256sum "$work/image/layer.tar" | cut -d' ' -f1)
cat > "$work/image/config.json" <<EOF
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=$java_home/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin","JAVA_HOME=$java_home"],
           "WorkingDir":"/"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created_by":"deploy/image/build-base.sh: ${#packages[@]} Debian packages of the build host"}]}
EOF
config_id=$(sha256sum "$work/image/config.json" | cut -d' ' -f1)
mv "$work/image/config.json" "$work/image/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["groupsnap-base:local"],"Layers":["layer.tar"]}]\n' "$config_id" \
  > "$work/image/manifest.json"
mkdir -p "$(dirname "$out")"
tar -C "$work/image" -cf "$out" manifest.json "$config_id.json" layer.tar
printf 'build-base: %s: %d packages, layer %s MiB\n' "$out" "${#packages[@]}" \
  "$(( $(stat -c %s "$work/image/layer.tar") / 1048576 ))"
