import { isDate } from '../util';

/** Escapes element text (no attributes are written, so quotes stay as they are). */
export const escapeXml = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);

/** A scalar as the XML protocols write it: ISO-8601 times, base64 blobs, escaped text. */
export function scalarXml(of: string, value: unknown): string {
  if (isDate(value)) return value.toISOString();
  if (of === 'timestamp' && typeof value === 'number') return new Date(value * 1000).toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return escapeXml(String(value));
}
