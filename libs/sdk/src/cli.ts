#!/usr/bin/env node
/**
 * `renkei`: the command line for member companies, compliance officers and consortium admins.
 * Credentials live in a JSON file (RENKEI_CREDENTIALS or --credentials): the service URLs, your
 * participant id and the private key you registered. Data goes to stdout, progress and errors to stderr.
 */
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import * as tls from 'node:tls';
import { Command, InvalidArgumentError, Option } from 'commander';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { errorCodeInfo } from '@renkei/domain';
import { RenkeiError, RenkeiUnreachableError } from './client.js';
import { verifyCheckpointSignature } from './api/audit.js';
import type {
  CatalogFilter,
  DeletionMethod,
  DspNegotiationFilter,
  DspTransferFilter,
  ScenarioDefinition,
} from './api/dto.js';
import type { Endpoints } from './api/session.js';
import { RenkeiClient } from './renkei-client.js';

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
  .addOption(
    new Option(
      '--ca-file <file>',
      'PEM CA certificate(s) to trust for the services besides the system roots (e.g. .renkei/tls/ca.crt)',
    ).env('RENKEI_CA_FILE'),
  )
  .showHelpAfterError();

/** The services' CA (a private one, e.g. scripts/certs.sh) joins the roots every HTTPS call trusts. */
function trustCaFile(file: string): void {
  let pems: string[] | null;
  try {
    pems = readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  } catch (error) {
    throw new UsageError(`Cannot read the CA file ${file}: ${(error as Error).message}`);
  }
  if (!pems) throw new UsageError(`No PEM certificate in the CA file ${file}`);
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ...pems]);
}

/** `client({ sim: true })` for the `sim` commands: the credentials must name the cps-sim service. */
function client(needs: { sim?: boolean } = {}): RenkeiClient {
  const { credentials: file, caFile } = program.opts<{ credentials?: string; caFile?: string }>();
  if (caFile) trustCaFile(caFile);
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
  if (needs.sim && !creds.cpsSim) {
    throw new UsageError(
      `Credentials ${file} lack "cpsSim" (the CPS simulation service URL) for the sim commands`,
    );
  }
  return new RenkeiClient(
    {
      registry: creds.registry,
      clearing: creds.clearing,
      exchange: creds.exchange,
      ...(creds.cpsSim ? { cpsSim: creds.cpsSim } : {}),
    },
    { clientId: creds.clientId, privateJwk: creds.privateJwk },
  );
}

class UsageError extends Error {}

/** An option parser for whole numbers ≥ min; commander reports a bad value and exits 1. */
const int =
  (min: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`not a whole number`);
    }
    if (n < min) throw new InvalidArgumentError(`must be ${min} or more`);
    return n;
  };

/** `--after` of subscribe: 'start', or partition:offset[,partition:offset…], passed on as given. */
const positions = (value: string): string => {
  if (!/^(start|\d+:\d+(,\d+:\d+)*)$/.test(value.trim())) {
    throw new InvalidArgumentError('expected start or partition:offset[,partition:offset…], e.g. 0:41,1:17');
  }
  return value.trim();
};

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
    try {
      writeFileSync(o.out, JSON.stringify(jwk, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(
        code === 'EEXIST'
          ? `${o.out} exists: not overwriting a key (remove it, or choose another --out)`
          : `Cannot write ${o.out}: ${(error as Error).message}`,
      );
    }
    const { d: _d, ...pub } = jwk;
    print({ keys: [pub] });
    note(`private key written to ${o.out}; keep it secret. Give the JWKS above to the consortium admin.`);
  });

const participantKeys = program
  .command('participant-key')
  .description("a participant's sign-in keys: one per employee or system that acts for the company");
participantKeys
  .command('add <participant> <public.jwk.json>')
  .description('add a public key (e.g. from `renkei keygen`): its holder can sign in from now on')
  .action(async (participant: string, file: string) => {
    const jwk = readJson(file) as Record<string, unknown> & { keys?: Record<string, unknown>[] };
    const updated = await client().addParticipantKey(participant, jwk.keys?.[0] ?? jwk);
    note(`${updated.jwks.keys.length} keys now sign for ${updated.legalName}`);
    print(updated.jwks);
  });
participantKeys
  .command('remove <participant> <kid>')
  .description("remove a key: its holder's access ends (tokens already issued expire within minutes)")
  .action(async (participant: string, kid: string) => {
    const updated = await client().removeParticipantKey(participant, kid);
    note(`key ${kid} removed; ${updated.jwks.keys.length} keys remain`);
    print(updated.jwks);
  });

program
  .command('onboard <participant.json>')
  .description('onboard a participant (consortium admin)')
  .action(async (file: string) => print(await client().onboard(readJson(file))));

