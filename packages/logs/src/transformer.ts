/**
 * Log transformers: the checks AWS makes on a processor list (PutTransformer, TestTransformer) and
 * the processors Dockside evaluates, applied in order to one log event. A field is a dot path into
 * the event's JSON; `@message` is the raw message. The AWS-vended parsers other than parseVPC
 * (CloudFront, Route 53, OCSF, Postgres, WAF) and dateTimeConverter are accepted but not evaluated.
 */
type Json = Record<string, unknown>;
export type ProcessorConfig = Record<string, Json | undefined>;

export class TransformerError extends Error {}

const CONFIGURABLE_PARSERS = ['parseJSON', 'csv', 'grok', 'parseKeyValue'];
const VENDED_PARSERS = ['parseCloudfront', 'parseRoute53', 'parseToOCSF', 'parsePostgres', 'parseVPC', 'parseWAF'];
const ONCE = ['grok', 'addKeys', 'copyValue'];
const NOT_EVALUATED = new Set([
  'parseCloudfront',
  'parseRoute53',
  'parseToOCSF',
  'parsePostgres',
  'parseWAF',
  'dateTimeConverter',
]);

const kindOf = (p: ProcessorConfig): string => {
  const set = Object.keys(p).filter((k) => p[k] !== undefined && p[k] !== null);
  if (set.length !== 1) throw new TransformerError('Each processor must specify exactly one processor type.');
  return set[0];
};

/** AWS's rules for a transformer: 1–20 processors, a parser first, at most five parsers, and so on. */
export function checkTransformer(config: ProcessorConfig[]): string[] {
  if (!config.length || config.length > 20) throw new TransformerError('A transformer must have 1 to 20 processors.');
  const kinds = config.map(kindOf);
  const parsers = kinds.filter((k) => CONFIGURABLE_PARSERS.includes(k) || VENDED_PARSERS.includes(k));
  if (!parsers.length || !(CONFIGURABLE_PARSERS.includes(kinds[0]) || VENDED_PARSERS.includes(kinds[0]))) {
    throw new TransformerError('The first processor in a transformer must be a parser.');
  }
  if (parsers.length > 5) throw new TransformerError('A transformer can have at most 5 parsers.');
  const vended = kinds.filter((k) => VENDED_PARSERS.includes(k));
  if (vended.length > 1 || (vended.length && !VENDED_PARSERS.includes(kinds[0]))) {
    throw new TransformerError(
      `A transformer can include only one AWS vended log parser, and it must be the first processor.`,
    );
  }
  for (const once of ONCE) {
    if (kinds.filter((k) => k === once).length > 1)
      throw new TransformerError(`A transformer can include only one ${once} processor.`);
  }
  return kinds;
}

const path = (key: string) => key.split('.');

function get(doc: Json, key: string): unknown {
  let cur: unknown = doc;
  for (const part of path(key)) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[part];
  }
  return cur;
}

function set(doc: Json, key: string, value: unknown, overwrite = true): void {
  const parts = path(key);
  let cur = doc;
  for (const part of parts.slice(0, -1)) {
    if (!cur[part] || typeof cur[part] !== 'object') cur[part] = {};
    cur = cur[part] as Json;
  }
  const last = parts[parts.length - 1];
  if (overwrite || cur[last] === undefined) cur[last] = value;
}

function del(doc: Json, key: string): void {
  const parts = path(key);
  const parent = parts.length > 1 ? get(doc, parts.slice(0, -1).join('.')) : doc;
  if (parent && typeof parent === 'object') delete (parent as Json)[parts[parts.length - 1]];
}

/** One event being transformed: its raw message and the structured document built from it. */
interface Event {
  message: string;
  doc: Json;
}

const read = (e: Event, source = '@message'): unknown => (source === '@message' ? e.message : get(e.doc, source));

function place(e: Event, parsed: Json, destination?: string, overwrite = true) {
  if (destination) set(e.doc, destination, parsed);
  else for (const [k, v] of Object.entries(parsed)) set(e.doc, k, v, overwrite);
}

