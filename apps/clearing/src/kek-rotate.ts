/**
 * `npm run kek:rotate`: re-wraps every data key and signing key under the current key-encryption key
 * (KEY_ENCRYPTION_KEY), opening them with the KEKs in KEY_ENCRYPTION_KEY_PREVIOUS (ADR 0037; docs/operations.md,
 * "Rotating keys"). Safe to run while clearing replicas serve and to run twice; progress goes to stderr as
 * JSON lines. Exit 0 once nothing is left under another KEK, 1 otherwise (e.g. a KEK missing from the
 * configuration: the rows it wrapped are listed by id and left as they are).
 */
import { z } from 'zod';
import { KekRing } from '@renkei/crypto';
import { createPrisma } from '@renkei/persistence';
import { loadConfig } from '@renkei/platform';
import { clearingConfigSchema } from './clearing.config.js';
import { rotateKek } from './data-keys/kek-rotation.js';

export const kekRotateConfigSchema = clearingConfigSchema
  .pick({ DATABASE_URL: true, KEY_ENCRYPTION_KEY: true, KEY_ENCRYPTION_KEY_PREVIOUS: true })
  .extend({
    KEK_ROTATE_BATCH_SIZE: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(500)
      .describe('kek:rotate: keys re-wrapped per transaction (each batch locks only its own rows)'),
    KEK_ROTATE_ACTOR: z
      .string()
      .min(1)
      .max(200)
      .default('renkei-kek-rotate')
      .describe('kek:rotate: who ran it, as the kek.rotated audit record names the actor'),
  });

async function main(): Promise<number> {
  const config = loadConfig(kekRotateConfigSchema);
  const keks = KekRing.fromConfig(config.KEY_ENCRYPTION_KEY, config.KEY_ENCRYPTION_KEY_PREVIOUS);
  const prisma = createPrisma(config.DATABASE_URL);
  const log = (line: object) => process.stderr.write(JSON.stringify(line) + '\n');
  try {
    log({ kek: keks.current.id, unwrapOnly: keks.ids.slice(1), msg: 'rotating to the current KEK' });
    const result = await rotateKek(prisma, keks, {
      batchSize: config.KEK_ROTATE_BATCH_SIZE,
      actorId: config.KEK_ROTATE_ACTOR,
      onProgress: (p) =>
        log({
          kek: p.kek,
          dataKeys: p.dataKeys,
          signingKeys: p.signingKeys,
          remaining: p.remaining,
          unreadable: p.unreadable.length,
        }),
    });
    for (const row of result.unreadable)
      log({ ...row, msg: 'no configured KEK opens this key: add its KEK to KEY_ENCRYPTION_KEY_PREVIOUS' });
    process.stdout.write(JSON.stringify({ ...result, unreadable: result.unreadable.length }) + '\n');
    return result.remaining === 0 ? 0 : 1;
  } finally {
    await prisma.$disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
