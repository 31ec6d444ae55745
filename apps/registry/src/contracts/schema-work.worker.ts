/**
 * Worker-thread entry (piscina) for schema work. It first tells the pool the task has started, so that
 * the time budget counts running time only, not time spent waiting in the queue.
 */
import type { MessagePort } from 'node:worker_threads';
import { runSchemaTask, type SchemaTask, type SchemaTaskResult } from './schema-work.task.js';

export default function run({ task, started }: { task: SchemaTask; started: MessagePort }): SchemaTaskResult {
  started.postMessage('started');
  started.close();
  return runSchemaTask(task);
}