function splitCsv(line: string, delimiter: string, quote: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === quote) {
      if (quoted && line[i + 1] === quote) {
        cur += quote;
        i++;
      } else quoted = !quoted;
    } else if (c === delimiter && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const GROK: Record<string, string> = {
  WORD: '\\b\\w+\\b',
  NOTSPACE: '\\S+',
  SPACE: '\\s*',
  DATA: '.*?',
  GREEDYDATA: '.*',
  INT: '[+-]?\\d+',
  POSINT: '\\b[1-9]\\d*\\b',
  NUMBER: '[+-]?(?:\\d+(?:\\.\\d+)?|\\.\\d+)',
  BASE10NUM: '[+-]?(?:\\d+(?:\\.\\d+)?|\\.\\d+)',
  IPV4: '(?:\\d{1,3}\\.){3}\\d{1,3}',
  IP: '(?:(?:\\d{1,3}\\.){3}\\d{1,3}|[0-9A-Fa-f:]+)',
  HOSTNAME: '\\b[0-9A-Za-z][0-9A-Za-z-.]*\\b',
  UUID: '[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}',
  LOGLEVEL:
    '(?:[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo|INFO|[Ww]arn(?:ing)?|WARN(?:ING)?|[Ee]rr(?:or)?|ERR(?:OR)?|[Cc]rit(?:ical)?|CRIT(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?)',
  TIMESTAMP_ISO8601: '\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:?\\d{2}(?::?\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?',
  QUOTEDSTRING: '"(?:[^"\\\\]|\\\\.)*"',
  URIPATH: "(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\\-]*)+",
  HTTPDATE: '\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}',
};

function grokRegex(match: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const src = match.replace(/%\{(\w+)(?::([\w.@]+))?\}/g, (_, pattern: string, name?: string) => {
    const body = GROK[pattern];
    if (!body) throw new TransformerError(`Dockside does not know the grok pattern ${pattern}.`);
    if (!name) return `(?:${body})`;
    names.push(name);
    return `(${body})`;
  });
  return { re: new RegExp(`^${src}$`), names };
}

const VPC_FIELDS = [
  'version',
  'account_id',
  'interface_id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log_status',
];

const entries = (p: Json) => (p.entries as Json[]) ?? [];
const keys = (p: Json) => (p.withKeys as string[]) ?? [];
const mapStrings = (e: Event, p: Json, f: (s: string) => string) => {
  for (const k of keys(p)) {
    const v = get(e.doc, k);
    if (typeof v === 'string') set(e.doc, k, f(v));
  }
};

const PROCESSORS: Record<string, (e: Event, p: Json) => void> = {
  parseJSON(e, p) {
    const v = read(e, p.source as string | undefined);
    const parsed = typeof v === 'string' ? JSON.parse(v) : v;
    if (!parsed || typeof parsed !== 'object') throw new Error('not a JSON object');
    place(e, parsed as Json, p.destination as string | undefined);
  },
  csv(e, p) {
    const v = String(read(e, p.source as string | undefined) ?? '');
    const values = splitCsv(v, (p.delimiter as string) ?? ',', (p.quoteCharacter as string) ?? '"');
    const columns = (p.columns as string[]) ?? values.map((_, i) => `column_${i + 1}`);
    const out: Json = {};
    columns.forEach((c, i) => values[i] !== undefined && (out[c] = values[i]));
    place(e, out, p.destination as string | undefined);
  },
  grok(e, p) {
    const { re, names } = grokRegex(p.match as string);
    const m = re.exec(String(read(e, p.source as string | undefined) ?? ''));
    if (!m) throw new Error('no match');
    names.forEach((n, i) => set(e.doc, n, m[i + 1]));
  },
  parseKeyValue(e, p) {
    const v = String(read(e, p.source as string | undefined) ?? '');
    const kvd = (p.keyValueDelimiter as string) ?? '=';
    const out: Json = {};
    for (const pair of v.split((p.fieldDelimiter as string) ?? '&')) {
      const at = pair.indexOf(kvd);
      if (at < 0) {
        if (p.nonMatchValue !== undefined && pair) out[`${p.keyPrefix ?? ''}${pair}`] = p.nonMatchValue;
        continue;
      }
      out[`${p.keyPrefix ?? ''}${pair.slice(0, at)}`] = pair.slice(at + kvd.length);
    }
    place(e, out, (p.destination as string) || undefined, p.overwriteIfExists !== false);
  },
  parseVPC(e, p) {
    const values = String(read(e, p.source as string | undefined) ?? '')
      .trim()
      .split(/\s+/);
    if (values.length !== VPC_FIELDS.length) throw new Error('not a default-format flow log record');
    VPC_FIELDS.forEach((f, i) => set(e.doc, f, values[i]));
  },
  addKeys(e, p) {
    for (const x of entries(p)) set(e.doc, x.key as string, x.value, x.overwriteIfExists === true);
  },
  copyValue(e, p) {
    for (const x of entries(p)) {
      const v = read(e, x.source as string);
      if (v !== undefined) set(e.doc, x.target as string, structuredClone(v), x.overwriteIfExists === true);
    }
  },
  deleteKeys(e, p) {
    for (const k of keys(p)) del(e.doc, k);
  },
  moveKeys(e, p) {
    for (const x of entries(p)) {
      const v = get(e.doc, x.source as string);
      if (v === undefined) continue;
      if (get(e.doc, x.target as string) !== undefined && x.overwriteIfExists !== true) continue;
      del(e.doc, x.source as string);
      set(e.doc, x.target as string, v);
    }
  },
  renameKeys(e, p) {
    for (const x of entries(p)) {
      const v = get(e.doc, x.key as string);
      if (v === undefined) continue;
      if (get(e.doc, x.renameTo as string) !== undefined && x.overwriteIfExists !== true) continue;
      del(e.doc, x.key as string);
      set(e.doc, x.renameTo as string, v);
    }
  },
  lowerCaseString: (e, p) => mapStrings(e, p, (s) => s.toLowerCase()),
  upperCaseString: (e, p) => mapStrings(e, p, (s) => s.toUpperCase()),
  trimString: (e, p) => mapStrings(e, p, (s) => s.trim()),
  splitString(e, p) {
    for (const x of entries(p)) {
      const v = get(e.doc, x.source as string);
      if (typeof v === 'string') set(e.doc, x.source as string, v.split(x.delimiter as string));
    }
  },
  substituteString(e, p) {
    for (const x of entries(p)) {
      const v = get(e.doc, x.source as string);
      if (typeof v === 'string')
        set(e.doc, x.source as string, v.replace(new RegExp(x.from as string, 'g'), x.to as string));
    }
  },
  typeConverter(e, p) {
    for (const x of entries(p)) {
      const v = get(e.doc, x.key as string);
      if (v === undefined) continue;
      const s = String(v);
      const converted =
        x.type === 'integer'
          ? Number.parseInt(s, 10)
          : x.type === 'double'
            ? Number(s)
            : x.type === 'boolean'
              ? s.toLowerCase() === 'true'
              : s;
      if (typeof converted === 'number' && Number.isNaN(converted)) continue;
      set(e.doc, x.key as string, converted);
    }
  },
  listToMap(e, p) {
    const list = get(e.doc, p.source as string);
    if (!Array.isArray(list)) return;
    const out: Json = {};
    for (const item of list) {
      if (!item || typeof item !== 'object') continue;
      const k = (item as Json)[p.key as string];
      if (k === undefined) continue;
      const value = p.valueKey ? (item as Json)[p.valueKey as string] : item;
      const name = String(k);
      if (!p.flatten) ((out[name] ??= []) as unknown[]).push(value);
      else if (out[name] === undefined || p.flattenedElement === 'last') out[name] = value;
    }
    place(e, out, p.target as string | undefined);
  },
};

/** The transformed event as JSON, or undefined when a processor could not handle it (AWS keeps the original). */
export function transform(config: ProcessorConfig[], message: string): string | undefined {
  const kinds = checkTransformer(config);
  for (const k of kinds) {
    if (NOT_EVALUATED.has(k)) throw new TransformerError(`Dockside does not evaluate the ${k} processor.`);
  }
  const e: Event = { message, doc: {} };
  try {
    config.forEach((p, i) => PROCESSORS[kinds[i]](e, p[kinds[i]] ?? {}));
  } catch (err) {
    if (err instanceof TransformerError) throw err;
    return undefined;
  }
  return JSON.stringify(e.doc);
}
