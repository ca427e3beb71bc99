/** ARNs of EventBridge resources. */
export interface Where {
  accountId: string;
  region: string;
}
const base = (w: Where) => `arn:aws:events:${w.region}:${w.accountId}`;
export const busArn = (w: Where, name: string) => `${base(w)}:event-bus/${name}`;
export const ruleArn = (w: Where, bus: string, name: string) =>
  `${base(w)}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
export const archiveArn = (w: Where, name: string) => `${base(w)}:archive/${name}`;
export const replayArn = (w: Where, name: string) => `${base(w)}:replay/${name}`;
export const connectionArn = (w: Where, name: string, id: string) => `${base(w)}:connection/${name}/${id}`;
export const apiDestinationArn = (w: Where, name: string, id: string) => `${base(w)}:api-destination/${name}/${id}`;

/** A bus named by name or ARN. */
export const busName = (nameOrArn: string | undefined) =>
  !nameOrArn
    ? 'default'
    : nameOrArn.startsWith('arn:')
      ? nameOrArn.slice(nameOrArn.indexOf(':event-bus/') + ':event-bus/'.length)
      : nameOrArn;

/** A timestamp as the JSON protocol carries it (epoch seconds) or as a Date. */
export const toDate = (v: unknown): Date =>
  Object.prototype.toString.call(v) === '[object Date]'
    ? (v as Date)
    : new Date(typeof v === 'number' ? v * 1000 : String(v));
