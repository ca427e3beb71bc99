/**
 * Bumped on every change of any task's status (the runtime's publish, and task creation), so
 * figures derived from all tasks (cluster counters) can be cached until the next change.
 */
export const taskEpoch = { value: 0 };
