/** Shared pieces of the page: the template tag, links, badges, dates, JSON. */
import { h } from 'preact';
import htm from 'htm';
import type { Json } from './api';

export const html = htm.bind(h);

/** A deep link: every object has its own URL (`#/task/<cluster>/<id>`), kept with the scope. */
export const href = (...parts: string[]) => `${location.search}#/${parts.map(encodeURIComponent).join('/')}`;

export const lastPart = (arn: string | undefined) => (arn ?? '').split('/').pop() ?? '';
export const nameOf = (arn: string | undefined) => (arn ?? '').split(':').pop()?.split('/').pop() ?? '';

export function when(v: string | number | undefined): string {
  if (v === undefined || v === null) return '';
  const d = new Date(typeof v === 'number' && v < 1e11 ? v * 1000 : v);
  return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleTimeString();
}

const TONE: Record<string, string> = {
  RUNNING: 'ok',
  ACTIVE: 'ok',
  healthy: 'ok',
  HEALTHY: 'ok',
  COMPLETED: 'ok',
  SUCCESSFUL: 'ok',
  PRIMARY: 'ok',
  STOPPED: 'off',
  INACTIVE: 'off',
  unused: 'off',
  draining: 'warn',
  initial: 'warn',
  PENDING: 'warn',
  PROVISIONING: 'warn',
  ACTIVATING: 'warn',
  DEACTIVATING: 'warn',
  STOPPING: 'warn',
  DEPROVISIONING: 'warn',
  IN_PROGRESS: 'warn',
  UNKNOWN: 'warn',
  FAILED: 'bad',
  unhealthy: 'bad',
  UNHEALTHY: 'bad',
  ROLLBACK_SUCCESSFUL: 'bad',
  ROLLBACK_IN_PROGRESS: 'bad',
  ROLLBACK_FAILED: 'bad',
};

export const badge = (status: string | undefined) =>
  status ? html`<span class=${`badge ${TONE[status] ?? ''}`} data-status=${status}>${status}</span>` : '';

export const JsonView = ({ value }: { value: Json }) => html`<pre class="json">${JSON.stringify(value, null, 2)}</pre>`;

export const Empty = ({ what }: { what: string }) => html`<p class="empty">No ${what}.</p>`;
