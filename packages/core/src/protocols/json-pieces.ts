/**
 * JSON text of an answer with a long list, in pieces of ~32 KB. `JSON.stringify` builds a large
 * result as a rope that must be flattened before it can be written, and a flat string of 900 KB
 * lives in V8's large-object space: fresh pages each time, zero-filled by the kernel on first
 * touch. For a 10,000-event GetLogEvents page that flattening cost ~5 ms of ~7; pieces stay in
 * the young generation, whose pages are already in use (bench/log-delivery.mjs profile).
 */

/** Lists shorter than this are stringified with the rest of the answer. */
const LONG_LIST = 64;
/** Elements stringified first, to measure them. */
const FIRST_SLICE = 8;
/** Target length of one piece (UTF-16 units), well under V8's large-object threshold (128 KiB). */
const PIECE_CHARS = 32 * 1024;

/** `JSON.stringify(value)`, or its text in pieces when a top-level member is a long, large list. */
export function stringifyJson(value: unknown): string | string[] {
  if (!hasLongList(value)) return JSON.stringify(value);
  const pieces: string[] = [];
  let head = '{';
  let members = 0;
  for (const key in value as Record<string, unknown>) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    // Members JSON.stringify leaves out of an object.
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    head += `${members++ ? ',' : ''}${JSON.stringify(key)}:`;
    if (!Array.isArray(v) || v.length < LONG_LIST) {
      head += JSON.stringify(v);
      continue;
    }
    const joined = joinSafeStrings(v);
    if (joined !== undefined) {
      head += joined;
      continue;
    }
    // A first slice of a few elements measures them: a list that comes to less than two pieces
    // (ListTasks' 100 ARNs, 8 KB) is cheaper as one string; the next slices are sized to PIECE_CHARS.
    let per = FIRST_SLICE;
    const first = JSON.stringify(v.slice(0, per));
    if ((first.length * v.length) / per < 2 * PIECE_CHARS) {
      head += JSON.stringify(v);
      continue;
    }
    pieces.push(`${head}[`);
    for (let i = 0; i < v.length;) {
      const text = i ? JSON.stringify(v.slice(i, i + per)) : first;
      // The slice's own brackets are left out; a comma joins it to the piece before.
      pieces.push(i ? `,${text.slice(1, -1)}` : text.slice(1, -1));
      i += per;
      per = Math.max(1, Math.floor((per * PIECE_CHARS) / text.length));
    }
    head = ']';
  }
  if (!pieces.length) return `${head}}`;
  pieces.push(`${head}}`);
  return pieces;
}

/**
 * Strings found to need no escaping in JSON, up to SAFE_STRING_CHARS each (an ARN is ~100), and
 * emptied when it holds MAX_SAFE_STRINGS: at most ~5 MB held, ~0.5 MB for 10,000 task ARNs (which
 * the tasks themselves hold anyway).
 */
const MAX_SAFE_STRINGS = 10_000;
const SAFE_STRING_CHARS = 256;
const safeStrings = new Set<string>();
/** What JSON.stringify escapes: quote, backslash, control characters, (lone) surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const ESCAPED = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * The JSON text of a list of strings that need no escaping, joined between quotes; undefined for
 * any other list, or one long enough to be written in pieces. A List* page repeats the same ARNs on
 * every call, and checking a string costs what JSON.stringify's own scan does (~1 ns a character),
 * so the strings found safe are remembered: one Set lookup each instead. ListTasks' 100 ARNs took
 * 2.9 µs instead of 8.4 µs, ~8 % of the request's CPU (perf, bench/api-floor.mjs at 16 connections).
 */
function joinSafeStrings(list: unknown[]): string | undefined {
  let chars = 0;
  for (const s of list) {
    if (typeof s !== 'string') return undefined;
    if (!safeStrings.has(s)) {
      if (ESCAPED.test(s)) return undefined;
      if (safeStrings.size >= MAX_SAFE_STRINGS) safeStrings.clear();
      if (s.length <= SAFE_STRING_CHARS) safeStrings.add(s);
    }
    chars += s.length + 3;
    if (chars >= 2 * PIECE_CHARS) return undefined;
  }
  return list.length ? `["${list.join('","')}"]` : '[]';
}

function hasLongList(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  for (const key in value as Record<string, unknown>) {
    const v = (value as Record<string, unknown>)[key];
    if (Array.isArray(v) && v.length >= LONG_LIST) return true;
  }
  return false;
}
