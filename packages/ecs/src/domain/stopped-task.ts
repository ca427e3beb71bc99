import type * as ECS from '@aws-sdk/client-ecs';
import type { TaskRecord } from '../state/types';

/**
 * A stopped task no longer changes, and ECS keeps it answering DescribeTasks and ListTasks, so a
 * long session holds thousands of them. Most of what each holds is the same from one task to the
 * next or an empty list, and several of its timestamps are the same instant. `compactStopped`
 * swaps those parts, in place, for shared values that are equal to them: every answer stays the
 * same (views are copies), only the heap shrinks. Measured on bench/scale.mjs's tasks (live heap
 * after a full GC, from 3,000 to 10,000 stopped tasks): 1.7–1.9 KB per task before, 0.8–1.1 after.
 *
 * The shared parts are frozen: a write to one would otherwise change every stopped task at once,
 * and the tracked store (`--data-dir`) hands frozen objects out as they are.
 */

const EMPTY: never[] = Object.freeze([]) as never[];
const NO_OVERRIDES: ECS.TaskOverride = Object.freeze({
  containerOverrides: EMPTY,
  inferenceAcceleratorOverrides: EMPTY,
});
/** The attribute every task gets at RunTask (domain/tasks.ts). */
/** The attribute every task starts with (createTaskRecord copies it). */
export const TASK_ARCHITECTURE: Readonly<ECS.Attribute> = Object.freeze({
  name: 'ecs.cpu-architecture',
  value: 'x86_64',
});
const DEFAULT_ATTRIBUTES: ECS.Attribute[] = Object.freeze([TASK_ARCHITECTURE]) as ECS.Attribute[];
const NO_RUNTIME_IDS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Stop reasons repeat from task to task ("Essential container in task exited", an engine's
 * error, a deployment's scale-in), and one built from parts is a tree of string pieces until
 * read: each is kept once, as one flat string. Bounded, so arbitrary StopTask reasons cannot grow it.
 */
const MAX_REASONS = 1_000;
const reasons = new Map<string, string>();
function internReason(s: string | undefined): string | undefined {
  if (!s) return s;
  const known = reasons.get(s);
  if (known !== undefined) return known;
  // A copy through a Buffer is one flat string, not the pieces it was concatenated from.
  const flat = Buffer.from(s, 'utf8').toString('utf8');
  if (reasons.size < MAX_REASONS) reasons.set(flat, flat);
  return flat;
}

const TIMESTAMPS = [
  'createdAt',
  'connectivityAt',
  'pullStartedAt',
  'pullStoppedAt',
  'startedAt',
  'stoppingAt',
  'executionStoppedAt',
  'stoppedAt',
] as const;

const isEmpty = (o: object) => {
  for (const _ in o) return false;
  return true;
};

const noOverrides = (o: ECS.TaskOverride | undefined) =>
  o !== undefined &&
  o.containerOverrides?.length === 0 &&
  o.inferenceAcceleratorOverrides?.length === 0 &&
  Object.keys(o).length === 2;

const defaultAttributes = (a: ECS.Attribute[] | undefined) =>
  a?.length === 1 &&
  a[0].name === DEFAULT_ATTRIBUTES[0].name &&
  a[0].value === DEFAULT_ATTRIBUTES[0].value &&
  Object.keys(a[0]).length === 2;

/** Swaps a STOPPED task's repeated and empty parts for shared equal ones (see above). */
export function compactStopped(task: TaskRecord): void {
  if (task.lastStatus !== 'STOPPED') return;
  if (task.overrides !== NO_OVERRIDES && noOverrides(task.overrides)) task.overrides = NO_OVERRIDES;
  if (task.attributes !== DEFAULT_ATTRIBUTES && defaultAttributes(task.attributes))
    task.attributes = DEFAULT_ATTRIBUTES;
  if (task.attachments?.length === 0) task.attachments = EMPTY;
  if (task.runtimeIds && isEmpty(task.runtimeIds)) task.runtimeIds = NO_RUNTIME_IDS;
  task.stoppedReason = internReason(task.stoppedReason);
  for (const c of task.containers ?? []) {
    if (c.networkInterfaces?.length === 0) c.networkInterfaces = EMPTY;
    if (c.reason) c.reason = internReason(c.reason);
  }
  // Timestamps of the same instant share one Date (Dates are never changed in place here): each
  // takes the first earlier one of its instant. No array or closure: this runs once per task.
  for (let i = 1; i < TIMESTAMPS.length; i++) {
    const d = task[TIMESTAMPS[i]];
    if (!d) continue;
    for (let j = 0; j < i; j++) {
      const e = task[TIMESTAMPS[j]];
      if (e && e !== d && e.getTime() === d.getTime()) {
        task[TIMESTAMPS[i]] = e;
        break;
      }
    }
  }
}
