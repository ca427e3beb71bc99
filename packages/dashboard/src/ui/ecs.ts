/** ECS: clusters → services → tasks, a service's deployments and events, a task and its output. */
import { useEffect, useState } from 'preact/hooks';
import { act, introspect, read, stream, type Json } from './api';
import { Empty, JsonView, badge, href, html, lastPart, nameOf, when } from './ui';

const clusterName = (arn: string) => nameOf(arn);

/** A button that runs an action and shows its error, if any. */
function Action({ label, run, danger }: { label: string; run: () => Promise<unknown>; danger?: boolean }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const click = () => {
    setBusy(true);
    setError('');
    run()
      .catch((e: Error) => setError(e.message))
      .finally(() => setBusy(false));
  };
  return html`<button class=${danger ? 'danger' : ''} disabled=${busy} onClick=${click}>${label}</button>${
      error ? html`<span class="error">${error}</span>` : ''
    }`;
}

export function TaskRow({ task }: { task: Json }) {
  const cluster = clusterName(task.clusterArn);
  const stopped = task.lastStatus === 'STOPPED';
  return html`<tr data-task=${task.taskArn}>
    <td><a href=${href('task', cluster, lastPart(task.taskArn))}>${lastPart(task.taskArn).slice(0, 12)}</a></td>
    <td>${lastPart(task.taskDefinitionArn)}</td>
    <td class="status">${badge(task.lastStatus)}</td>
    <td>${task.group ?? ''}</td>
    <td>
      ${(task.containers ?? []).map(
        (c: Json) =>
          html`<span class="container"
            >${c.name}${c.exitCode !== undefined ? ` exit ${c.exitCode}` : ''}
            ${c.healthStatus && c.healthStatus !== 'UNKNOWN' ? badge(c.healthStatus) : ''}</span
          >`,
      )}
    </td>
    <td class="reason">${task.stopCode ? html`<b>${task.stopCode}</b> ` : ''}${task.stoppedReason ?? ''}</td>
    <td>
      ${
        stopped
          ? ''
          : html`<${Action} label="Stop" danger run=${() => act('stop-task', { cluster, task: task.taskArn })} />`
      }
    </td>
  </tr>`;
}

export const TaskTable = ({ tasks }: { tasks: Json[] }) =>
  tasks.length
    ? html`<table class="tasks">
        <thead>
          <tr>
            <th>task</th>
            <th>definition</th>
            <th>status</th>
            <th>group</th>
            <th>containers</th>
            <th>stop</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${tasks.map((t) => html`<${TaskRow} key=${t.taskArn} task=${t} />`)}
        </tbody>
      </table>`
    : html`<${Empty} what="tasks" />`;

