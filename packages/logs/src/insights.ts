/**
 * A useful subset of the Logs Insights query language, run over stored events:
 * `fields a, b` · `filter <expr>` (=, !=, <, <=, >, >=, `like "text"`, `like /re/`, `=~ /re/`,
 * `and`, `or`, `not`, parentheses) · `parse @message "GET * HTTP *" as path, proto` or
 * `parse @message /(?<user>\w+) logged in/` · `stats count(*) as n, sum(x), avg(x), min(x),
 * max(x) by f1, f2` · `sort f desc` · `limit n`. JSON messages expose their fields (`level`,
 * `user.id`).
 */
export type Row = Record<string, unknown>;

export class MalformedQuery extends Error {}

/** Splits on `|` outside quotes and regex literals. */
function commands(q: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (const ch of q) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'" || ch === '/') {
      quote = ch;
      cur += ch;
    } else if (ch === '|') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out.filter(Boolean);
}

/** A field of a row: its own (parsed, stats) or, for JSON messages, a path into the message. */
export const fieldValue = (row: Row, field: string): unknown => {
  if (field in row) return row[field];
  let cur: unknown = row.__json;
  for (const part of field.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
};

// ---- filter expressions ----------------------------------------------------------------------

type Expr = (row: Row) => unknown;

function parseExpr(src: string): Expr {
  const toks =
    src.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\/(?:[^/\\]|\\.)+\/|<=|>=|!=|=~|[()=<>,]|[^\s()=<>!,]+/g) ?? [];
  let i = 0;
  const peek = () => toks[i]?.toLowerCase();
  const or = (): Expr => {
    let l = and();
    while (peek() === 'or') {
      i++;
      const r = and();
      const a = l;
      l = (row) => Boolean(a(row)) || Boolean(r(row));
    }
    return l;
  };
  const and = (): Expr => {
    let l = not();
    while (peek() === 'and') {
      i++;
      const r = not();
      const a = l;
      l = (row) => Boolean(a(row)) && Boolean(r(row));
    }
    return l;
  };
  const not = (): Expr => {
    if (peek() === 'not') {
      i++;
      const e = not();
      return (row) => !e(row);
    }
    return comparison();
  };
  const comparison = (): Expr => {
    const left = operand();
    const op = peek();
    if (op === 'like' || op === '=~') {
      i++;
      const pat = toks[i++] ?? '';
      const re = pat.startsWith('/') ? new RegExp(pat.slice(1, -1)) : undefined;
      const text = re ? '' : pat.replace(/^["']|["']$/g, '');
      return (row) => {
        const v = String(left(row) ?? '');
        return re ? re.test(v) : v.includes(text);
      };
    }
    if (op && ['=', '!=', '<', '<=', '>', '>='].includes(op)) {
      i++;
      const right = operand();
      return (row) => {
        const a = left(row);
        const b = right(row);
        const na = Number(a);
        const nb = Number(b);
        const numeric =
          a !== undefined && b !== undefined && a !== '' && b !== '' && !Number.isNaN(na) && !Number.isNaN(nb);
        const [x, y] = numeric ? [na, nb] : [String(a ?? ''), String(b ?? '')];
        switch (op) {
          case '=':
            return a !== undefined && x === y;
          case '!=':
            return x !== y;
          case '<':
            return a !== undefined && x < y;
          case '<=':
            return a !== undefined && x <= y;
          case '>':
            return a !== undefined && x > y;
          default:
            return a !== undefined && x >= y;
        }
      };
    }
    return left;
  };
  const operand = (): Expr => {
    const t = toks[i++];
    if (t === undefined) throw new MalformedQuery('unexpected end of filter expression');
    if (t === '(') {
      const e = or();
      if (toks[i++] !== ')') throw new MalformedQuery('missing ) in filter expression');
      return e;
    }
    if (/^["']/.test(t)) {
      const v = t.slice(1, -1);
      return () => v;
    }
    if (/^-?\d+(\.\d+)?$/.test(t)) {
      const v = Number(t);
      return () => v;
    }
    return (row) => fieldValue(row, t);
  };
  const e = or();
  if (i < toks.length) throw new MalformedQuery(`unexpected '${toks[i]}' in filter expression`);
  return e;
}

// ---- the pipeline ------------------------------------------------------------------------------

const splitList = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function runQuery(query: string, input: Row[]): { rows: Row[]; columns: string[]; aggregated: boolean } {
  let rows = input;
  let columns: string[] | undefined;
  let aggregated = false;
  for (const cmd of commands(query)) {
    const m = /^(\w+)\s*(.*)$/s.exec(cmd);
    if (!m) throw new MalformedQuery(`cannot parse '${cmd}'`);
    const [, verb, rest] = m;
    switch (verb.toLowerCase()) {
      case 'fields':
        columns = splitList(rest);
        break;
      case 'display':
        columns = splitList(rest);
        break;
      case 'filter': {
        const e = parseExpr(rest);
        rows = rows.filter((r) => Boolean(e(r)));
        break;
      }
      case 'parse': {
        const pm = /^(\S+)\s+(?:"((?:[^"\\]|\\.)*)"\s+as\s+(.+)|\/(.+)\/)\s*$/s.exec(rest);
        if (!pm) throw new MalformedQuery(`cannot parse 'parse ${rest}'`);
        const source = pm[1];
        let re: RegExp;
        let names: string[];
        if (pm[2] !== undefined) {
          re = new RegExp(
            pm[2]
              .split('*')
              .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
              .join('(.*?)') + (pm[2].endsWith('*') ? '$' : ''),
          );
          names = splitList(pm[3]);
        } else {
          re = new RegExp(pm[4]);
          names = [];
        }
        rows = rows.map((r) => {
          const hit = re.exec(String(fieldValue(r, source) ?? ''));
          if (!hit) return r;
          const extra: Row = hit.groups ? { ...hit.groups } : Object.fromEntries(names.map((n, k) => [n, hit[k + 1]]));
          return { ...r, ...extra };
        });
        break;
      }
      case 'stats': {
        const sm = /^(.*?)(?:\s+by\s+(.+))?$/is.exec(rest)!;
        const aggs = splitList(sm[1]).map((a) => {
          const am = /^(count|sum|avg|min|max|count_distinct)\(\s*([^)]*)\s*\)(?:\s+as\s+(\S+))?$/i.exec(a);
          if (!am) throw new MalformedQuery(`unsupported stats function '${a}'`);
          return { fn: am[1].toLowerCase(), field: am[2], name: am[3] ?? `${am[1]}(${am[2]})` };
        });
        const by = sm[2] ? splitList(sm[2]) : [];
        const groups = new Map<string, Row[]>();
        for (const r of rows) {
          const key = JSON.stringify(by.map((b) => fieldValue(r, b) ?? null));
          (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
        }
        rows = [...groups.entries()].map(([key, members]) => {
          const out: Row = Object.fromEntries(by.map((b, k) => [b, JSON.parse(key)[k]]));
          for (const a of aggs) {
            const vals =
              a.field === '*' || a.field === ''
                ? members.map(() => 1)
                : members.map((r) => fieldValue(r, a.field)).filter((v) => v !== undefined && v !== null);
            const nums = vals.map(Number).filter((n) => !Number.isNaN(n));
            out[a.name] =
              a.fn === 'count'
                ? vals.length
                : a.fn === 'count_distinct'
                  ? new Set(vals.map(String)).size
                  : a.fn === 'sum'
                    ? nums.reduce((x, y) => x + y, 0)
                    : a.fn === 'avg'
                      ? nums.length
                        ? nums.reduce((x, y) => x + y, 0) / nums.length
                        : undefined
                      : a.fn === 'min'
                        ? nums.length
                          ? Math.min(...nums)
                          : undefined
                        : nums.length
                          ? Math.max(...nums)
                          : undefined;
          }
          return out;
        });
        columns = [...by, ...aggs.map((a) => a.name)];
        aggregated = true;
        break;
      }
      case 'sort': {
        const keys = splitList(rest).map((k) => {
          const km = /^(\S+)(?:\s+(asc|desc))?$/i.exec(k)!;
          return { field: km[1], desc: (km[2] ?? 'desc').toLowerCase() === 'desc' };
        });
        rows = [...rows].sort((a, b) => {
          for (const k of keys) {
            const x = fieldValue(a, k.field);
            const y = fieldValue(b, k.field);
            const c =
              typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
            if (c) return k.desc ? -c : c;
          }
          return 0;
        });
        break;
      }
      case 'limit': {
        const n = Number(rest);
        if (!Number.isInteger(n) || n < 1) throw new MalformedQuery(`invalid limit '${rest}'`);
        rows = rows.slice(0, n);
        break;
      }
      default:
        throw new MalformedQuery(`unsupported command '${verb}'`);
    }
  }
  return { rows, columns: columns ?? (aggregated ? [] : ['@timestamp', '@message']), aggregated };
}