const participant = program.command('participant').description('participants (consortium admin)');
participant
  .command('impact <participantId>')
  .description("what offboarding would do: the live grants it is party to and the deletions they'd oblige")
  .action(async (id: string) => {
    const impact = await client().offboardingImpact(id);
    const c = impact.counts;
    note(
      `${impact.participant.legalName}: ${c.asOriginator} grants as originator, ${c.asConsumer} as consumer (${c.granted} in force, ${c.suspended} suspended, ${c.requested} requested); ${c.deletionObligations} deletion obligations would open`,
    );
    print(impact);
  });
participant
  .command('offboard <participantId>')
  .description('offboard a participant for good: its live grants are revoked (see `participant impact`)')
  .requiredOption('--reason <text>', 'why it leaves (kept on its record)')
  .action(async (id: string, o: { reason: string }) =>
    print(await client().offboardParticipant(id, o.reason)),
  );

const contract = program.command('contract').description('data contracts');
contract
  .command('register <contract.json>')
  .description(
    'register a contract version for a dataset you own (add "status": "draft" to keep it editable)',
  )
  .action(async (file: string) => print(await client().registerContract(readJson(file))));
contract
  .command('show <dataset> [version]')
  .description('the current version of a dataset, or one version')
  .action(async (dataset: string, version?: string) => print(await client().contract(dataset, version)));
contract
  .command('versions <dataset>')
  .description('every version you may see, oldest first')
  .action(async (dataset: string) => {
    const versions = await client().contractVersions(dataset);
    for (const v of versions) {
      note(`${v.version.padEnd(14)} ${v.status.padEnd(10)} ${v.current ? 'current' : ''}`);
    }
    print(versions);
  });
for (const move of ['activate', 'deprecate', 'retire'] as const) {
  contract
    .command(`${move} <dataset> <version>`)
    .description(
      {
        activate: 'publish a draft',
        deprecate: 'deprecate a version (consumers are notified)',
        retire: 'retire a deprecated version',
      }[move],
    )
    .option('--reason <text>', 'why; shown to consumers')
    .action(async (dataset: string, version: string, o: { reason?: string }) =>
      print(await client().moveContract(dataset, version, move, o.reason ?? null)),
    );
}
contract
  .command('check <dataset> <schema.json>')
  .description('would this JSON Schema be accepted as the next version? lists every breaking change')
  .option('--version <semver>', 'the version it would be')
  .action(async (dataset: string, file: string, o: { version?: string }) => {
    const report = await client().checkCompatibility(dataset, readJson(file), o.version);
    note(
      report.compatible
        ? `compatible (${report.compatibility} against ${report.checkedAgainst.join(', ') || 'nothing'})`
        : `${report.breaks.length} breaking change(s) under ${report.compatibility}:`,
    );
    for (const b of report.breaks) note(`  ${b.schemaPath}  ${b.kind}  ${b.message}`);
    print(report);
    if (!report.compatible) process.exitCode = 1;
  });
contract
  .command('export <dataset> <version>')
  .description('a contract version as an Open Data Contract Standard v3 document (YAML, to stdout)')
  .action(async (dataset: string, version: string) => {
    process.stdout.write(await client().exportOdcs(dataset, version));
  });
contract
  .command('import <contract.odcs.yaml>')
  .description('register a contract version from an ODCS v3 document (YAML or JSON)')
  .option('--draft', 'register it as a draft')
  .action(async (file: string, o: { draft?: boolean }) => {
    let text: string;
    try {
      text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
    }
    const result = await client().importOdcs(text, o.draft ? 'draft' : undefined);
    for (const w of result.warnings) note(`warning: ${w}`);
    print(result.contract);
  });
program
  .command('catalog')
  .description('datasets you may discover')
  .option('-q, --query <text>', 'text in the id, title or description')
  .option('--domain <domain>', 'supply-chain, logistics, energy, health or other')
  .option('--owner <participantId>')
  .option('--tag <tag>', 'personal, sensitive-personal, competitive or cooperative')
  .option('--purpose <purpose>')
  .option('--limit <n>', 'page size', int(1))
  .option('--cursor <cursor>', 'nextCursor of the previous page')
  .option('--dcat', 'print the DCAT / Dataspace Protocol JSON-LD instead')
  .action(
    async (o: {
      query?: string;
      // Passed on as typed: the registry answers an unknown domain or tag with a 400.
      domain?: CatalogFilter['domain'];
      owner?: string;
      tag?: CatalogFilter['tag'];
      purpose?: string;
      limit?: number;
      cursor?: string;
      dcat?: boolean;
    }) => {
      const filter = {
        q: o.query,
        domain: o.domain,
        owner: o.owner,
        tag: o.tag,
        purpose: o.purpose,
        limit: o.limit,
        cursor: o.cursor,
      };
      if (o.dcat) return print(await client().catalogDcat(filter));
      const page = await client().catalog(filter);
      if (page.nextCursor) note(`more: --cursor ${page.nextCursor}`);
      print(page);
    },
  );
