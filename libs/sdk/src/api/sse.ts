/** One Server-Sent Event as the stream carried it (comments such as heartbeats are skipped). */
export interface ServerSentEvent {
  id: string | null;
  event: string;
  data: string;
}

/**
 * Reads a `text/event-stream` body (the WHATWG format: fields `id`, `event`, `data`, events ended by a blank
 * line, lines starting with `:` are comments) and yields each event as it is complete.
 */
export async function* serverSentEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event: ServerSentEvent = { id: null, event: 'message', data: '' };
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) yield { ...event, data: data.join('\n') };
        event = { id: event.id, event: 'message', data: '' };
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'event') event.event = value;
      else if (field === 'id') event.id = value;
    }
  }
}
