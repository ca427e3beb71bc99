/**
 * ECS's cluster query language, as `memberOf` placement constraints and ListContainerInstances'
 * `filter` use it: `subject operator [argument]` clauses joined by `and`/`&&`, `or`/`||`, negated
 * with `not`/`!`, grouped with parentheses.
 *
 * Subjects: `agentConnected`, `agentVersion`, `attribute:<name>`, `ec2InstanceId`, `registeredAt`,
 * `runningTasksCount`, `task:group`. Operators: `==` `!=` `>` `>=` `<` `<=` `exists` `!exists`
 * `in` `!in` `=~` `!~` and their word forms (equals, not_equals, …, matches, not_matches).
 */

/** What an expression is evaluated against: one container instance. */
export interface QuerySubject {
  agentConnected: boolean;
  agentVersion?: string;
  attributes: Record<string, string | undefined>;
  ec2InstanceId?: string;
  registeredAt?: Date;
  runningTasksCount: number;
  /** The groups of the tasks on the instance (`task:group`). */
  taskGroups: string[];
}

export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; inner: Expr }
  | { kind: 'clause'; subject: string; op: string; args: string[] };

export class ExpressionError extends Error {}

const WORD_OPS: Record<string, string> = {
  equals: '==',
  not_equals: '!=',
  greater_than: '>',
  greater_than_equal: '>=',
  less_than: '<',
  less_than_equal: '<=',
  exists: 'exists',
  not_exists: '!exists',
  in: 'in',
  not_in: '!in',
  matches: '=~',
  not_matches: '!~',
};
const SYMBOL_OPS = ['==', '!=', '>=', '<=', '>', '<', '=~', '!~', '!exists', 'exists', '!in', 'in'];
const SUBJECTS =
  /^(agentConnected|agentVersion|ec2InstanceId|registeredAt|runningTasksCount|task:group|attribute:[\w.:\-/]+)$/;