program
  .command('notifications')
  .description('changes to contracts you hold access to')
  .option('--unread', 'only unread ones')
  .action(async (o: { unread?: boolean }) => print(await client().notifications(o.unread ?? false)));

const grant = program.command('grant').description('access grants');
grant
  .command('request')
  .requiredOption('--dataset <id>')
  .requiredOption('--purpose <purpose>')
  .option('--fields <list>', 'comma-separated fields (default: all)')
  .option('--until <iso-date>', 'end of validity')
  .option('--deletion-days <n>', 'days after the grant ends by which you delete what you received', int(0))
  .option('--history <all|iso-time>', "ask for the topic's past: 'all', or events published since a time")
  .action(
    async (o: {
      dataset: string;
      purpose: string;
      fields?: string;
      until?: string;
      deletionDays?: number;
      history?: string;
    }) =>
      print(
        await client().requestGrant({
          dataset: o.dataset,
          purpose: o.purpose,
          fields: o.fields ? o.fields.split(',') : null,
          validUntil: o.until ?? null,
          ...(o.deletionDays !== undefined ? { deletionDays: o.deletionDays } : {}),
          ...(o.history !== undefined ? { historyFrom: o.history } : {}),
        }),
      ),
  );
grant.command('list').action(async () => print(await client().grants()));
grant
  .command('show <grantId>')
  .description('one grant with its terms: state, purpose, fields, validity, history covered')
  .action(async (id: string) => print(await client().grant(id)));
grant
  .command('approve <grantId>')
  .option('--reason <text>')
  .option(
    '--history <all|iso-time>',
    "how much of the topic's past the consumer may read: 'all', or events published since a time (default: what it asked for, else from now)",
  )
  .action(async (id: string, o: { reason?: string; history?: string }) =>
    print(
      await client().approveGrant(
        id,
        o.reason ?? null,
        o.history !== undefined ? { historyFrom: o.history } : {},
      ),
    ),
  );
grant
  .command('revoke <grantId>')
  .option('--reason <text>')
  .action(async (id: string, o: { reason?: string }) =>
    print(await client().revokeGrant(id, o.reason ?? null)),
  );

const dsp = program
  .command('dsp')
  .description('Dataspace Protocol: contracts and transfers with other connectors (EDC, another Renkei)');
dsp
  .command('peers')
  .description('the registered peer connectors')
  .action(async () => print(await client().dspPeers()));
dsp
  .command('peer-add <participantId> <address>')
  .description('register a peer connector (consortium admin): its participant id here and its protocol URL')
  .option(
    '--token-url <url>',
    'where this platform gets a token at the peer (RFC 7523 with the connector key)',
  )
  .option('--remote-id <participantId>', 'who this platform is at the peer')
  .action(async (participantId: string, address: string, o: { tokenUrl?: string; remoteId?: string }) =>
    print(
      await client().registerDspPeer({
        participantId,
        address,
        tokenUrl: o.tokenUrl ?? null,
        remoteParticipantId: o.remoteId ?? null,
      }),
    ),
  );
dsp
  .command('negotiate <peer> <datasetId>')
  .description('ask a peer connector for a contract on one of its datasets (its DSP dataset id)')
  .option('--offer <offerId>', "the offer's id (default: the dataset's urn:renkei:offer:… for a Renkei peer)")
  .option('--purpose <purpose>', 'the purpose you ask for')
  .option('--address <url>', "the peer's protocol URL (default: the registered one)")
  .action(
    async (peer: string, datasetId: string, o: { offer?: string; purpose?: string; address?: string }) => {
      const offerId =
        o.offer ??
        (datasetId.startsWith('urn:renkei:dataset:') ? datasetId.replace(':dataset:', ':offer:') : undefined);
      if (!offerId) throw new UsageError('--offer <offerId> is required for a dataset of another connector');
      print(
        await client().startNegotiation({
          peer,
          datasetId,
          offerId,
          ...(o.purpose ? { purpose: o.purpose } : {}),
          ...(o.address ? { connectorAddress: o.address } : {}),
        }),
      );
    },
  );
dsp
  .command('negotiations')
  .description('your negotiations (provider: on your datasets; consumer: the ones you started)')
  .addOption(new Option('--side <side>').choices(['provider', 'consumer']))
  .addOption(
    new Option('--state <state>').choices([
      'REQUESTED',
      'OFFERED',
      'ACCEPTED',
      'AGREED',
      'VERIFIED',
      'FINALIZED',
      'TERMINATED',
    ]),
  )
  .option('--dataset <id>')
  .action(async (o: DspNegotiationFilter) => print(await client().negotiations(o)));
