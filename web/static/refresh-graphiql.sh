#!/usr/bin/env bash
# Refreshes web/static/graphiql/vendor/ from the npm registry (`make graphiql-assets`).
#
# GraphiQL is served from these files only, never from a CDN: Tenantry runs on premises and in
# air-gapped networks. The versions are the ones Strawberry's own GraphiQL page pins; change them
# here, run this script, check the page in a browser (tests/browser) and commit the result.
# Only minified production builds and each package's licence are kept; source maps are dropped
# and their sourceMappingURL comments removed (the browser would ask for files we do not ship).
set -euo pipefail
cd "$(dirname "$0")/graphiql/vendor"

GRAPHIQL=3.8.3
REACT=18.2.0
EXPLORER=1.0.2
GRAPHIQL_EXPLORER=0.9.0  # bundled inside the explorer plugin's UMD build: its licence only

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

unpack() {  # unpack <package@version> into $work/<dir>
  local spec="$1" dir="$2" tarball
  tarball="$(cd "$work" && npm pack --silent "$spec")"
  mkdir -p "$work/$dir"
  tar -xzf "$work/$tarball" -C "$work/$dir" --strip-components=1
}

unpack "graphiql@$GRAPHIQL" graphiql
unpack "react@$REACT" react
unpack "react-dom@$REACT" react-dom
unpack "@graphiql/plugin-explorer@$EXPLORER" explorer
unpack "graphiql-explorer@$GRAPHIQL_EXPLORER" graphiql-explorer

rm -rf ./*
mkdir licenses
strip_map() { sed -e '/^\/[*\/][#@] sourceMappingURL=.*$/d' "$1" > "$2"; }
strip_map "$work/graphiql/graphiql.min.js" graphiql.min.js
strip_map "$work/graphiql/graphiql.min.css" graphiql.min.css
cp "$work/react/umd/react.production.min.js" react.production.min.js
cp "$work/react-dom/umd/react-dom.production.min.js" react-dom.production.min.js
strip_map "$work/explorer/dist/index.umd.js" plugin-explorer.umd.js
cp "$work/explorer/dist/style.css" plugin-explorer.css

cp "$work/graphiql/LICENSE" licenses/graphiql-LICENSE.txt
cp "$work/react/LICENSE" licenses/react-LICENSE.txt
cp "$work/react-dom/LICENSE" licenses/react-dom-LICENSE.txt
# The plugin's npm package carries no LICENSE file; it is MIT, from the graphiql repository.
cp "$work/graphiql/LICENSE" licenses/plugin-explorer-LICENSE.txt
cp "$work/graphiql-explorer/LICENSE" licenses/graphiql-explorer-LICENSE.txt

{
  echo "# Written by web/static/refresh-graphiql.sh: npm package, then sha256 and file."
  echo "graphiql@$GRAPHIQL react@$REACT react-dom@$REACT"
  echo "@graphiql/plugin-explorer@$EXPLORER (bundles graphiql-explorer@$GRAPHIQL_EXPLORER)"
  sha256sum ./*.js ./*.css licenses/*
} > SOURCES.txt
ls -l
