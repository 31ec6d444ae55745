import { randomUUID } from 'node:crypto';
import { describeContractsRepository } from '../../../../test/support/contracts-repository.contract.js';
import { InMemoryContracts } from '../../../../test/support/in-memory-contracts.js';

// The in-memory store the unit specs use keeps the semantics the PostgreSQL one has (same suite,
// test/integration/contracts-repository.test.ts).
describeContractsRepository('in memory', () => {
  const repo = new InMemoryContracts();
  return Promise.resolve({
    repo,
    participant: (status) => {
      const id = randomUUID();
      repo.state.participants.set(id, { id, status });
      return Promise.resolve(id);
    },
    events: () => Promise.resolve(repo.state.events),
  });
});