dsp
  .command('negotiation <negotiationId> [move]')
  .description(
    'show a negotiation, or move it: provider offer|agree|finalize|terminate, consumer accept|verify|request|terminate',
  )
  .addOption(
    new Option('--finalize <when>', 'with agree: when the agreement goes live').choices([
      'on-verification',
      'manual',
    ]),
  )
  .option('--reason <text>', 'with terminate')
  .action(async (id: string, move: string | undefined, o: { finalize?: string; reason?: string }) => {
    if (!move) return print(await client().negotiation(id));
    const moves = ['offer', 'agree', 'finalize', 'terminate', 'accept', 'verify', 'request'] as const;
    const chosen = moves.find((m) => m === move);
    if (!chosen) throw new UsageError(`unknown move '${move}' (${moves.join(', ')})`);
    print(
      await client().moveNegotiation(id, chosen, {
        ...(o.finalize ? { finalize: o.finalize } : {}),
        ...(o.reason ? { reason: o.reason } : {}),
      }),
    );
  });
dsp
  .command('transfer <peer> <agreementId>')
  .description('ask a peer connector to transfer data under an agreement you hold')
  .addOption(
    new Option('--format <format>')
      .choices(['Renkei-NDJSON-STREAM', 'HttpData-PULL'])
      .default('Renkei-NDJSON-STREAM'),
  )
  .option('--into <dataset>', 'a dataset of yours the received events are published into')
  .option('--address <url>', "the peer's protocol URL (default: the registered one)")
  .action(async (peer: string, agreementId: string, o: { format: string; into?: string; address?: string }) =>
    print(
      await client().startTransfer({
        peer,
        agreementId,
        format: o.format,
        ...(o.into ? { into: o.into } : {}),
        ...(o.address ? { connectorAddress: o.address } : {}),
      }),
    ),
  );
dsp
  .command('transfers')
  .description('your transfers (provider: on grants you gave; consumer: the ones you started)')
  .addOption(new Option('--side <side>').choices(['provider', 'consumer']))
  .option('--grant <grantId>')
  .addOption(
    new Option('--state <state>').choices(['REQUESTED', 'STARTED', 'SUSPENDED', 'COMPLETED', 'TERMINATED']),
  )
  .action(async (o: Omit<DspTransferFilter, 'grantId'> & { grant?: string }) =>
    print(await client().transfers({ side: o.side, grantId: o.grant, state: o.state })),
  );
dsp
  .command('transfer-show <transferId>')
  .description('one transfer: state, format, and (consumer side) the dataAddress to read from')
  .action(async (id: string) => print(await client().transfer(id)));
dsp
  .command('transfer-move <transferId> <move>')
  .description('start, suspend, complete or terminate a transfer (provider or consumer side)')
  .option('--reason <text>')
  .action(async (id: string, move: string, o: { reason?: string }) => {
    const moves = ['start', 'suspend', 'complete', 'terminate'] as const;
    const chosen = moves.find((m) => m === move);
    if (!chosen) throw new UsageError(`unknown move '${move}' (${moves.join(', ')})`);
    print(await client().moveTransfer(id, chosen, o.reason ? { reason: o.reason } : {}));
  });

program
  .command('publish <dataset> <events.ndjson>')
  .description(
    'publish events (one JSON object per line: {"payload": {...}, "subject"?, "id"?}); "-" reads stdin',
  )
  .option('--batch <n>', 'events per request', int(1), 500)
  .action(async (dataset: string, file: string, o: { batch: number }) => {
    const c = client();
    let token = await c.datasetToken(dataset, 'publish');
    const lines = createInterface({
      input: file === '-' ? process.stdin : createReadStream(file),
      crlfDelay: Infinity,
    });
    let batch: { payload: Record<string, unknown> }[] = [];
    let sent = 0;
    let lineNo = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      let result;
      try {
        result = await c.publish(dataset, token, batch);
      } catch (error) {
        // A long upload outlives its dataset token: fetch a fresh one and send this batch again, once.
        if (!(error instanceof RenkeiError && error.status === 401 && error.code === 'TOKEN.EXPIRED'))
          throw error;
        note('dataset token expired: fetching a new one');
        token = await c.datasetToken(dataset, 'publish');
        result = await c.publish(dataset, token, batch);
      }
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
      if (batch.length >= o.batch) await flush();
    }
    await flush();
    print({ dataset, published: sent });
  });

