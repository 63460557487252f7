// audit.mjs: the GraphQL-over-HTTP conformance audit of graphql-http
// (its serverAudits) against a running taskledger server.
//
//   node audit.mjs URL
//
// It runs every audit and prints one line per audit: ok, FAIL (a MUST the
// server breaks) or warn (a SHOULD or MAY it does not follow), then a
// closing "N passed, N failed, N warnings" line. The exit status is 1 when
// any MUST audit fails (or an audit cannot run at all).
import { serverAudits } from 'graphql-http';

const [url] = process.argv.slice(2);
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

let passed = 0;
let failed = 0;
let warned = 0;
for (const audit of serverAudits({ url })) {
  let result;
  try {
    result = await audit.fn();
  } catch (err) {
    result = { status: 'error', reason: `the audit could not run: ${err.message}` };
  }
  if (result.status === 'ok') {
    passed++;
    console.log(`ok   ${audit.id}  ${audit.name}`);
  } else if (result.status === 'warn') {
    warned++;
    console.log(`warn ${audit.id}  ${audit.name}: ${result.reason}`);
  } else {
    failed++;
    console.log(`FAIL ${audit.id}  ${audit.name}: ${result.reason}`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${warned} warnings`);
process.exit(failed === 0 ? 0 : 1);
