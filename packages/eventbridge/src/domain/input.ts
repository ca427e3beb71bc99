/** What a target receives: the event, `Input`, `InputPath` or `InputTransformer` output. */
import type * as EB from '@aws-sdk/client-eventbridge';
import type { BusEvent } from '../state/types';

/** `$.detail.state`, `$.resources[0]`, `$` — the JSONPath subset EventBridge accepts. */
export function jsonPath(doc: unknown, path: string): unknown {
  if (path === '$') return doc;
  if (!path.startsWith('$')) return undefined;
  let cur: unknown = doc;
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]/g;
  const rest = path.slice(1);
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest))) {
    if (m.index !== consumed) return undefined;
    consumed = re.lastIndex;
    const key = m[1] ?? m[3] ?? Number(m[2]);
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return consumed === rest.length ? cur : undefined;
}

/** The payload for a target, as a value (objects stay objects; a template that is not JSON is a string). */
export function targetInput(target: EB.Target, event: BusEvent, rule: { name: string; arn: string }): unknown {
  if (target.Input !== undefined) return JSON.parse(target.Input);
  if (target.InputPath !== undefined) return jsonPath(event, target.InputPath);
  const t = target.InputTransformer;
  if (!t) return event;
  const values: Record<string, unknown> = {
    'aws.events.rule-arn': rule.arn,
    'aws.events.rule-name': rule.name,
    'aws.events.event.ingestion-time': event.time,
    'aws.events.event': event,
    'aws.events.event.json': event,
  };
  for (const [k, p] of Object.entries(t.InputPathsMap ?? {})) values[k] = jsonPath(event, p);
  const template = t.InputTemplate ?? '';
  const isJson = /^\s*[{[]/.test(template);
  const out = template.replace(/<([A-Za-z0-9_.-]+)>/g, (whole, name: string, offset: number) => {
    if (!(name in values)) return whole;
    const v = values[name];
    if (!isJson) return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    // Inside a JSON string the raw text goes in; elsewhere the JSON value.
    const inString = (template.slice(0, offset).match(/(?<!\\)"/g) ?? []).length % 2 === 1;
    if (inString)
      return v === undefined
        ? ''
        : typeof v === 'string'
          ? v.replace(/["\\]/g, '\\$&')
          : JSON.stringify(v).replace(/["\\]/g, '\\$&');
    return v === undefined ? 'null' : JSON.stringify(v);
  });
  if (!isJson) return out;
  try {
    return JSON.parse(out);
  } catch {
    return out;
  }
}