program
  .command('subscribe <dataset>')
  .description('stream events under your grant as JSON lines on stdout')
  .requiredOption('--grant <grantId>')
  .option(
    '--after <positions>',
    "resume after partition:offset[,partition:offset…] (the events' position), or 'start' to replay",
    positions,
  )
  .option('--max-events <n>', 'stop after this many events', int(1))
  .action(async (dataset: string, o: { grant: string; after?: string; maxEvents?: number }) => {
    const c = client();
    const stream = await c.stream(dataset, await c.datasetToken(dataset, 'subscribe', o.grant), {
      after: o.after,
    });
    const max = o.maxEvents ?? Infinity;
    let count = 0;
    for await (const line of stream.lines) {
      if (line.type === 'event') {
        process.stdout.write(JSON.stringify({ ...line.event, position: line.position }) + '\n');
        if (++count >= max) break;
      } else if (line.type === 'end') {
        note(`stream ended: ${line.code} — ${line.message}`);
        const action = errorCodeInfo(line.code)?.action;
        if (action) note(`  what to do: ${action}`);
        process.exitCode = line.code === 'GRANT.REVOKED' || line.code === 'GRANT.NOT_ACTIVE' ? 3 : 0;
        break;
      }
    }
    stream.close();
  });

const deletion = program
  .command('deletion')
  .description('deletion obligations: what you must delete once a grant you held has ended');
deletion
  .command('list')
  .description('your obligations, earliest deadline first')
  .option('--role <role>', 'consumer | originator | any', 'any')
  .option('--status <status>', 'open | confirmed | overdue')
  .option('--dataset <id>')
  .option('--grant <grantId>')
  .action(async (o: { role: string; status?: string; dataset?: string; grant?: string }) => {
    const items = await client().deletionObligations({
      role: o.role as 'consumer' | 'originator' | 'any',
      status: o.status as 'open' | 'confirmed' | 'overdue' | undefined,
      dataset: o.dataset,
      grant: o.grant,
    });
    for (const d of items) {
      note(`${d.id}  ${d.status.padEnd(9)} due ${d.dueAt}  ${d.dataset}${d.late ? '  LATE' : ''}`);
    }
    print(items);
  });
deletion
  .command('show <obligationId>')
  .description('one obligation, with its receipt')
  .action(async (id: string) => print(await client().deletionObligation(id)));
deletion
  .command('confirm <obligationId>')
  .description('confirm you deleted every copy: signs a receipt with your own key and sends it')
  .addOption(
    new Option('--method <method>', 'how it was deleted')
      .choices(['crypto-erase', 'overwrite', 'delete', 'physical-destruction'])
      .makeOptionMandatory(),
  )
  .option('--deleted-at <iso-date>', 'when the last copy was deleted (default: now)')
  .action(async (id: string, o: { method: DeletionMethod; deletedAt?: string }) => {
    const confirmed = await client().confirmDeletion(id, { method: o.method, deletedAt: o.deletedAt });
    if (confirmed.late) note(`confirmed after the deadline (${confirmed.dueAt}): it stays flagged as late`);
    print(confirmed);
  });
deletion
  .command('overdue')
  .description('obligations past their deadline without a receipt (compliance officers)')
  .option('--status <status>', 'overdue | confirmed (confirmed late) | any', 'overdue')
  .option('--consumer <participantId>')
  .option('--dataset <id>')
  .action(async (o: { status: string; consumer?: string; dataset?: string }) => {
    const items = await client().overdueDeletions({
      status: o.status as 'overdue' | 'confirmed' | 'any',
      consumer: o.consumer,
      dataset: o.dataset,
    });
    for (const d of items) note(`${d.id}  consumer ${d.consumer}  due ${d.dueAt}  flagged ${d.flaggedAt}`);
    print(items);
  });

