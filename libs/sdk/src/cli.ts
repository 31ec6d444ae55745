#!/usr/bin/env node
/**
 * `renkei`: the command line for member companies, compliance officers and consortium admins.
 * Credentials live in a JSON file (RENKEI_CREDENTIALS or --credentials): the service URLs, your
 * participant id and the private key you registered. Data goes to stdout, progress and errors to stderr.
 */
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { RenkeiClient, RenkeiError, type Endpoints } from './client.js';

interface CredentialsFile extends Endpoints {
  clientId: string;
  privateJwk: JWK;
}

const program = new Command('renkei')
  .description('Renkei (連携) data-linkage platform: contracts, grants, publish, subscribe, audit')
  .addOption(
    new Option('--credentials <file>', 'credentials JSON (URLs, clientId, privateJwk)').env(
      'RENKEI_CREDENTIALS',
    ),
  )
  .showHelpAfterError();

function client(): RenkeiClient {
  const file = program.opts<{ credentials?: string }>().credentials;
  if (!file) throw new UsageError('No credentials: pass --credentials <file> or set RENKEI_CREDENTIALS');
  let creds: CredentialsFile;
  try {
    creds = JSON.parse(readFileSync(file, 'utf8')) as CredentialsFile;
  } catch (error) {
    throw new UsageError(`Cannot read credentials ${file}: ${(error as Error).message}`);
  }
  for (const k of ['registry', 'clearing', 'exchange', 'clientId', 'privateJwk'] as const) {
    if (!creds[k]) throw new UsageError(`Credentials ${file} lack "${k}"`);
  }
  return new RenkeiClient(
    { registry: creds.registry, clearing: creds.clearing, exchange: creds.exchange },
    { clientId: creds.clientId, privateJwk: creds.privateJwk },
  );
}

class UsageError extends Error {}

const readJson = (file: string): Record<string, unknown> => {
  try {
    return JSON.parse(file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8')) as Record<
      string,
      unknown
    >;
  } catch (error) {
    throw new UsageError(`Cannot read JSON from ${file}: ${(error as Error).message}`);
  }
};
const print = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
};
const note = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

program
  .command('keygen')
  .description(
    'create an ES256 key pair: the private JWK goes to --out (mode 600), the public JWKS to stdout for onboarding',
  )
  .requiredOption('--kid <kid>', 'key id, e.g. acme-2026-11')
  .requiredOption('--out <file>', 'where to write the private JWK')
  .action(async (o: { kid: string; out: string }) => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: o.kid, alg: 'ES256' };
    writeFileSync(o.out, JSON.stringify(jwk, null, 2) + '\n', { mode: 0o600 });
    const { d: _d, ...pub } = jwk;
    print({ keys: [pub] });
    note(`private key written to ${o.out}; keep it secret. Give the JWKS above to the consortium admin.`);
  });

program
  .command('onboard <participant.json>')
  .description('onboard a participant (consortium admin)')
  .action(async (file: string) => print(await client().onboard(readJson(file))));

const contract = program.command('contract').description('data contracts');
contract
  .command('register <contract.json>')
  .description('publish a contract version for a dataset you own')
  .action(async (file: string) => print(await client().registerContract(readJson(file))));
program
  .command('catalog')
  .description('datasets on offer')
  .action(async () => print(await client().catalog()));

const grant = program.command('grant').description('access grants');
grant
  .command('request')
  .requiredOption('--dataset <id>')
  .requiredOption('--purpose <purpose>')
  .option('--fields <list>', 'comma-separated fields (default: all)')
  .option('--until <iso-date>', 'end of validity')
  .action(async (o: { dataset: string; purpose: string; fields?: string; until?: string }) =>
    print(
      await client().requestGrant({
        dataset: o.dataset,
        purpose: o.purpose,
        fields: o.fields ? o.fields.split(',') : null,
        validUntil: o.until ?? null,
      }),
    ),
  );
grant.command('list').action(async () => print(await client().grants()));
grant
  .command('approve <grantId>')
  .option('--reason <text>')
  .action(async (id: string, o: { reason?: string }) =>
    print(await client().approveGrant(id, o.reason ?? null)),
  );
grant
  .command('revoke <grantId>')
  .option('--reason <text>')
  .action(async (id: string, o: { reason?: string }) =>
    print(await client().revokeGrant(id, o.reason ?? null)),
  );

