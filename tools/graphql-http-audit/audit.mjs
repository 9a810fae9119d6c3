// Runs every audit of the graphql-http reference suite (GraphQL over HTTP:
// MUST, SHOULD and MAY) against a running server and exits non-zero when
// any audit does not pass.
//
//   node audit.mjs http://127.0.0.1:8080/graphql
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = await Promise.all(serverAudits({ url }).map((a) => a.fn()));
const score = {};
let failed = 0;
for (const r of results) {
  const level = r.name.split(' ')[0];
  score[level] ??= { ok: 0, total: 0 };
  score[level].total++;
  if (r.status === 'ok') {
    score[level].ok++;
    continue;
  }
  failed++;
  let body = '';
  try {
    body = await r.response.text();
  } catch {
    // the body was read by the audit
  }
  console.log(`FAIL ${r.id} ${r.name}: ${r.reason} (status ${r.response?.status}) ${body.slice(0, 300)}`);
}
console.log(
  Object.entries(score)
    .map(([level, s]) => `${level} ${s.ok}/${s.total}`)
    .join(', '),
);
process.exit(failed === 0 ? 0 : 1);
