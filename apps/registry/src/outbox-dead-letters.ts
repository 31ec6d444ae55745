import { deadLetterNotice } from '@renkei/kafka';
import type { OnDeadLetter } from '@renkei/persistence';
import { emitRegistryEvent } from './registry-events.js';

/**
 * The registry's dead letters are announced on its own event topic, in the transaction that parks them;
 * clearing puts them on the audit chain. The announcement is small (no payload), so it is never a poison
 * message itself.
 */
export const announceRegistryDeadLetters: OnDeadLetter = async (tx, letters) => {
  const at = new Date();
  for (const letter of letters) {
    await emitRegistryEvent(
      tx,
      { type: 'outbox.dead-lettered', service: 'registry', deadLetter: deadLetterNotice(letter, at) },
      'outbox',
      'renkei-registry',
      at,
    );
  }
};
