import type { EcsState, TaskRecord } from '../state/types';
import { TaskIndex } from './task-index';
import { firstAfter } from './tasks';

const state = (arns: string[]) =>
  ({ tasks: Object.fromEntries(arns.map((a) => [a, { taskArn: a } as TaskRecord])) }) as unknown as EcsState;
const arnsOf = (tasks: TaskRecord[]) => tasks.map((t) => t.taskArn);

test('tasks in ARN order: the same list while nothing changed, rebuilt after a task is added', () => {
  const index = new TaskIndex();
  const s = state(['c', 'a', 'b']);
  const first = index.sortedTasks(s);
  expect(arnsOf(first)).toEqual(['a', 'b', 'c']);
  // The records themselves, not copies: a status change made in place is seen through the list.
  expect(first[0]).toBe(s.tasks['a']);
  expect(index.sortedTasks(s)).toBe(first);
  // A task changed status (same tasks): the list is kept.
  index.touch();
  expect(index.sortedTasks(s)).toBe(first);
  // A task was added (every creation is published, which touches the index).
  s.tasks['aa'] = { taskArn: 'aa' } as TaskRecord;
  index.touch();
  expect(arnsOf(index.sortedTasks(s))).toEqual(['a', 'aa', 'b', 'c']);
  // Another partition has its own list.
  expect(arnsOf(index.sortedTasks(state(['z'])))).toEqual(['z']);
});

test('firstAfter: where a page after a token starts', () => {
  const tasks = ['a', 'b', 'd'].map((a) => ({ taskArn: a }) as TaskRecord);
  expect(firstAfter(tasks, '')).toBe(0);
  expect(firstAfter(tasks, 'a')).toBe(1);
  expect(firstAfter(tasks, 'c')).toBe(2);
  expect(firstAfter(tasks, 'd')).toBe(3);
});
