# Sourced by the fetch-*.sh scripts: deb_extract PACKAGE DIR downloads PACKAGE's .deb with `apt-get download`
# (updating stale package lists once, as root) and unpacks it with `dpkg -x` into DIR/x; nothing is installed.
# Prints the .deb's file name. Builds never call it: only scripts/setup.sh does.
deb_extract() {
  local pkg=$1 work=$2
  chmod 755 "$work"  # apt's download user must be able to write there
  if ! (cd "$work" && apt-get -qq download "$pkg" 2>/dev/null); then
    [ "$(id -u)" -eq 0 ] || { echo "$pkg: apt-get download $pkg failed; run 'sudo apt-get update' and this script again" >&2; return 1; }
    echo "$pkg: package lists are stale, updating them" >&2
    apt-get update -q >&2
    (cd "$work" && apt-get -qq download "$pkg")
  fi
  local deb
  deb=$(ls "$work"/"$pkg"_*.deb)
  dpkg -x "$deb" "$work/x"
  basename "$deb"
}
