import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { createPrisma, type PrismaClient } from '@renkei/persistence';
import { PrismaContractsRepository } from '../../apps/registry/src/contracts/prisma-contracts.repository.js';
import { describeContractsRepository } from '../support/contracts-repository.contract.js';
import { freshDatabase } from '../support/database.js';

const root = new URL('../..', import.meta.url).pathname;
let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
let prisma: PrismaClient | undefined;

// The registry's store on real PostgreSQL, held to the suite the in-memory store of the unit specs passes.
describeContractsRepository('PostgreSQL (Prisma)', async () => {
  db = await freshDatabase(root, 'contracts-repo');
  const client = createPrisma(db.url);
  prisma = client;
  return {
    repo: new PrismaContractsRepository(client),
    participant: async (status) => {
      const id = randomUUID();
      await client.participant.create({
        data: {
          id,
          legalName: `Member ${id.slice(0, 8)}`,
          industry: 'batteries',
          country: 'JP',
          roles: ['member'],
          status,
          jwks: { keys: [] },
        },
      });
      return id;
    },
    events: async () =>
      (await client.registryOutbox.findMany({ orderBy: { id: 'asc' } })).map((r) => r.value),
  };
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});
