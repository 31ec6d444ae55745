import { DeadlineExceeded } from './deadline.js';

/**
 * Whether an error means "a dependency (Kafka, PostgreSQL) is unavailable right now" rather than a bug:
 * such errors become 503 with Retry-After at the edge and never end the process. Recognised by what the
 * clients themselves say — kafkajs error classes, pg/Node socket codes, PostgreSQL's connection and
 * cancellation SQLSTATEs, Prisma's connectivity codes and driver-adapter kinds — walking the cause chain.
 */
export function isDependencyFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (matches(current as Record<string, unknown>)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** Prisma: can't reach, timed out, closed connection, pool timeout, transaction API (expired/closed). */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** Driver-adapter kinds (@prisma/adapter-pg) for a server that is not there. */
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
/** Connection exceptions (08), operator intervention (57: shutdown, cancel, cannot connect now), 53300. */
const SQLSTATE = /^(08...|57P0[1-4]|57014|53300)$/;
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection closed|server closed the connection|the database system is (starting up|shutting down)|Can't reach database server|Timed out fetching a new connection/i;

function matches(e: Record<string, unknown>): boolean {
  if (e instanceof DeadlineExceeded) return true;
  const name = typeof e.name === 'string' ? e.name : '';
  if (name.startsWith('KafkaJS')) return true;
  if (name === 'PrismaClientInitializationError') return true;
  const code = typeof e.code === 'string' ? e.code : typeof e.errorCode === 'string' ? e.errorCode : '';
  if (SOCKET_CODES.has(code) || PRISMA_CODES.has(code) || SQLSTATE.test(code)) return true;
  const kind = typeof e.kind === 'string' ? e.kind : '';
  if (ADAPTER_KINDS.has(kind)) return true;
  if (kind === 'postgres' && typeof e.code === 'string' && SQLSTATE.test(e.code)) return true;
  const original = typeof e.originalCode === 'string' ? e.originalCode : '';
  if (SQLSTATE.test(original)) return true;
  // DriverAdapterError keeps the adapter's mapped error on `.cause` as a plain object (walked next).
  return typeof e.message === 'string' && MESSAGES.test(e.message);
}
