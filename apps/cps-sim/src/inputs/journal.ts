import { compareEvents, type TwinEvent } from '@renkei/simulation';

/** One event as the exchange delivered it to the service, with where it sits in its topic. */
export interface JournalEntry {
  event: TwinEvent;
  partition: number;
  offset: bigint;
  contractVersion: string;
  originator: string;
}

/** `partition:offset` as the exchange writes it. */
export function parsePosition(position: string): { partition: number; offset: bigint } {
  const [partition, offset] = position.split(':');
  return { partition: Number(partition), offset: BigInt(offset ?? '0') };
}

/**
 * The one order the twin is built in, whatever order the streams delivered in: the engine's own
 * (`compareEvents`: time of occurrence, dataset, event id), then topic position. It is a total order over
 * the events themselves, so a replay from the start (or a rebuild after an input is dropped) gives exactly
 * the same twin as the live ingestion did, and the same as a TwinBuilder over the originators' events.
 */
export function canonicalCompare(a: JournalEntry, b: JournalEntry): number {
  const byEvent = compareEvents(a.event, b.event);
  if (byEvent !== 0) return byEvent;
  if (a.partition !== b.partition) return a.partition - b.partition;
  return a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0;
}

/** The raw events one input contributed, deduplicated by event id (the exchange delivers at least once). */
export class DatasetJournal {
  private readonly entries: JournalEntry[] = [];
  private readonly ids = new Set<string>();
  /** partition -> last offset applied */
  readonly positions = new Map<number, bigint>();
  lastEventId: string | null = null;
  contractVersions = new Set<string>();
  originators = new Set<string>();

  constructor(readonly dataset: string) {}

  /** Returns false for a duplicate. */
  add(entry: JournalEntry): boolean {
    const known = this.positions.get(entry.partition);
    if (known === undefined || entry.offset > known) this.positions.set(entry.partition, entry.offset);
    if (this.ids.has(entry.event.id)) return false;
    this.ids.add(entry.event.id);
    this.entries.push(entry);
    this.lastEventId = entry.event.id;
    this.contractVersions.add(entry.contractVersion);
    this.originators.add(entry.originator);
    return true;
  }

  get size(): number {
    return this.entries.length;
  }

  all(): readonly JournalEntry[] {
    return this.entries;
  }

  /** `after` for the SDK's stream(): resume exactly past what was applied. */
  after(): Record<number, string> {
    return Object.fromEntries([...this.positions].map(([p, o]) => [p, o.toString()]));
  }

  clear(): void {
    this.entries.length = 0;
    this.ids.clear();
    this.positions.clear();
    this.lastEventId = null;
    this.contractVersions.clear();
    this.originators.clear();
  }
}
