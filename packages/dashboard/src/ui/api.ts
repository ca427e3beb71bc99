/** The page's view of the server: the snapshot, reads, actions, and the live event stream. */

export type Json = any;

/** Account and region the page shows, from its own query string (`?account=&region=`). */
export function scope(): { account?: string; region?: string } {
  const q = new URLSearchParams(location.search);
  return { account: q.get('account') ?? undefined, region: q.get('region') ?? undefined };
}

const withScope = (params: Record<string, string | undefined> = {}) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...scope(), ...params })) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
};

async function answer(res: Response): Promise<Json> {
  const body = await res.json();
  if (!res.ok) throw new Error(body?.message ?? `HTTP ${res.status}`);
  return body;
}

export const getState = () => fetch(`api/state${withScope()}`).then(answer);

export const read = (name: string, params: Record<string, string | undefined>) =>
  fetch(`api/${name}${withScope(params)}`).then(answer);

export const act = (name: string, body: Record<string, unknown>) =>
  fetch(`api/${name}${withScope()}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }).then(answer);

/** Other plugins' own introspection endpoints (same origin, same loopback rule). */
export const introspect = (p: string) => fetch(`/_dockside/${p}`).then(answer);

export const reset = () => fetch('/_dockside/reset', { method: 'POST' }).then(answer);

/** The bus's events as they happen; `task` adds that task's container output lines. */
export function stream(onEvent: (type: string, data: Json) => void, task?: string): () => void {
  const source = new EventSource(`api/stream${withScope({ task })}`);
  source.onmessage = (e) => {
    const { type, data } = JSON.parse(e.data) as { type: string; data: Json };
    onEvent(type, data);
  };
  return () => source.close();
}
