#!/usr/bin/env bash
# Builds the PDFBox benchmark peer (StoPdfboxSigner) against Debian's PDFBox 2 and BouncyCastle.
#
#   bash bench/pdfbox/build.sh OUTDIR
#
# Installs libpdfbox2-java, libbcpkix-java and libbcprov-java when they are missing (apt-get, with
# sudo only when not root), compiles StoPdfboxSigner.java into OUTDIR and prints exactly one line
# on stdout: the classpath for `java -cp CLASSPATH StoPdfboxSigner IN.pdf OUT.pdf PKI_DIR ACTS.tsv`.
# Everything else goes to stderr. Exits non-zero with a message when something is missing.
set -euo pipefail

fail() { echo "build.sh: $*" >&2; exit 1; }

[[ $# -eq 1 && -n $1 ]] || fail "usage: bash bench/pdfbox/build.sh OUTDIR"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$here/StoPdfboxSigner.java
[[ -f $src ]] || fail "missing $src"

# --- Debian packages (their dependencies bring fontbox2, commons-logging and bcutil) -------------
packages=(libpdfbox2-java libbcpkix-java libbcprov-java)
command -v javac >/dev/null || packages+=(openjdk-17-jdk-headless)
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  command -v apt-get >/dev/null || fail "missing packages ${missing[*]} and no apt-get to install them"
  sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || fail "missing packages ${missing[*]}; run as root or install sudo"
    sudo=(sudo)
  fi
  echo "build.sh: installing ${missing[*]}" >&2
  { "${sudo[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2 ||
    fail "apt-get install ${missing[*]} failed"
fi

# --- jars: the unversioned names Debian keeps pointing at the packaged version -------------------
jars=()
for j in pdfbox2 fontbox2 commons-logging bcprov bcpkix bcutil; do
  f=/usr/share/java/$j.jar
  [[ -r $f ]] || fail "missing $f (is the Debian package installed?)"
  jars+=("$f")
done

# --- compile -------------------------------------------------------------------------------------
command -v javac >/dev/null || fail "javac not found (install openjdk-17-jdk-headless)"
mkdir -p "$1" || fail "cannot create $1"
out=$(cd "$1" && pwd)
jarpath=$(IFS=:; echo "${jars[*]}")
javac -encoding UTF-8 -Xlint:all,-options,-path -d "$out" -cp "$jarpath" "$src" >&2 || fail "javac failed"
[[ -f $out/StoPdfboxSigner.class ]] || fail "javac produced no StoPdfboxSigner.class in $out"

echo "$out:$jarpath"
