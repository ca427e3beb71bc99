/** Load balancers, EventBridge, ECR, Secrets Manager and Parameter Store (names, never values). */
import { useEffect, useState } from 'preact/hooks';
import { introspect, type Json } from './api';
import { Empty, JsonView, badge, html, when } from './ui';

export const LoadBalancers = ({ state }: { state: Json }) =>
  html` <section>
    <h2>Load balancers</h2>
    ${
      state.loadBalancers.length
        ? state.loadBalancers.map(
            (lb: Json) =>
              html`<div class="lb" key=${lb.LoadBalancerArn}>
                <h3>${lb.LoadBalancerName} ${badge(lb.State?.Code)} <small>${lb.Type} · ${lb.Scheme}</small></h3>
                <ul>
                  ${(lb.Listeners ?? []).map(
                    (l: Json) =>
                      html`<li key=${l.ListenerArn}>
                        ${l.Protocol}:${l.Port}
                        ${l.LocalUrl ? html` → <a class="local-url" href=${l.LocalUrl} target="_blank">${l.LocalUrl}</a>` : ''}
                      </li>`,
                  )}
                </ul>
              </div>`,
          )
        : html`<${Empty} what="load balancers" />`
    }
    <h2>Target groups</h2>
    ${
      state.targetGroups.length
        ? state.targetGroups.map(
            (tg: Json) =>
              html`<div class="tg" key=${tg.TargetGroupArn}>
                <h3>
                  ${tg.TargetGroupName}
                  <small>${tg.Protocol}:${tg.Port} · ${tg.TargetType} · check ${tg.HealthCheckPath ?? ''}</small>
                </h3>
                <table>
                  <thead>
                    <tr>
                      <th>target</th>
                      <th>port</th>
                      <th>state</th>
                      <th>reason</th>
                      <th>description</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${tg.Targets.map(
                      (t: Json) =>
                        html`<tr class="target" key=${`${t.Target.Id}:${t.Target.Port}`}>
                          <td>${t.Target.Id}</td>
                          <td>${t.Target.Port}</td>
                          <td>${badge(t.TargetHealth?.State)}</td>
                          <td class="reason">${t.TargetHealth?.Reason ?? ''}</td>
                          <td>${t.TargetHealth?.Description ?? ''}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`,
          )
        : html`<${Empty} what="target groups" />`
    }
  </section>`;

/** A rule's pattern, targets and the deliveries to them (from the EventBridge plugin's log). */
function Rule({ rule }: { rule: Json }) {
  const [deliveries, setDeliveries] = useState<Json[]>([]);
  useEffect(() => {
    introspect(`events/deliveries?rule=${encodeURIComponent(rule.Name)}`).then(
      (d: Json) => setDeliveries(d.deliveries ?? []),
      () => undefined,
    );
  }, [rule.Name]);
  return html`<div class="rule">
    <h4>${rule.Name} ${badge(rule.State)}</h4>
    ${rule.EventPattern ? html`<${JsonView} value=${JSON.parse(rule.EventPattern)} />` : html`<p>${rule.ScheduleExpression}</p>`}
    <ul>
      ${rule.Targets.map((t: Json) => html`<li key=${t.Id}>target ${t.Id}: <code>${t.Arn}</code></li>`)}
    </ul>
    ${
      deliveries.length
        ? html`<table class="deliveries">
            <thead>
              <tr>
                <th>when</th>
                <th>target</th>
                <th>outcome</th>
              </tr>
            </thead>
            <tbody>
              ${deliveries.slice(-20).map(
                (d: Json, i: number) =>
                  html`<tr key=${i}>
                    <td>${when(d.at ?? d.time)}</td>
                    <td>${d.target ?? d.targetId}</td>
                    <td>${d.outcome ?? d.status ?? ''} ${d.error ?? ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }
  </div>`;
}

function RecentEvents({ bus }: { bus: string }) {
  const [events, setEvents] = useState<Json[]>([]);
  useEffect(() => {
    introspect(`events/buses/${encodeURIComponent(bus)}/events`).then(
      (d: Json) => setEvents(d.events ?? []),
      () => undefined,
    );
  }, [bus]);
  return events.length
    ? html`<details>
        <summary>${events.length} recent events</summary>
        ${events.slice(-20).map((e: Json, i: number) => html`<${JsonView} key=${i} value=${e} />`)}
      </details>`
    : '';
}

export const EventBridge = ({ state }: { state: Json }) =>
  html` <section>
    <h2>EventBridge</h2>
    ${
      state.eventBuses.length
        ? state.eventBuses.map(
            (b: Json) =>
              html`<div class="bus" key=${b.Name}>
                <h3>${b.Name}</h3>
                <${RecentEvents} bus=${b.Name} />
                ${b.Rules.length ? b.Rules.map((r: Json) => html`<${Rule} key=${r.Name} rule=${r} />`) : html`<${Empty} what="rules" />`}
              </div>`,
          )
        : html`<${Empty} what="event buses" />`
    }
  </section>`;

export const Repositories = ({ state }: { state: Json }) =>
  html` <section>
    <h2>ECR repositories</h2>
    ${
      state.repositories.length
        ? state.repositories.map(
            (r: Json) =>
              html`<div class="repo" key=${r.repositoryArn}>
                <h3>
                  ${r.repositoryName} <small><code>${r.repositoryUri}</code></small>
                </h3>
                <table>
                  <thead>
                    <tr>
                      <th>tags</th>
                      <th>digest</th>
                      <th>size</th>
                      <th>pushed</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${r.images.map(
                      (i: Json) =>
                        html`<tr key=${i.imageDigest}>
                          <td>${(i.imageTags ?? []).join(', ')}</td>
                          <td><code>${i.imageDigest.slice(0, 19)}</code></td>
                          <td>${Math.round((i.imageSizeInBytes ?? 0) / 1024)} KiB</td>
                          <td>${when(i.imagePushedAt)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`,
          )
        : html`<${Empty} what="repositories" />`
    }
  </section>`;

export const Secrets = ({ state }: { state: Json }) =>
  html` <section>
    <h2>Secrets Manager</h2>
    <p class="note">Names and versions only: values are never shown.</p>
    ${
      state.secrets.length
        ? html`<table>
            <thead>
              <tr>
                <th>name</th>
                <th>versions</th>
                <th>changed</th>
              </tr>
            </thead>
            <tbody>
              ${state.secrets.map(
                (s: Json) =>
                  html`<tr key=${s.ARN}>
                    <td>${s.Name}</td>
                    <td>
                      ${s.Versions.map((v: Json) => html`<code>${v.id.slice(0, 8)}</code> ${v.stages.join(',')} `)}
                    </td>
                    <td>${when(s.LastChangedDate)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<${Empty} what="secrets" />`
    }
    <h2>Parameter Store</h2>
    ${
      state.parameters.length
        ? html`<table>
            <thead>
              <tr>
                <th>name</th>
                <th>type</th>
                <th>version</th>
                <th>modified</th>
              </tr>
            </thead>
            <tbody>
              ${state.parameters.map(
                (p: Json) =>
                  html`<tr key=${p.Name}>
                    <td>${p.Name}</td>
                    <td>${p.Type}</td>
                    <td>${p.Version}</td>
                    <td>${when(p.LastModifiedDate)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<${Empty} what="parameters" />`
    }
  </section>`;
