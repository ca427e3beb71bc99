/** CloudWatch Logs: groups → streams → events, with CloudWatch's own filter patterns. */
import { useEffect, useState } from 'preact/hooks';
import { read, type Json } from './api';
import { Empty, href, html, when } from './ui';

export function LogGroups({ state }: { state: Json }) {
  return html`<section>
    <h2>Log groups</h2>
    ${
      state.logGroups.length
        ? html`<ul class="log-groups">
            ${state.logGroups.map(
              (g: Json) =>
                html`<li key=${g.logGroupName}>
                  <a href=${href('logs', g.logGroupName)}>${g.logGroupName}</a>
                  <small
                    >${g.retentionInDays ? `${g.retentionInDays} days` : 'never expires'} · ${g.storedBytes ?? 0}
                    bytes</small
                  >
                </li>`,
            )}
          </ul>`
        : html`<${Empty} what="log groups" />`
    }
  </section>`;
}

/**
 * One group (or one stream of it): its streams, and its events through FilterLogEvents with the
 * pattern typed in the box. `tick` changes when the stream reports new events for this group.
 */
export function LogGroup({ group, stream, tick }: { group: string; stream?: string; tick: number }) {
  const [streams, setStreams] = useState<Json[]>([]);
  const [events, setEvents] = useState<Json[]>([]);
  const [filter, setFilter] = useState('');
  // What is typed stays the box's own until Enter: a live refresh re-renders without wiping it.
  const [draft, setDraft] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    read('log-streams', { group }).then(setStreams, (e: Error) => setError(e.message));
  }, [group, tick]);
  useEffect(() => {
    read('log-events', { group, stream, filter: filter || undefined }).then(
      (ev: Json[]) => {
        setEvents(ev);
        setError('');
      },
      (e: Error) => setError(e.message),
    );
  }, [group, stream, filter, tick]);
  return html`<section>
    <h2>
      <a href=${href('logs')}>Logs</a> / <a href=${href('logs', group)}>${group}</a>${stream ? ` / ${stream}` : ''}
    </h2>
    <div class="streams">
      ${streams.map(
        (s: Json) =>
          html`<a
            key=${s.logStreamName}
            class=${s.logStreamName === stream ? 'current' : ''}
            href=${href('logs', group, s.logStreamName)}
            >${s.logStreamName}</a
          > `,
      )}
    </div>
    <form
      onSubmit=${(e: Event) => {
        e.preventDefault();
        setFilter(draft);
      }}
    >
      <input
        class="filter"
        placeholder='filter pattern, e.g. ERROR or { $.level = "error" } (Enter applies)'
        value=${draft}
        onInput=${(e: Event) => setDraft((e.target as HTMLInputElement).value)}
      />
    </form>
    ${error ? html`<p class="error">${error}</p>` : ''}
    <pre class="log-events">
${events.map((e: Json) => html`<div key=${e.eventId}><small>${when(e.timestamp)}</small> ${e.message}</div>`)}</pre>
  </section>`;
}