const audit = program.command('audit').description('the audit record (compliance officers)');
audit
  .command('entries')
  .option('--kind <kind>', 'decision | token.issued | grant.changed | security.refusal')
  .option('--dataset <id>')
  .option('--participant <id>')
  .option('--code <code>', 'security refusals with this stable code, e.g. TOKEN.EXPIRED')
  .option('--action <action>', 'decisions of this policy action, e.g. grant.request, subscribe, deliver')
  .option('--rule <rule>', 'decisions this rule decided, e.g. PURPOSE.NOT_ALLOWED or ALLOW.SUBSCRIBE')
  .option('--revision <revision>', 'decisions of this policy bundle revision, e.g. rego-0123456789abcdef')
  .option('--after <seq>', 'entries after this seq (the `next` of the previous page)', int(0))
  .option('--from <time>', 'at or after this ISO time')
  .option('--to <time>', 'before this ISO time')
  .option('--allow <bool>', 'true | false')
  .option('--limit <n>', 'page size', int(1), 100)
  .option('--csv', 'CSV instead of JSON')
  .action(async (o: Record<string, string | number | boolean | undefined>) => {
    const query = Object.fromEntries(
      Object.entries(o)
        .filter(([k, v]) => k !== 'csv' && (typeof v === 'string' || typeof v === 'number'))
        .map(([k, v]) => [k, String(v)]),
    ) as Record<string, string>;
    const { items, next } = await client().auditEntries(query);
    // Decisions say why on stderr, one line each; stdout stays the data (JSON, or CSV with --csv).
    for (const e of items) {
      if (e.kind === 'decision')
        note(
          `${e.seq}  ${e.action ?? '?'}  ${e.rule ?? '?'}  ${e.explanation ?? '(no explanation recorded)'}`,
        );
    }
    if (next !== null) note(`more: --after ${next}`);
    if (!o.csv) {
      print(items);
      return;
    }
    const cell = (v: string | number | boolean | null | undefined) =>
      `"${String(v ?? '').replace(/"/g, '""')}"`;
    process.stdout.write('seq,kind,actor,dataset,allow,action,reasons,rule,explanation,policy_revision\n');
    for (const e of items) {
      const r = e.record as { reasons?: string[] };
      process.stdout.write(
        [
          e.seq,
          e.kind,
          e.actor,
          e.dataset,
          e.allow,
          e.action,
          (r.reasons ?? []).join(' '),
          e.rule,
          e.explanation,
          e.policyRevision,
        ]
          .map(cell)
          .join(',') + '\n',
      );
    }
  });
audit
  .command('verify')
  .description(
    'recompute the hash chain and check it against every signed checkpoint, and against one you kept (--checkpoint)',
  )
  .option(
    '--checkpoint <file>',
    'a checkpoint JWS you kept: the raw JWS, or a receipt / checkpoint JSON with a "jws" field ("-" reads stdin)',
  )
  .action(async (o: { checkpoint?: string }) => {
    const result = await client().auditVerify(o.checkpoint ? readCheckpoint(o.checkpoint) : undefined);
    if (!result.ok) note(`${result.code} at seq ${result.firstBadSeq}: ${result.problem}`);
    else note(`ok: ${result.entries} entries, ${result.checkpointsChecked} checkpoint(s) reproduced`);
    print(result);
    if (!result.ok) process.exitCode = 4;
  });
audit
  .command('export')
  .description(
    'export matching entries (compliance): CSV with a header row, a JSON array or NDJSON, to stdout',
  )
  .addOption(
    new Option('--format <format>', 'output format').choices(['csv', 'json', 'ndjson']).default('csv'),
  )
  .option('--kind <kind>', 'decision | token.issued | grant.changed | signing-key.changed | …')
  .option('--dataset <id>')
  .option('--participant <id>', 'as actor, grant party or dataset owner')
  .addOption(new Option('--decision <decision>').choices(['allow', 'deny']))
  .option('--action <action>', 'decisions of this policy action')
  .option('--rule <rule>', 'decisions this rule decided, e.g. PURPOSE.NOT_ALLOWED')
  .option('--revision <revision>', 'decisions of this policy bundle revision')
  .option('--from <iso-time>')
  .option('--to <iso-time>')
  .option('--after <seq>', 'entries after this seq', int(0))
  .option('--limit <n>', 'at most this many entries', int(1))
  .action(async (o: Record<string, string | number | undefined>) => {
    const { format, ...filters } = o;
    const query = Object.fromEntries(
      Object.entries(filters)
        .filter((e): e is [string, string | number] => e[1] !== undefined)
        .map(([k, v]) => [k, String(v)]),
    );
    process.stdout.write(await client().exportAudit(format as 'csv' | 'json' | 'ndjson', query));
  });
audit
  .command('usage')
  .description('who used your data, when and for what purpose (originators)')
  .option('--dataset <id>', 'one of your datasets (default: all)')
  .option('--from <iso-time>')
  .option('--to <iso-time>')
  .option('--after <seq>', 'cursor: next of the previous page', int(0))
  .action(async (o: { dataset?: string; from?: string; to?: string; after?: number }) => {
    const usage = await client().auditUsage({ dataset: o.dataset, from: o.from, to: o.to, after: o.after });
    for (const c of usage.consumers) {
      note(
        `${c.dataset}  ${c.consumer}  purposes ${c.purposes.join(',') || '-'}  tokens ${c.tokensIssued}  deliveries ${c.deliveries} (${c.eventsDelivered} events)  denied ${c.denied}  last ${c.lastAt}`,
      );
    }
    if (usage.next !== null) note(`more: --after ${usage.next}`);
    print(usage);
  });
audit
  .command('usage-series')
  .description('usage of your data over time, per hour or day, consumer and purpose (originators)')
  .option('--dataset <id>', 'one of your datasets (default: all)')
  .option('--bucket <hour|day>', 'bucket size', 'day')
  .option('--from <iso-time>')
  .option('--to <iso-time>')
  .action(async (o: { dataset?: string; bucket: string; from?: string; to?: string }) => {
    if (o.bucket !== 'hour' && o.bucket !== 'day') throw new UsageError('--bucket is hour or day');
    print(await client().auditUsageSeries({ dataset: o.dataset, bucket: o.bucket, from: o.from, to: o.to }));
  });