type Token = { t: 'word' | '(' | ')' | '[' | ']' | ','; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ('()[],'.includes(c)) {
      out.push({ t: c as Token['t'], v: c });
      i++;
      continue;
    }
    if (src.startsWith('&&', i) || src.startsWith('||', i)) {
      out.push({ t: 'word', v: src[i] === '&' ? 'and' : 'or' });
      i += 2;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ExpressionError('unterminated quoted value');
      out.push({ t: 'word', v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < src.length && !/[\s()[\],]/.test(src[j])) j++;
    out.push({ t: 'word', v: src.slice(i, j) });
    i = j;
  }
  return out;
}

/** Parses an expression; malformed ones throw ExpressionError. */
export function parseExpression(src: string): Expr {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const isWord = (v: string) => peek()?.t === 'word' && peek().v.toLowerCase() === v;

  const orExpr = (): Expr => {
    let left = andExpr();
    while (isWord('or')) {
      next();
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): Expr => {
    let left = unary();
    while (isWord('and')) {
      next();
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Expr => {
    if (isWord('not') || (peek()?.t === 'word' && peek().v === '!')) {
      next();
      return { kind: 'not', inner: unary() };
    }
    if (peek()?.t === '(') {
      next();
      const e = orExpr();
      if (next()?.t !== ')') throw new ExpressionError('missing closing parenthesis');
      return e;
    }
    return clause();
  };
  const clause = (): Expr => {
    const s = next();
    if (!s || s.t !== 'word' || !SUBJECTS.test(s.v)) throw new ExpressionError(`unknown subject '${s?.v ?? ''}'`);
    const o = next();
    if (!o || o.t !== 'word') throw new ExpressionError(`missing operator after '${s.v}'`);
    const op = WORD_OPS[o.v.toLowerCase()] ?? (SYMBOL_OPS.includes(o.v) ? o.v : undefined);
    if (!op) throw new ExpressionError(`unknown operator '${o.v}'`);
    if (op === 'exists' || op === '!exists') return { kind: 'clause', subject: s.v, op, args: [] };
    if (op === 'in' || op === '!in') {
      if (next()?.t !== '[') throw new ExpressionError(`'${o.v}' takes a list in brackets`);
      const args: string[] = [];
      while (peek() && peek().t !== ']') {
        const a = next();
        if (a.t === ',') continue;
        if (a.t !== 'word') throw new ExpressionError('malformed list');
        args.push(a.v);
      }
      if (next()?.t !== ']') throw new ExpressionError('missing closing bracket');
      if (!args.length) throw new ExpressionError('empty list');
      return { kind: 'clause', subject: s.v, op, args };
    }
    const a = next();
    if (!a || a.t !== 'word') throw new ExpressionError(`missing value after '${o.v}'`);
    if (op === '=~' || op === '!~') {
      try {
        new RegExp(a.v);
      } catch {
        throw new ExpressionError(`invalid regular expression '${a.v}'`);
      }
    }
    return { kind: 'clause', subject: s.v, op, args: [a.v] };
  };

  if (!tokens.length) throw new ExpressionError('empty expression');
  const e = orExpr();
  if (pos !== tokens.length) throw new ExpressionError(`unexpected '${tokens[pos].v}'`);
  return e;
}

function values(subject: string, x: QuerySubject): Array<string | number | Date> | undefined {
  if (subject.startsWith('attribute:')) {
    const v = x.attributes[subject.slice('attribute:'.length)];
    return v === undefined ? undefined : [v];
  }
  switch (subject) {
    case 'agentConnected':
      return [String(x.agentConnected)];
    case 'agentVersion':
      return x.agentVersion === undefined ? undefined : [x.agentVersion];
    case 'ec2InstanceId':
      return x.ec2InstanceId === undefined ? undefined : [x.ec2InstanceId];
    case 'registeredAt':
      return x.registeredAt ? [x.registeredAt] : undefined;
    case 'runningTasksCount':
      return [x.runningTasksCount];
    case 'task:group':
      return x.taskGroups.length ? x.taskGroups : undefined;
  }
  return undefined;
}

const versionParts = (v: string) => v.split('.').map((p) => Number.parseInt(p, 10) || 0);

function compare(a: string | number | Date, b: string): number {
  if (typeof a === 'number') return a - Number(b);
  if (a instanceof Date || Object.prototype.toString.call(a) === '[object Date]') {
    return (a as Date).getTime() - Date.parse(b);
  }
  if (/^\d+(\.\d+)*$/.test(a) && /^\d+(\.\d+)*$/.test(b)) {
    const [x, y] = [versionParts(a), versionParts(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++)
      if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Wildcards (`*`) in `==`/`!=`/`in` values match any run of characters, as ECS allows. */
const equalsValue = (v: string | number | Date, arg: string) => {
  const s = v instanceof Date ? v.toISOString() : String(v);
  if (!arg.includes('*')) return s === arg || (typeof v !== 'string' && compare(v, arg) === 0);
  const re = new RegExp(
    `^${arg
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(s);
};

export function evaluate(e: Expr, x: QuerySubject): boolean {
  if (e.kind === 'not') return !evaluate(e.inner, x);
  if (e.kind !== 'clause')
    return e.kind === 'and' ? evaluate(e.left, x) && evaluate(e.right, x) : evaluate(e.left, x) || evaluate(e.right, x);
  const vs = values(e.subject, x);
  const [arg] = e.args;
  switch (e.op) {
    case 'exists':
      return vs !== undefined;
    case '!exists':
      return vs === undefined;
    case '==':
      return !!vs?.some((v) => equalsValue(v, arg));
    case '!=':
      return !vs?.some((v) => equalsValue(v, arg));
    case 'in':
      return !!vs?.some((v) => e.args.some((a) => equalsValue(v, a)));
    case '!in':
      return !vs?.some((v) => e.args.some((a) => equalsValue(v, a)));
    case '=~':
      return !!vs?.some((v) => new RegExp(`^(?:${arg})$`).test(String(v)));
    case '!~':
      return !vs?.some((v) => new RegExp(`^(?:${arg})$`).test(String(v)));
    case '>':
      return !!vs?.some((v) => compare(v, arg) > 0);
    case '>=':
      return !!vs?.some((v) => compare(v, arg) >= 0);
    case '<':
      return !!vs?.some((v) => compare(v, arg) < 0);
    case '<=':
      return !!vs?.some((v) => compare(v, arg) <= 0);
  }
  return false;
}
