/**
 * The CloudWatch Logs filter pattern language, compiled once into a matcher:
 * - terms and quoted phrases (all must appear, case-sensitive), `-term` exclusions, `?term`
 *   alternatives (any may appear);
 * - JSON patterns: `{ $.level = "error" && ($.latency > 100 || $.user.id NOT EXISTS) }`, with
 *   `=`, `!=`, `<`, `<=`, `>`, `>=`, `*` wildcards in strings, `IS NULL`, `IS TRUE|FALSE`,
 *   `EXISTS`, `NOT EXISTS`, array indexes `$.items[0].id`;
 * - space-delimited patterns: `[ip, user, status = 5*, size > 1000, ...]`, fields split on
 *   spaces with "quoted" and [bracketed] values kept whole.
 */
export type Matcher = (message: string) => boolean;

export class FilterPatternError extends Error {}

export function compileFilterPattern(pattern: string | undefined): Matcher {
  const p = (pattern ?? '').trim();
  if (!p) return () => true;
  if (p.startsWith('{')) return compileJson(p);
  if (p.startsWith('[')) return compileSpaceDelimited(p);
  return compileTerms(p);
}

// ---- terms -----------------------------------------------------------------------------

function termTokens(p: string): string[] {
  const out: string[] = [];
  const re = /(-|\?)?"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(p); m; m = re.exec(p)) out.push(m[3] ?? `${m[1] ?? ''}\u0000${m[2].replace(/\\"/g, '"')}`);
  return out;
}

function compileTerms(p: string): Matcher {
  const must: string[] = [];
  const not: string[] = [];
  const any: string[] = [];
  for (const raw of termTokens(p)) {
    let t = raw;
    let kind: 'must' | 'not' | 'any' = 'must';
    if (t.startsWith('-')) {
      kind = 'not';
      t = t.slice(1);
    } else if (t.startsWith('?')) {
      kind = 'any';
      t = t.slice(1);
    }
    // A NUL marks a term that was quoted (set by the tokenizer above).
    // eslint-disable-next-line no-control-regex
    t = t.replace(/^\u0000/, '');
    if (!t) continue;
    (kind === 'must' ? must : kind === 'not' ? not : any).push(t);
  }
  return (m) =>
    must.every((t) => m.includes(t)) &&
    !not.some((t) => m.includes(t)) &&
    (any.length === 0 || any.some((t) => m.includes(t)));
}

// ---- values shared by JSON and space-delimited patterns -----------------------------------

type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';
const wildcard = (s: string) =>
  new RegExp(
    `^${s
      .split('*')
      .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );

function compare(actual: unknown, op: Op, expected: string, quoted: boolean): boolean {
  const num = Number(expected);
  if (!quoted && expected !== '' && !Number.isNaN(num) && ['<', '<=', '>', '>=', '=', '!='].includes(op)) {
    const a =
      typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : NaN;
    if (op === '=' || op === '!=') {
      if (!Number.isNaN(a)) return op === '=' ? a === num : a !== num;
    } else {
      if (Number.isNaN(a)) return false;
      return op === '<' ? a < num : op === '<=' ? a <= num : op === '>' ? a > num : a >= num;
    }
  }
  if (op !== '=' && op !== '!=') return false;
  if (actual === undefined || actual === null || typeof actual === 'object') return op === '!=';
  const s = String(actual);
  const hit = expected.includes('*') ? wildcard(expected).test(s) : s === expected;
  return op === '=' ? hit : !hit;
}

// ---- JSON patterns ---------------------------------------------------------------------------

type Tok = { t: 'sel' | 'op' | 'str' | 'word' | 'num' | '(' | ')' | '&&' | '||'; v: string };