audit
  .command('consents')
  .description("persons' consent records across originators: counts and a page (compliance)")
  .option('--originator <id>')
  .option('--dataset <id>')
  .option('--state <permit|deny|withdrawn>')
  .option('--after <cursor>', 'cursor: next of the previous page')
  .action(async (o: { originator?: string; dataset?: string; state?: string; after?: string }) => {
    const state = o.state as 'permit' | 'deny' | 'withdrawn' | undefined;
    const overview = await client().personConsentOverview({ ...o, state });
    if (overview.next !== null) note(`more: --after ${overview.next}`);
    print(overview);
  });
audit
  .command('receipt')
  .description('a signed checkpoint covering every entry about your datasets (originators); keep it')
  .option('--dataset <id>', 'one of your datasets (default: all)')
  .option('--out <file>', 'also write the checkpoint JWS here, for `renkei audit verify --checkpoint <file>`')
  .action(async (o: { dataset?: string; out?: string }) => {
    const c = client();
    const receipt = await c.auditReceipts({ dataset: o.dataset });
    // Check the signature here, against the platform's keys, before keeping it.
    try {
      await verifyCheckpointSignature(receipt.checkpoint.jws, await c.auditCheckpointKeys());
    } catch (error) {
      note(
        `the receipt's checkpoint does not verify against the platform's keys: ${(error as Error).message}`,
      );
      process.exitCode = 4;
      return;
    }
    if (o.out) {
      writeFileSync(o.out, receipt.checkpoint.jws + '\n');
      note(`checkpoint ${receipt.checkpoint.seq} written to ${o.out}`);
    }
    note(
      `${receipt.entries.length} entries about your datasets, covered by checkpoint ${receipt.checkpoint.seq}`,
    );
    print(receipt);
  });
audit
  .command('checkpoint')
  .description('the latest signed checkpoint of the audit chain')
  .option('--create', 'sign one of the current head now (compliance officers, admins)')
  .option('--out <file>', 'also write the checkpoint JWS here')
  .action(async (o: { create?: boolean; out?: string }) => {
    const c = client();
    const checkpoint = o.create ? await c.createAuditCheckpoint() : await c.auditCheckpoint();
    if (o.out) writeFileSync(o.out, checkpoint.jws + '\n');
    print(checkpoint);
  });

const keys = program.command('keys').description("the platform's token signing keys (consortium admin)");
keys
  .command('list')
  .description('kids, states and times of the signing keys (no private parts)')
  .action(async () => {
    const ring = await client().signingKeys();
    for (const k of ring.keys) {
      note(
        `${k.kid}  ${k.state.padEnd(8)}  ${k.activatesAt ? `activates ${k.activatesAt}` : k.leavesJwksAt ? `leaves JWKS ${k.leavesJwksAt}` : (k.activatedAt ?? '')}`,
      );
    }
    print(ring);
  });
keys
  .command('rotate')
  .description('create a new signing key: published now, signing after the pre-publication delay')
  .option(
    '--activate-after <seconds>',
    'sign sooner (after a key compromise); default: the configured delay',
    int(0),
  )
  .action(async (o: { activateAfter?: number }) => {
    const result = await client().rotateSigningKey(o.activateAfter);
    note(
      `${result.result}: ${result.key.kid} (${result.key.state}${result.key.activatesAt ? `, activates ${result.key.activatesAt}` : ''})`,
    );
    print(result);
  });

const sim = program
  .command('sim')
  .description('the CPS digital twin: scenarios, runs, charts, derived datasets (credentials need "cpsSim")');
sim
  .command('inputs')
  .description("the twin's inputs: grant state, events applied, stream position")
  .action(async () => print(await client({ sim: true }).simInputs()));
sim
  .command('follow <dataset>')
  .description('request access to a dataset for the twin (the originator approves) and follow it')
  .requiredOption('--purpose <purpose>', 'a purpose the contract offers')
  .action(async (dataset: string, o: { purpose: string }) =>
    print(await client({ sim: true }).simRequestInput(dataset, o.purpose)),
  );
sim
  .command('twin')
  .description('the twin now: counts, digest and inputs')
  .option('--rebuild', 'replay every input from the start first (the digest must not change)')
  .action(async (o: { rebuild?: boolean }) => {
    const c = client({ sim: true });
    if (o.rebuild) {
      const r = await c.simRebuildTwin();
      note(`rebuilt from ${r.events} events: ${r.identical ? 'identical' : 'DIFFERENT'} digest`);
    }
    print(await c.simTwin());
  });
