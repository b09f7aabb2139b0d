/** Small HTTP helpers for the emulators: bodies, JSON answers with exact big integers, forms. */
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY = 256 * 1024;

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new RangeError('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * JSON text in which BigInt values are written as plain integers, so that ids above 2^53 go on
 * the wire exactly as a venue sends them.
 */
export function toJson(value: unknown): string {
  const marker = '\u0000big:';
  const text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${marker}${item.toString()}` : item));
  return text.replace(/"\\u0000big:(-?\d+)"/g, '$1');
}

export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = toJson(value);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

/** Parses application/x-www-form-urlencoded or a simple multipart/form-data body into fields. */
export function parseForm(contentType: string | undefined, body: string): Record<string, string> {
  const type = contentType ?? '';
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2];
    if (!boundary) throw new TypeError('multipart body without boundary');
    const fields: Record<string, string> = {};
    for (const part of body.split(`--${boundary}`)) {
      const match = /name="([^"]+)"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n?$/.exec(part);
      if (match?.[1] !== undefined) fields[match[1]] = match[2] ?? '';
    }
    return fields;
  }
  return Object.fromEntries(new URLSearchParams(body));
}
