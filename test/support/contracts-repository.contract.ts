/**
 * What ContractsService relies on from any ContractsRepository, as one suite run against each store: the
 * in-memory one of the unit specs (apps/registry/src/contracts/contracts.repository.spec.ts) and the
 * PostgreSQL one (test/integration/contracts-repository.test.ts). A fake that passes it behaves like the
 * database where the service's rules depend on it.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  ContractsRepository,
  NewContract,
} from '../../apps/registry/src/contracts/contracts.repository.js';

export interface RepositoryUnderTest {
  repo: ContractsRepository;
  /** Adds a participant (datasets and versions name an owner that exists). */
  participant(status: 'active' | 'suspended'): Promise<string>;
  /** The registry events written so far, oldest first. */
  events(): Promise<unknown[]>;
}

const terms = {
  title: 'Battery cell carbon footprint',
  description: null,
  domain: 'supply-chain',
  purposes: ['cfp-disclosure'],
  sensitivity: 'confidential',
  residency: null,
  retentionDays: 365,
  visibility: 'consortium',
  invited: [],
  approval: 'originator',
  tags: ['cooperative'],
  fields: { cfpKgCo2ePerKwh: { tags: ['cooperative'], residency: null, description: null } },
  schema: { type: 'object', properties: { lotId: { type: 'string' } } },
};