function lexJson(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (src.startsWith('&&', i) || src.startsWith('||', i)) {
      out.push({ t: src.slice(i, i + 2) as '&&' | '||', v: '' });
      i += 2;
    } else if (c === '(' || c === ')') {
      out.push({ t: c, v: c });
      i++;
    } else if (c === '$') {
      const m = /^\$(?:\.[A-Za-z0-9_@-]+|\[\d+\]|\.\*)*/.exec(src.slice(i))!;
      out.push({ t: 'sel', v: m[0] });
      i += m[0].length;
    } else if (/[=!<>]/.test(c)) {
      const m = /^(!=|<=|>=|=|<|>)/.exec(src.slice(i));
      if (!m) throw new FilterPatternError(`Invalid operator at '${src.slice(i, i + 5)}'`);
      out.push({ t: 'op', v: m[1] });
      i += m[1].length;
    } else if (c === '"') {
      const m = /^"((?:[^"\\]|\\.)*)"/.exec(src.slice(i));
      if (!m) throw new FilterPatternError('Unterminated string in filter pattern');
      out.push({ t: 'str', v: m[1].replace(/\\"/g, '"') });
      i += m[0].length;
    } else {
      const m = /^[^\s()=!<>&|"]+/.exec(src.slice(i))!;
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

function select(doc: unknown, selector: string): { found: boolean; value: unknown } {
  const parts = selector.slice(1).match(/\.[^.[\]]+|\[\d+\]/g) ?? [];
  let cur: unknown = doc;
  for (const part of parts) {
    if (cur === null || typeof cur !== 'object') return { found: false, value: undefined };
    const key = part.startsWith('[') ? Number(part.slice(1, -1)) : part.slice(1);
    if (!(key in (cur as Record<string | number, unknown>))) return { found: false, value: undefined };
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return { found: true, value: cur };
}

function compileJson(p: string): Matcher {
  if (!p.endsWith('}')) throw new FilterPatternError('Invalid JSON filter pattern: missing }');
  const toks = lexJson(p.slice(1, -1));
  let pos = 0;
  const peek = () => toks[pos];
  const next = () => toks[pos++];
  type Node = (doc: unknown) => boolean;
  const parseOr = (): Node => {
    let left = parseAnd();
    while (peek()?.t === '||') {
      next();
      const right = parseAnd();
      const l = left;
      left = (d) => l(d) || right(d);
    }
    return left;
  };
  const parseAnd = (): Node => {
    let left = parseAtom();
    while (peek()?.t === '&&') {
      next();
      const right = parseAtom();
      const l = left;
      left = (d) => l(d) && right(d);
    }
    return left;
  };
  const parseAtom = (): Node => {
    const tok = next();
    if (!tok) throw new FilterPatternError('Unexpected end of JSON filter pattern');
    if (tok.t === '(') {
      const inner = parseOr();
      if (next()?.t !== ')') throw new FilterPatternError('Missing ) in JSON filter pattern');
      return inner;
    }
    if (tok.t !== 'sel') throw new FilterPatternError(`Expected a $.selector, found '${tok.v}'`);
    const sel = tok.v;
    const after = next();
    if (after?.t === 'word') {
      const w = after.v.toUpperCase();
      if (w === 'EXISTS') return (d) => select(d, sel).found;
      if (w === 'NOT' && next()?.v.toUpperCase() === 'EXISTS') return (d) => !select(d, sel).found;
      if (w === 'IS') {
        const what = next()?.v.toUpperCase();
        if (what === 'NULL')
          return (d) => {
            const s = select(d, sel);
            return s.found && s.value === null;
          };
        if (what === 'TRUE' || what === 'FALSE') return (d) => select(d, sel).value === (what === 'TRUE');
      }
      throw new FilterPatternError(`Invalid JSON filter pattern near '${after.v}'`);
    }
    if (after?.t !== 'op') throw new FilterPatternError(`Expected an operator after ${sel}`);
    const value = next();
    if (!value || (value.t !== 'str' && value.t !== 'word'))
      throw new FilterPatternError(`Expected a value after ${sel} ${after.v}`);
    const op = after.v as Op;
    return (d) => {
      const s = select(d, sel);
      if (!s.found) return op === '!=';
      return compare(s.value, op, value.v, value.t === 'str');
    };
  };
  const root = parseOr();
  if (pos < toks.length) throw new FilterPatternError(`Unexpected '${toks[pos].v}' in JSON filter pattern`);
  return (m) => {
    let doc: unknown;
    try {
      doc = JSON.parse(m);
    } catch {
      return false;
    }
    return typeof doc === 'object' && doc !== null && root(doc);
  };
}

// ---- space-delimited patterns -----------------------------------------------------------------

/** Splits a log line into fields: spaces separate; "quoted" and [bracketed] runs are one field. */
export function splitFields(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|\[([^\]]*)\]|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function compileSpaceDelimited(p: string): Matcher {
  if (!p.endsWith(']')) throw new FilterPatternError('Invalid space-delimited filter pattern: missing ]');
  const specs = p
    .slice(1, -1)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  type Field = { rest: boolean; test?: (v: string) => boolean };
  const fields: Field[] = specs.map((spec) => {
    if (spec === '...') return { rest: true };
    const alternatives = spec.split('||').map((alt) => {
      const conj = alt.split('&&').map((c) => {
        const m = /^\s*[A-Za-z0-9_-]*\s*(!=|<=|>=|=|<|>)\s*(.+?)\s*$/.exec(c);
        if (!m) return () => true;
        const raw = m[2];
        const quoted = raw.startsWith('"') && raw.endsWith('"');
        const v = quoted ? raw.slice(1, -1) : raw;
        return (x: string) => compare(x, m[1] as Op, v, quoted);
      });
      return (x: string) => conj.every((f) => f(x));
    });
    return { rest: false, test: (x: string) => alternatives.some((f) => f(x)) };
  });
  const restAt = fields.findIndex((f) => f.rest);
  return (m) => {
    const values = splitFields(m);
    if (restAt < 0) {
      if (values.length !== fields.length) return false;
      return fields.every((f, i) => f.test!(values[i]));
    }
    const before = fields.slice(0, restAt);
    const after = fields.slice(restAt + 1);
    if (values.length < before.length + after.length) return false;
    return (
      before.every((f, i) => f.test!(values[i])) &&
      after.every((f, i) => f.test!(values[values.length - after.length + i]))
    );
  };
}
