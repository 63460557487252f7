#!/bin/sh
# fetch-assets.sh: refresh GraphiQL's committed assets from the npm
# registry (npm pack; nothing else is run). Versions are pinned here and in
# README.md; the two large files are stored gzip-compressed (gzip -9n, so
# the bytes do not depend on the time they were made).
set -eu
GRAPHIQL=3.8.3
REACT=18.3.1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null
for p in graphiql-$GRAPHIQL react-$REACT react-dom-$REACT; do mkdir "$p" && tar xzf "$p.tgz" -C "$p"; done
gzip -9n -c "graphiql-$GRAPHIQL/package/graphiql.min.js" >"$here/assets/graphiql.min.js.gz"
gzip -9n -c "graphiql-$GRAPHIQL/package/graphiql.min.css" >"$here/assets/graphiql.min.css.gz"
cp "react-$REACT/package/umd/react.production.min.js" "$here/assets/react.production.min.js"
cp "react-dom-$REACT/package/umd/react-dom.production.min.js" "$here/assets/react-dom.production.min.js"
{
  echo "graphiql $GRAPHIQL (npm), MIT:"; cat "graphiql-$GRAPHIQL/package/LICENSE"; echo
  echo "react and react-dom $REACT (npm), MIT:"; cat "react-$REACT/package/LICENSE"
} >"$here/assets/LICENSES.txt"
