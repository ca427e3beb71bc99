import type { EcsState, TaskRecord } from '../state/types';
import { TaskIndex } from './task-index';

const state = (arns: string[]) =>
  ({ tasks: Object.fromEntries(arns.map((a) => [a, { taskArn: a } as TaskRecord])) }) as unknown as EcsState;

test('sorted task ARNs: the same list while nothing changed, rebuilt after a task is added', () => {
  const index = new TaskIndex();
  const s = state(['c', 'a', 'b']);
  const first = index.sortedArns(s);
  expect(first).toEqual(['a', 'b', 'c']);
  expect(index.sortedArns(s)).toBe(first);
  // A task changed status (same tasks): the list is kept.
  index.touch();
  expect(index.sortedArns(s)).toBe(first);
  // A task was added (every creation is published, which touches the index).
  s.tasks['aa'] = { taskArn: 'aa' } as TaskRecord;
  index.touch();
  expect(index.sortedArns(s)).toEqual(['a', 'aa', 'b', 'c']);
  // Another partition has its own list.
  expect(index.sortedArns(state(['z']))).toEqual(['z']);
});
