/**
 * Writes each service's OpenAPI document to docs/api/<service>.openapi.json (committed, so API changes show
 * in review). `--check` fails when the committed documents differ from the code.
 * The modules are built with inert placeholders: documents are generated from the routes' metadata,
 * nothing is called (apps/documents.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { serviceDocuments } from '../apps/documents.js';

const root = new URL('../..', import.meta.url).pathname;
const check = process.argv.includes('--check');
let drift = false;
mkdirSync(`${root}/docs/api`, { recursive: true });
for (const { name, document } of await serviceDocuments()) {
  const json = JSON.stringify(document, null, 2) + '\n';
  const file = `${root}/docs/api/${name}.openapi.json`;
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      // missing counts as drift
    }
    if (committed !== json) {
      drift = true;
      console.error(`[openapi] docs/api/${name}.openapi.json is out of date: run npm run openapi`);
    }
  } else {
    writeFileSync(file, json);
    console.log(`[openapi] wrote docs/api/${name}.openapi.json`);
  }
}
if (drift) process.exit(1);
