#!/usr/bin/env bash
# Refreshes the GraphiQL page's vendored files in assets/ from the npm
# registry, reproducibly: the package versions and their tarballs' sha512
# (npm's "integrity") are pinned below, each tarball is checked against its
# pin and against what the registry publishes for that version, and the few
# files the page needs are copied out unchanged. VERSIONS records the
# versions, the tarballs' integrity and each file's sha256.
#
# Run from anywhere (needs npm, tar, openssl, sha256sum, base64):
#   internal/graphiql/refresh.sh
# Running it again with the same pins leaves the tree unchanged.
#
# To move to a new version: change *_VERSION, run it once; it stops and
# prints the new tarball's integrity; check it against
# `npm view PACKAGE@VERSION dist.integrity` and the release notes, put it in
# *_INTEGRITY, and run it again. Then `go test ./internal/graphiql/
# ./internal/httpapi/` (the browser test renders the page and runs a query).
set -euo pipefail
cd "$(dirname "$0")"

GRAPHIQL_VERSION=3.8.3
GRAPHIQL_INTEGRITY=sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==
# GraphiQL 3 runs on React 18; its UMD build expects React and ReactDOM as
# globals, which React 18's own UMD builds provide (React 19 has none).
REACT_VERSION=18.3.1
REACT_INTEGRITY=sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==
REACT_DOM_VERSION=18.3.1
REACT_DOM_INTEGRITY=sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# fetch NAME VERSION INTEGRITY: the package's tarball from the registry,
# checked, unpacked into $work/NAME.
fetch() {
  local name=$1 version=$2 want=$3
  local tgz
  tgz=$(cd "$work" && npm pack --silent --ignore-scripts "$name@$version" | tail -n1)
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$work/$tgz" | base64 -w0)"
  local published
  published=$(cd "$work" && npm view "$name@$version" dist.integrity)
  if [ "$got" != "$published" ]; then
    echo "$name@$version: tarball integrity $got differs from the registry's $published" >&2
    exit 1
  fi
  if [ "$got" != "$want" ]; then
    echo "$name@$version: tarball integrity is $got, pinned $want;" >&2
    echo "if this is a deliberate version change, check it and update the pin in $0" >&2
    exit 1
  fi
  mkdir -p "$work/$name"
  tar -xzf "$work/$tgz" -C "$work/$name" --strip-components=1
  echo "$name $version $got" >>"$work/packages"
}

fetch graphiql "$GRAPHIQL_VERSION" "$GRAPHIQL_INTEGRITY"
fetch react "$REACT_VERSION" "$REACT_INTEGRITY"
fetch react-dom "$REACT_DOM_VERSION" "$REACT_DOM_INTEGRITY"

rm -rf assets
mkdir -p assets
cp "$work/graphiql/graphiql.min.js" "$work/graphiql/graphiql.min.css" assets/
cp "$work/react/umd/react.production.min.js" assets/
cp "$work/react-dom/umd/react-dom.production.min.js" assets/
cp "$work/graphiql/LICENSE" assets/LICENSE.graphiql
cp "$work/react/LICENSE" assets/LICENSE.react
cp "$work/react-dom/LICENSE" assets/LICENSE.react-dom
chmod 644 assets/*

{
  echo "# Written by refresh.sh; do not edit. Packages from the npm registry"
  echo "# (name, version, tarball integrity), then the sha256 of each file in assets/."
  cat "$work/packages"
  echo
  (cd assets && sha256sum -- *)
} >VERSIONS
cat VERSIONS
