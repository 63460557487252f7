// check.mjs: an outside client's view of taskledger's GraphQL API.
//
//   node check.mjs URL DOC.md [TOKEN]
//
// It fetches the introspection result from URL (the server's /graphql
// endpoint) with graphql-js's own introspection query, builds a client
// schema from it with buildClientSchema, and validates every ```graphql
// block of DOC.md against that schema. It prints one line per block and
// a closing "N passed, N failed" line; the exit status is 1 if any block
// (or the introspection) fails.
import { readFile } from 'node:fs/promises';
import { buildClientSchema, getIntrospectionQuery, parse, validate } from 'graphql';

const [url, docPath, token] = process.argv.slice(2);
if (!url || !docPath) {
  console.error('usage: node check.mjs URL DOC.md [TOKEN]');
  process.exit(2);
}

async function introspect() {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = await res.json();
  if (!res.ok || body.errors) {
    throw new Error(`introspection failed: HTTP ${res.status}: ${JSON.stringify(body.errors ?? body)}`);
  }
  return buildClientSchema(body.data);
}

function examples(markdown) {
  const blocks = [];
  const fence = /^```graphql[^\n]*\n([\s\S]*?)^```/gm;
  for (const m of markdown.matchAll(fence)) {
    const line = markdown.slice(0, m.index).split('\n').length;
    blocks.push({ line, text: m[1] });
  }
  return blocks;
}

let passed = 0;
let failed = 0;
let schema;
try {
  schema = await introspect();
} catch (err) {
  console.error(`FAIL introspection: ${err.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const blocks = examples(await readFile(docPath, 'utf8'));
if (blocks.length === 0) {
  console.error(`FAIL ${docPath} has no graphql examples`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
for (const b of blocks) {
  const title = b.text.trim().split('\n')[0];
  let errors;
  try {
    errors = validate(schema, parse(b.text));
  } catch (err) {
    errors = [err];
  }
  if (errors.length === 0) {
    passed++;
    console.log(`ok   ${docPath}:${b.line}  ${title}`);
  } else {
    failed++;
    console.log(`FAIL ${docPath}:${b.line}  ${title}`);
    for (const e of errors) console.log(`       ${e.message}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
