// check.mjs: an outside client's view of taskledger's GraphQL API.
//
//   node check.mjs URL DOC.md [TOKEN]
//
// It fetches the introspection result from URL (the server's /graphql
// endpoint) with graphql-js's own introspection query, builds a client
// schema from it with buildClientSchema, and validates every ```graphql
// block of DOC.md against that schema. With a TOKEN it also runs every
// query and mutation block against the server (subscriptions are only
// validated), with variables made up from their types; a block passes
// when the server executes it, whatever the ledger then answers (NOT_FOUND
// for a made-up id is fine), and fails when the server refuses the
// document (HTTP 400, or an error of kind syntax or validation). It prints
// one line per block and a closing "N passed, N failed" line; the exit
// status is 1 if any block (or the introspection) fails.
import { readFile } from 'node:fs/promises';
import {
  buildClientSchema, getIntrospectionQuery, parse, validate, typeFromAST,
  isNonNullType, isListType, isEnumType, isInputObjectType, isScalarType,
} from 'graphql';

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

// sample makes up a value of an input type: a default where the schema
// gives none is needed only for non-null types.
function sample(type, depth = 0) {
  if (isNonNullType(type)) return sample(type.ofType, depth);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    const out = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) && f.defaultValue === undefined && depth < 4) out[f.name] = sample(f.type, depth + 1);
    }
    return out;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int': return 1;
      case 'Float': return 1;
      case 'Boolean': return false;
      case 'Time': return '2025-06-30T18:00:00+08:00';
      case 'Date': return '2025-06-30';
      case 'Position': return 0;
      case 'ID': return 'clientcheck';
      default: return `clientcheck-${Math.random().toString(36).slice(2, 10)}`;
    }
  }
  return null;
}

// run executes a block's operation with made-up variables and says how
// the server answered; it throws when the server refused the document.
async function run(text) {
  const doc = parse(text);
  const op = doc.definitions.find((d) => d.kind === 'OperationDefinition');
  if (!op || op.operation === 'subscription') return '  (validated; subscriptions run over WebSocket)';
  const variables = {};
  for (const v of op.variableDefinitions ?? []) {
    const t = typeFromAST(schema, v.type);
    if (isNonNullType(t) && !v.defaultValue) variables[v.variable.name.value] = sample(t);
  }
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: text, variables, operationName: op.name?.value }),
  });
  const body = await res.json();
  const refused = (body.errors ?? []).filter((e) => ['syntax', 'validation'].includes(e.extensions?.kind));
  if (res.status === 400 || refused.length > 0) {
    throw new Error(`the server refused it (HTTP ${res.status}): ${JSON.stringify(body.errors ?? body)}`);
  }
  const codes = [...new Set((body.errors ?? []).map((e) => e.extensions?.code))];
  return codes.length ? `  (ran: ${codes.join(', ')})` : '  (ran)';
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
  let ran = '';
  if (errors.length === 0 && token) {
    try {
      ran = await run(b.text);
    } catch (err) {
      errors = [err];
    }
  }
  if (errors.length === 0) {
    passed++;
    console.log(`ok   ${docPath}:${b.line}  ${title}${ran}`);
  } else {
    failed++;
    console.log(`FAIL ${docPath}:${b.line}  ${title}`);
    for (const e of errors) console.log(`       ${e.message}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