program
  .command('publish <dataset> <events.ndjson>')
  .description(
    'publish events (one JSON object per line: {"payload": {...}, "subject"?, "id"?}); "-" reads stdin',
  )
  .option('--batch <n>', 'events per request', '500')
  .action(async (dataset: string, file: string, o: { batch: string }) => {
    const c = client();
    const token = await c.datasetToken(dataset, 'publish');
    const lines = createInterface({
      input: file === '-' ? process.stdin : createReadStream(file),
      crlfDelay: Infinity,
    });
    let batch: { payload: Record<string, unknown> }[] = [];
    let sent = 0;
    let lineNo = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const result = await c.publish(dataset, token, batch);
      sent += result.accepted;
      note(`published ${sent} events (contract ${result.contractVersion})`);
      batch = [];
    };
    for await (const line of lines) {
      lineNo += 1;
      if (!line.trim()) continue;
      try {
        batch.push(JSON.parse(line) as { payload: Record<string, unknown> });
      } catch {
        throw new UsageError(`${file}:${lineNo} is not valid JSON`);
      }
      if (batch.length >= Number(o.batch)) await flush();
    }
    await flush();
    print({ dataset, published: sent });
  });

program
  .command('subscribe <dataset>')
  .description('stream events under your grant as JSON lines on stdout')
  .requiredOption('--grant <grantId>')
  .option('--after <positions>', 'resume after partition:offset[,partition:offset…]')
  .option('--max-events <n>', 'stop after this many events')
  .action(async (dataset: string, o: { grant: string; after?: string; maxEvents?: string }) => {
    const c = client();
    const after = Object.fromEntries(
      (o.after ?? '')
        .split(',')
        .filter(Boolean)
        .map((p) => p.split(':') as [string, string]),
    );
    const stream = await c.stream(dataset, await c.datasetToken(dataset, 'subscribe', o.grant), { after });
    const max = o.maxEvents ? Number(o.maxEvents) : Infinity;
    let count = 0;
    for await (const line of stream.lines) {
      if (line.type === 'event') {
        process.stdout.write(JSON.stringify({ ...line.event, position: line.position }) + '\n');
        if (++count >= max) break;
      } else if (line.type === 'end') {
        note(`stream ended: ${line.code} — ${line.message}`);
        process.exitCode = line.code === 'GRANT.REVOKED' || line.code === 'GRANT.NOT_ACTIVE' ? 3 : 0;
        break;
      }
    }
    stream.close();
  });

const audit = program.command('audit').description('the audit record (compliance officers)');
audit
  .command('entries')
  .option('--kind <kind>', 'decision | token.issued | grant.changed')
  .option('--dataset <id>')
  .option('--participant <id>')
  .option('--allow <bool>', 'true | false')
  .option('--limit <n>', 'page size', '100')
  .option('--csv', 'CSV instead of JSON')
  .action(async (o: Record<string, string | boolean | undefined>) => {
    const query = Object.fromEntries(
      Object.entries(o).filter(([k, v]) => k !== 'csv' && typeof v === 'string'),
    ) as Record<string, string>;
    const { items } = await client().auditEntries(query);
    if (!o.csv) {
      print(items);
      return;
    }
    const cell = (v: string | number | boolean | null | undefined) =>
      `"${String(v ?? '').replace(/"/g, '""')}"`;
    process.stdout.write('seq,kind,actor,dataset,allow,action,reasons,policy_revision\n');
    for (const e of items) {
      const r = e.record as { action?: string; reasons?: string[]; policyRevision?: string };
      process.stdout.write(
        [e.seq, e.kind, e.actor, e.dataset, e.allow, r.action, (r.reasons ?? []).join(' '), r.policyRevision]
          .map(cell)
          .join(',') + '\n',
      );
    }
  });
audit
  .command('verify')
  .description('recompute the hash chain')
  .action(async () => {
    const result = await client().verifyAudit();
    print(result);
    if (!result.ok) process.exitCode = 4;
  });

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof RenkeiError) {
    note(`error ${error.code} (${error.status}): ${error.detail}`);
    for (const e of (error.problem.errors as { path: string; message: string }[] | undefined) ?? [])
      note(`  at ${e.path}: ${e.message}`);
    if (typeof error.problem.hint === 'string') note(`  what to do: ${error.problem.hint}`);
    process.exitCode = 2;
  } else if (error instanceof UsageError) {
    note(`error: ${error.message}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
