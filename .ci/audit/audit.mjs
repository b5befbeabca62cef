// Runs every GraphQL-over-HTTP server audit from graphql-http against a
// running server and fails when a MUST item fails. SHOULD/MAY misses are
// printed but do not fail.
//
//   node .ci/audit/audit.mjs http://127.0.0.1:8080/graphql
import { serverAudits } from './node_modules/graphql-http/lib/audits/server.mjs';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/graphql';
const audits = serverAudits({ url, fetchFn: fetch });
const failed = {};
let ok = 0;
for (const audit of audits) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    ok++;
    continue;
  }
  const level = audit.name.split(' ')[0];
  failed[level] = (failed[level] ?? 0) + 1;
  console.log(`${result.status.toUpperCase()} ${audit.id} ${audit.name}: ${result.reason}`);
}
console.log(`graphql-http audits: ${audits.length} run, ${ok} ok, not ok by level: ${JSON.stringify(failed)}`);
process.exit(failed.MUST ? 1 : 0);
