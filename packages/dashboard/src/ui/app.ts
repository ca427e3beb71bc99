/**
 * The dashboard page: a shell with account/region and Reset, hash routes for deep links, the
 * snapshot of everything (refetched when the event stream says something changed — never on a
 * timer), and the views.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { getState, reset, scope, stream, type Json } from './api';
import { Clusters, ServiceView, TaskTable, TaskView } from './ecs';
import { LogGroup, LogGroups } from './logs';
import { EventBridge, LoadBalancers, Repositories, Secrets } from './others';
import { href, html } from './ui';

const route = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);

/**
 * The snapshot, refetched when the stream reports a change (a burst coalesced into one refetch,
 * at most one every 250 ms) and when the view changes (services without bus events — secrets,
 * ECR, EventBridge rules — are current whenever their view is opened).
 */
function useLiveState(): [Json | undefined, string, number, () => void] {
  const refetch = useRef(() => undefined as void);
  const [state, setState] = useState<Json>(undefined);
  const [error, setError] = useState('');
  const [logTick, setLogTick] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    let again = false;
    const refresh = () => {
      if (inFlight) return void (again = true);
      inFlight = true;
      getState()
        .then((s: Json) => {
          setState(s);
          setError('');
        })
        .catch((e: Error) => setError(e.message))
        .finally(() => {
          inFlight = false;
          if (again) {
            again = false;
            schedule();
          }
        });
    };
    const schedule = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        refresh();
      }, 250);
    };
    refetch.current = schedule;
    refresh();
    addEventListener('hashchange', schedule);
    const close = stream((type, e) => {
      if (type === 'ecs.container-output') return;
      // A task's own change shows at once; the refetch then fills in the rest.
      if (type === 'ecs.task')
        setState(
          (s: Json) =>
            s && {
              ...s,
              tasks: s.tasks.some((t: Json) => t.taskArn === e.taskArn)
                ? s.tasks.map((t: Json) =>
                    t.taskArn === e.taskArn ? { ...t, lastStatus: e.lastStatus, desiredStatus: e.desiredStatus } : t,
                  )
                : s.tasks,
            },
        );
      if (type === 'logs.events') setLogTick((n) => n + 1);
      schedule();
    });
    return () => {
      close();
      removeEventListener('hashchange', schedule);
      if (timer) clearTimeout(timer);
    };
  }, []);
  return [state, error, logTick, () => refetch.current()];
}

function Scope() {
  const s = scope();
  const [account, setAccount] = useState(s.account ?? '');
  const [region, setRegion] = useState(s.region ?? '');
  const apply = (e: Event) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (account) q.set('account', account);
    if (region) q.set('region', region);
    location.search = q.toString();
  };
  return html`<form class="scope" onSubmit=${apply}>
    <input
      name="account"
      placeholder="account (default)"
      value=${account}
      onInput=${(e: Event) => setAccount((e.target as HTMLInputElement).value)}
    />
    <input
      name="region"
      placeholder="region (default)"
      value=${region}
      onInput=${(e: Event) => setRegion((e.target as HTMLInputElement).value)}
    />
    <button type="submit">Switch</button>
  </form>`;
}

const TABS: Array<[string, string, string]> = [
  ['', 'ECS', 'ecs'],
  ['elb', 'Load balancers', 'elasticloadbalancing'],
  ['events', 'EventBridge', 'events'],
  ['ecr', 'ECR', 'ecr'],
  ['secrets', 'Secrets', 'secretsmanager'],
  ['logs', 'Logs', 'logs'],
];

function Page({ state, logTick }: { state: Json; logTick: number }) {
  const [view, a, b] = route();
  switch (view) {
    case 'cluster':
      return html`<${Clusters}
        state=${{ ...state, clusters: state.clusters.filter((c: Json) => c.clusterName === a) }}
      />`;
    case 'service':
      return html`<${ServiceView} state=${state} cluster=${a} name=${b} />`;
    case 'task':
      return html`<${TaskView} state=${state} cluster=${a} id=${b} />`;
    case 'tasks':
      return html`<${TaskTable} tasks=${state.tasks} />`;
    case 'elb':
      return html`<${LoadBalancers} state=${state} />`;
    case 'events':
      return html`<${EventBridge} state=${state} />`;
    case 'ecr':
      return html`<${Repositories} state=${state} />`;
    case 'secrets':
      return html`<${Secrets} state=${state} />`;
    case 'logs':
      return a ? html`<${LogGroup} group=${a} stream=${b} tick=${logTick} />` : html`<${LogGroups} state=${state} />`;
    default:
      return html`<${Clusters} state=${state} />`;
  }
}

function App() {
  const [state, error, logTick, refetch] = useLiveState();
  const [, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const current = route()[0] ?? '';
  return html`<header>
      <h1><a href=${href()}>Dockside</a></h1>
      <nav>
        ${TABS.filter(([, , svc]) => !state || state.loaded.includes(svc)).map(
          ([path, label]) =>
            html`<a
              class=${current === path || (path === '' && ['cluster', 'service', 'task'].includes(current)) ? 'current' : ''}
              href=${path ? href(path) : href()}
              >${label}</a
            >`,
        )}
      </nav>
      <${Scope} />
      <span class="where">${state ? `${state.scope.accountId} · ${state.scope.region}` : ''}</span>
      <button
        class="danger"
        onClick=${() => confirm('Reset Dockside: every resource in every plugin is deleted.') && reset().then(refetch)}
      >
        Reset
      </button>
    </header>
    <main>
      ${error ? html`<p class="error">${error}</p>` : ''}
      ${state ? html`<${Page} state=${state} logTick=${logTick} />` : html`<p>Loading…</p>`}
    </main>`;
}

render(html`<${App} />`, document.getElementById('app')!);