sim
  .command('define <scenario.json>')
  .description(
    'define a scenario: {name, kind, params} (kind: disruption, method-switch, cfp-rollup, hospital-occupancy)',
  )
  .action(async (file: string) => {
    const body = readJson(file) as ScenarioDefinition;
    print(await client({ sim: true }).defineScenario(body));
  });
sim
  .command('scenarios')
  .description('the scenarios defined')
  .action(async () => print(await client({ sim: true }).scenarios()));
sim
  .command('run <scenarioId>')
  .description(
    'run a scenario on a snapshot of the twin; waits and prints the result (--no-wait: the run id)',
  )
  .option('--seed <n>', 'the seed (the same seed on the same twin repeats the run exactly)', int(0))
  .option('--no-wait', 'return at once with the run id')
  .action(async (scenarioId: string, o: { seed?: number; wait: boolean }) => {
    const c = client({ sim: true });
    const started = await c.runScenario(scenarioId, o.seed === undefined ? {} : { seed: o.seed });
    if (!o.wait) return print(started);
    // The run pushes its progress (Server-Sent Events); nothing is polled.
    let shown = '';
    for await (const { event, data } of c.runEvents(started.runId)) {
      const line = `${data.status} ${Math.round(data.progress * 100)}%`;
      if (line !== shown) note(line);
      shown = line;
      if (event === 'failed') throw new UsageError(`run ${started.runId} failed: ${data.error ?? ''}`);
      if (event === 'done') return print(await c.runResult(started.runId));
    }
    throw new UsageError(`the progress of run ${started.runId} ended early; see \`renkei sim status\``);
  });
sim
  .command('status <runId>')
  .description("a run's status, progress, lineage and seed")
  .action(async (runId: string) => print(await client({ sim: true }).run(runId)));
sim
  .command('result <runId>')
  .description("a finished run's result with chart-ready series")
  .action(async (runId: string) => print(await client({ sim: true }).runResult(runId)));
sim
  .command('chart <runId>')
  .description("the run's main series as an SVG chart")
  .option('-o, --output <file.svg>', 'write to a file instead of stdout')
  .action(async (runId: string, o: { output?: string }) => {
    const svg = await client({ sim: true }).chartSvg(runId);
    if (o.output) {
      writeFileSync(o.output, svg);
      note(`wrote ${o.output}`);
    } else process.stdout.write(svg + '\n');
  });
sim
  .command('publish <runId>')
  .description('publish the result as a derived dataset carrying lineage to its inputs')
  .option('--dataset <dataset>', 'the derived dataset (default cps.<kind>-forecast)')
  .option('--aggregate', 'declare the result an aggregate revealing no single contributor')
  .action(async (runId: string, o: { dataset?: string; aggregate?: boolean }) =>
    print(
      await client({ sim: true }).publishRun(runId, { dataset: o.dataset, aggregate: o.aggregate ?? false }),
    ),
  );

/** A checkpoint JWS from a file: the raw JWS, or JSON with `jws` (a checkpoint) or `checkpoint.jws` (a receipt). */
function readCheckpoint(file: string): string {
  let text: string;
  try {
    text = (file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8')).trim();
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { jws?: unknown; checkpoint?: { jws?: unknown } };
      const jws = parsed.jws ?? parsed.checkpoint?.jws;
      if (typeof jws === 'string') return jws;
    } catch {
      // not JSON after all: reported below
    }
    throw new UsageError(`${file} has no checkpoint: expected a JWS, or JSON with "jws" or "checkpoint.jws"`);
  }
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text))
    throw new UsageError(`${file} is not a compact JWS`);
  return text;
}

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof RenkeiError) {
    note(`error ${error.code} (${error.status}): ${error.detail}`);
    // A policy refusal says why, reason by reason: the first is the rule that decided.
    for (const e of error.explanations) note(`  why (${e.code}): ${e.message}`);
    if (error.explanations.length === 0 && error.explanation)
      note(`  why (${error.rule ?? error.code}): ${error.explanation}`);
    for (const e of (error.problem.errors as { path: string; message: string }[] | undefined) ?? [])
      note(`  at ${e.path}: ${e.message}`);
    // The service's hint fits this case; without one, the catalogue says what to do about the code in general.
    const hint =
      typeof error.problem.hint === 'string' ? error.problem.hint : errorCodeInfo(error.code)?.action;
    if (hint) note(`  what to do: ${hint}`);
    process.exitCode = 2;
  } else if (error instanceof UsageError) {
    note(`error: ${error.message}`);
    process.exitCode = 1;
  } else if (error instanceof RenkeiUnreachableError) {
    note(`error: ${error.message}: is the service running, and are the URLs in your credentials right?`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