export function describeContractsRepository(name: string, setup: () => Promise<RepositoryUnderTest>): void {
  describe(`ContractsRepository: ${name}`, () => {
    let store: RepositoryUnderTest;
    let owner: string;
    beforeAll(async () => {
      store = await setup();
      owner = await store.participant('active');
    });

    const version = (dataset: string, v: string, over: Partial<NewContract> = {}): NewContract => ({
      ...terms,
      id: randomUUID(),
      dataset,
      version: v,
      ownerId: owner,
      status: 'active',
      compatibility: 'BACKWARD',
      lineage: null,
      derived: null,
      source: null,
      ...over,
    });
    const dataset = async () => {
      const id = `it.ds-${randomUUID().slice(0, 8)}`;
      await store.repo.inTransaction((tx) =>
        tx.createDataset({ id, ownerId: owner, compatibility: 'BACKWARD' }),
      );
      return id;
    };

    it("reads a participant's status, and which of several ids name a participant", async () => {
      const suspended = await store.participant('suspended');
      expect(await store.repo.participantStatus(owner)).toBe('active');
      expect(await store.repo.participantStatus(suspended)).toBe('suspended');
      expect(await store.repo.participantStatus(randomUUID())).toBeNull();
      const nobody = randomUUID();
      expect(await store.repo.existingParticipants([owner, nobody, suspended])).toEqual(
        new Set([owner, suspended]),
      );
    });

    it('keeps a dataset with its owner and mode, locked and read alike; an unknown one is null', async () => {
      const id = await dataset();
      const expected = { id, ownerId: owner, compatibility: 'BACKWARD' };
      expect(await store.repo.dataset(id)).toEqual(expected);
      expect(await store.repo.inTransaction((tx) => tx.lockDataset(id))).toEqual(expected);
      expect(await store.repo.dataset('it.none')).toBeNull();
      const changed = await store.repo.inTransaction((tx) => tx.setCompatibility(id, 'FULL'));
      expect(changed).toMatchObject({ ownerId: owner, updatedAt: expect.any(Date) });
      expect(await store.repo.dataset(id)).toMatchObject({ compatibility: 'FULL' });
    });

    it('stores a version with its terms as given, not current until marked', async () => {
      const id = await dataset();
      const created = await store.repo.inTransaction((tx) => tx.createVersion(version(id, '1.0.0')));
      expect(created).toMatchObject({
        ...terms,
        dataset: id,
        version: '1.0.0',
        ownerId: owner,
        current: false,
        lineage: null,
        derived: null,
        source: null,
      });
      expect(await store.repo.version(id, '1.0.0')).toEqual(created);
      const source = { agreementId: 'urn:uuid:0b6f3c1e', provider: owner, dataset: 'urn:edc:asset:1' };
      const received = await store.repo.inTransaction((tx) =>
        tx.createVersion(version(id, '1.1.0', { source })),
      );
      expect(received.source).toEqual(source);
      expect((await store.repo.versionWithOwner(id, '1.0.0'))?.owner).toMatchObject({
        id: owner,
        status: 'active',
      });
      expect(await store.repo.version(id, '9.9.9')).toBeNull();
    });

    it('answers a second version with the same number as the race it is: 409 CONTRACT.CONCURRENT_CHANGE', async () => {
      const id = await dataset();
      await store.repo.inTransaction((tx) => tx.createVersion(version(id, '1.0.0')));
      await expect(
        store.repo.inTransaction((tx) => tx.createVersion(version(id, '1.0.0'))),
      ).rejects.toMatchObject({
        code: 'CONTRACT.CONCURRENT_CHANGE',
      });
    });

    it('leaves nothing behind when a transaction fails: dataset, version, transition and event roll back', async () => {
      const id = `it.ds-${randomUUID().slice(0, 8)}`;
      const events = (await store.events()).length;
      const failure = new Error('refused after the writes');
      await expect(
        store.repo.inTransaction(async (tx) => {
          await tx.createDataset({ id, ownerId: owner, compatibility: 'BACKWARD' });
          const row = await tx.createVersion(version(id, '1.0.0'));
          await tx.recordTransition({
            contractId: row.id,
            fromStatus: null,
            toStatus: 'active',
            actorId: owner,
            reason: null,
            at: new Date(),
          });
          await tx.emit(
            { type: 'dataset.changed', dataset: id, owner, compatibility: 'BACKWARD' },
            id,
            owner,
          );
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await store.repo.dataset(id)).toBeNull();
      expect(await store.repo.versions(id)).toEqual([]);
      expect(await store.events()).toHaveLength(events);
    });

    it('hands out snapshots: a row read before a change keeps what it read', async () => {
      const id = await dataset();
      const created = await store.repo.inTransaction((tx) => tx.createVersion(version(id, '1.0.0')));
      const [before] = await store.repo.versions(id);
      await store.repo.inTransaction((tx) => tx.updateStatus(created.id, 'deprecated', 'BACKWARD'));
      expect(before?.status).toBe('active');
      expect((await store.repo.version(id, '1.0.0'))?.status).toBe('deprecated');
    });

    it('moves the current flag: cleared on every version but the kept one, then set on it', async () => {
      const id = await dataset();
      const one = await store.repo.inTransaction((tx) => tx.createVersion(version(id, '1.0.0')));
      const two = await store.repo.inTransaction((tx) => tx.createVersion(version(id, '1.1.0')));
      await store.repo.inTransaction((tx) => tx.setCurrent(one.id));
      await store.repo.inTransaction(async (tx) => {
        await tx.clearCurrent(id, two.id);
        await tx.setCurrent(two.id);
      });
      const current = (await store.repo.versions(id)).filter((v) => v.current).map((v) => v.version);
      expect(current).toEqual(['1.1.0']);
      await store.repo.inTransaction((tx) => tx.clearCurrent(id, null));
      expect((await store.repo.versions(id)).some((v) => v.current)).toBe(false);
    });

    it('edits terms, finds versions by (dataset, version) pairs, and lists transitions oldest first', async () => {
      const id = await dataset();
      const row = await store.repo.inTransaction((tx) =>
        tx.createVersion(version(id, '1.0.0', { status: 'draft' })),
      );
      const edited = await store.repo.inTransaction((tx) =>
        tx.updateTerms(row.id, { ...terms, title: 'Edited' }),
      );
      expect(edited).toMatchObject({ id: row.id, title: 'Edited', status: 'draft' });
      expect(
        (
          await store.repo.versionsOf([
            { dataset: id, version: '1.0.0' },
            { dataset: id, version: '2.0.0' },
          ])
        ).map((v) => v.id),
      ).toEqual([row.id]);
      for (const [from, to] of [
        [null, 'draft'],
        ['draft', 'active'],
      ] as const) {
        await store.repo.inTransaction((tx) =>
          tx.recordTransition({
            contractId: row.id,
            fromStatus: from,
            toStatus: to,
            actorId: owner,
            reason: null,
            at: new Date(),
          }),
        );
      }
      expect((await store.repo.transitions(row.id)).map((t) => [t.fromStatus, t.toStatus])).toEqual([
        [null, 'draft'],
        ['draft', 'active'],
      ]);
    });

    it('writes registry events with their id, actor and time, in order', async () => {
      const id = await dataset();
      await store.repo.inTransaction((tx) =>
        tx.emit({ type: 'dataset.changed', dataset: id, owner, compatibility: 'FULL' }, id, owner),
      );
      expect((await store.events()).at(-1)).toMatchObject({
        type: 'dataset.changed',
        dataset: id,
        compatibility: 'FULL',
        actor: owner,
        id: expect.any(String),
        at: expect.any(String),
      });
    });
  });
}
