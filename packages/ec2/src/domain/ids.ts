import { randomBytes } from 'node:crypto';

/** A new EC2 resource id: `<prefix>-` and 17 hex digits, as EC2's long ids are. */
export const newId = (prefix: string) => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;

/** Whether `id` looks like an id of this kind (`vpc-` + 8 or 17 hex digits). */
export const isId = (prefix: string, id: string) => new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(id);