export function Clusters({ state }: { state: Json }) {
  if (!state.clusters.length) return html`<${Empty} what="clusters" />`;
  return html`${state.clusters.map((c: Json) => {
    const services = state.services.filter((s: Json) => s.clusterArn === c.clusterArn);
    const tasks = state.tasks.filter((t: Json) => t.clusterArn === c.clusterArn);
    return html`<section class="cluster" key=${c.clusterArn}>
      <h2>
        <a href=${href('cluster', c.clusterName)}>${c.clusterName}</a> ${badge(c.status)}
        <small>${c.runningTasksCount} running, ${c.pendingTasksCount} pending, ${c.activeServicesCount} services</small>
      </h2>
      ${
        services.length
          ? html`<table class="services">
              <thead>
                <tr>
                  <th>service</th>
                  <th>status</th>
                  <th>desired / running / pending</th>
                  <th>rollout</th>
                </tr>
              </thead>
              <tbody>
                ${services.map(
                  (s: Json) =>
                    html`<tr key=${s.serviceArn}>
                      <td><a href=${href('service', c.clusterName, s.serviceName)}>${s.serviceName}</a></td>
                      <td>${badge(s.status)}</td>
                      <td>${s.desiredCount} / ${s.runningCount} / ${s.pendingCount}</td>
                      <td>${badge(s.deployments?.[0]?.rolloutState)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : ''
      }
      <${TaskTable} tasks=${tasks} />
    </section>`;
  })}`;
}

/** Deployments newest first, each with its rollout, circuit breaker and lifecycle stage. */
function Timeline({ service, history }: { service: Json; history: Json[] }) {
  const breaker = service.deploymentConfiguration?.deploymentCircuitBreaker;
  return html`<div class="timeline">
    <p>
      Circuit breaker: ${breaker?.enable ? `on${breaker.rollback ? ', rolls back' : ''}` : 'off'} · strategy:
      ${' '}${service.deploymentConfiguration?.strategy ?? 'ROLLING'}
    </p>
    <ol>
      ${service.deployments.map(
        (d: Json) =>
          html`<li class="deployment" key=${d.id}>
            ${badge(d.status)} ${badge(d.rolloutState)} <code>${lastPart(d.taskDefinition)}</code> desired
            ${d.desiredCount} · running ${d.runningCount} · pending ${d.pendingCount} · failed ${d.failedTasks ?? 0}
            <small>${when(d.createdAt)} → ${when(d.updatedAt)}</small>
            ${d.rolloutStateReason ? html`<div class="reason">${d.rolloutStateReason}</div>` : ''}
          </li>`,
      )}
    </ol>
    ${
      history.length
        ? html`<h4>Service deployments</h4>
            <ol>
              ${history.map(
                (d: Json) =>
                  html`<li class="service-deployment" key=${d.serviceDeploymentArn}>
                    ${badge(d.status)} ${d.lifecycleStage ? html`stage <b>${d.lifecycleStage}</b>` : ''}
                    ${d.rollback ? html`<span class="rollback">rollback: ${d.rollback.reason ?? ''}</span>` : ''}
                    ${' '}<small>${when(d.createdAt)}</small> ${d.statusReason ?? ''}
                  </li>`,
              )}
            </ol>`
        : ''
    }
  </div>`;
}

export function ServiceView({ state, cluster, name }: { state: Json; cluster: string; name: string }) {
  const service = state.services.find((s: Json) => s.serviceName === name && clusterName(s.clusterArn) === cluster);
  const [history, setHistory] = useState<Json[]>([]);
  const [count, setCount] = useState('');
  useEffect(() => {
    read('service-deployments', { cluster, service: name }).then(setHistory, () => setHistory([]));
  }, [cluster, name, service?.deployments?.[0]?.updatedAt, service?.deployments?.length]);
  if (!service) return html`<${Empty} what=${`service ${name} in ${cluster}`} />`;
  const tasks = state.tasks.filter((t: Json) => t.group === `service:${name}` && clusterName(t.clusterArn) === cluster);
  return html`<section>
    <h2>
      ${name} ${badge(service.status)} <small>in <a href=${href('cluster', cluster)}>${cluster}</a></small>
    </h2>
    <div class="actions">
      <input
        type="number"
        min="0"
        placeholder=${String(service.desiredCount)}
        value=${count}
        onInput=${(e: Event) => setCount((e.target as HTMLInputElement).value)}
      />
      <${Action} label="Scale" run=${() => act('scale', { cluster, service: name, desiredCount: count })} />
      <${Action} label="Force new deployment" run=${() => act('force-deployment', { cluster, service: name })} />
    </div>
    <h3>Deployments</h3>
    <${Timeline} service=${service} history=${history} />
    <h3>Tasks</h3>
    <${TaskTable} tasks=${tasks} />
    <h3>Events</h3>
    <ul class="events">
      ${(service.events ?? []).map((e: Json) => html`<li key=${e.id}><small>${when(e.createdAt)}</small> ${e.message}</li>`)}
    </ul>
  </section>`;
}

/** A task's containers' output: what was printed so far, then each line as it is written. */
function Output({ task }: { task: Json }) {
  const [lines, setLines] = useState<Array<{ container: string; line: string }>>([]);
  useEffect(() => {
    let live = true;
    const seen: Array<{ container: string; line: string }> = [];
    introspect(`ecs/tasks/${encodeURIComponent(lastPart(task.taskArn))}/logs`)
      .then((out: Json) => {
        if (!live) return;
        const before = (out.containers ?? []).flatMap((c: Json) =>
          (c.lines ?? []).map((l: Json) => ({ container: c.name, line: l.line ?? String(l) })),
        );
        setLines((now) => [...before, ...now.slice(seen.length)]);
      })
      .catch(() => undefined);
    const close = stream((type, e) => {
      if (type === 'ecs.container-output') setLines((now) => [...now, { container: e.containerName, line: e.line }]);
    }, task.taskArn);
    return () => {
      live = false;
      close();
    };
  }, [task.taskArn]);
  return html`<pre class="output">
${lines.map((l) => html`<div><span class="c">${l.container}</span> ${l.line}</div>`)}</pre>`;
}

export function TaskView({ state, cluster, id }: { state: Json; cluster: string; id: string }) {
  const task = state.tasks.find((t: Json) => lastPart(t.taskArn) === id && clusterName(t.clusterArn) === cluster);
  const [definition, setDefinition] = useState<Json>(undefined);
  useEffect(() => {
    if (task) read('task-definition', { arn: task.taskDefinitionArn }).then(setDefinition, () => undefined);
  }, [task?.taskDefinitionArn]);
  if (!task) return html`<${Empty} what=${`task ${id} in ${cluster}`} />`;
  return html`<section class="task" data-task=${task.taskArn}>
    <h2>
      Task ${id} <span class="status">${badge(task.lastStatus)}</span> <small>desired ${task.desiredStatus}</small>
    </h2>
    ${
      task.lastStatus !== 'STOPPED'
        ? html`<div class="actions">
            <${Action} label="Stop task" danger run=${() => act('stop-task', { cluster, task: task.taskArn })} />
          </div>`
        : ''
    }
    <p>
      ${task.group ?? ''} · ${task.launchType ?? ''} · <code>${lastPart(task.taskDefinitionArn)}</code>
      ${` · started ${when(task.startedAt)}`}${task.stoppedAt ? ` · stopped ${when(task.stoppedAt)}` : ''}
    </p>
    ${task.stopCode ? html`<p class="reason"><b>${task.stopCode}</b>: ${task.stoppedReason}</p>` : ''}
    <table>
      <thead>
        <tr>
          <th>container</th>
          <th>image</th>
          <th>status</th>
          <th>exit</th>
          <th>health</th>
          <th>reason</th>
        </tr>
      </thead>
      <tbody>
        ${(task.containers ?? []).map(
          (c: Json) =>
            html`<tr key=${c.name}>
              <td>${c.name}</td>
              <td><code>${c.image}</code></td>
              <td>${badge(c.lastStatus)}</td>
              <td>${c.exitCode ?? ''}</td>
              <td>${badge(c.healthStatus)}</td>
              <td>${c.reason ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h3>Output</h3>
    <${Output} task=${task} />
    <h3>Task definition</h3>
    ${definition ? html`<${JsonView} value=${definition} />` : ''}
  </section>`;
}
