import { clone } from '@dockside/core';
import type { TaskRecord } from '../state/types';
import { compactStopped } from './stopped-task';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 2, 12, 0, 0, ms));

/** A stopped task shaped as createTaskRecord and the runtime leave it. */
function stoppedTask(id: string, extra: Partial<TaskRecord> = {}): TaskRecord {
  const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/c/${id}`;
  return {
    taskArn,
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/f:1',
    definition: { family: 'f', containerDefinitions: [] },
    runtimeIds: {},
    attachments: [],
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    containers: [
      {
        containerArn: `arn:aws:ecs:us-east-1:000000000000:container/c/${id}/1`,
        taskArn,
        name: 'app',
        lastStatus: 'STOPPED',
        networkInterfaces: [],
        reason: ['CannotStartContainerError: ', 'engine ', 'down'].join(''),
      },
    ],
    overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [] },
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    createdAt: at(1),
    stoppingAt: at(5),
    executionStoppedAt: at(5),
    stoppedAt: at(5),
    stopCode: 'TaskFailedToStart',
    stoppedReason: `CannotStartContainerError: ${['cannot', 'reach'].join(' ')} the engine`,
    ...extra,
  } as TaskRecord;
}

test('a compacted stopped task answers exactly as before', () => {
  const t = stoppedTask('a');
  const before = JSON.stringify(clone(t));
  compactStopped(t);
  expect(JSON.stringify(clone(t))).toBe(before);
  expect(t.stoppedAt!.getTime()).toBe(at(5).getTime());
});

test('stopped tasks share their empty and default parts, frozen', () => {
  const a = stoppedTask('a');
  const b = stoppedTask('b');
  compactStopped(a);
  compactStopped(b);
  expect(a.overrides).toBe(b.overrides);
  expect(a.attributes).toBe(b.attributes);
  expect(a.attachments).toBe(b.attachments);
  expect(a.runtimeIds).toBe(b.runtimeIds);
  expect(a.containers![0].networkInterfaces).toBe(b.containers![0].networkInterfaces);
  expect(Object.isFrozen(a.overrides)).toBe(true);
  expect(Object.isFrozen(a.overrides!.containerOverrides)).toBe(true);
  expect(Object.isFrozen(a.attributes![0])).toBe(true);
  // A write into a shared part would change every stopped task: it fails instead.
  expect(() => a.attachments!.push({ id: 'x' })).toThrow(TypeError);
  expect(b.attachments).toEqual([]);
});

test('timestamps of one instant share one Date; others keep their own', () => {
  const t = stoppedTask('a');
  compactStopped(t);
  expect(t.stoppingAt).toBe(t.stoppedAt);
  expect(t.executionStoppedAt).toBe(t.stoppedAt);
  expect(t.createdAt).not.toBe(t.stoppedAt);
  expect(t.createdAt!.getTime()).toBe(at(1).getTime());
});

test('parts with content, and tasks not yet stopped, are left as they are', () => {
  const overrides = { containerOverrides: [{ name: 'app', command: ['x'] }], inferenceAcceleratorOverrides: [] };
  const attachments = [{ id: 'eni', type: 'ElasticNetworkInterface', status: 'DELETED', details: [] }];
  const runtimeIds = { app: 'c0ffee' };
  const custom = stoppedTask('a', { overrides, attachments, runtimeIds });
  compactStopped(custom);
  expect(custom.overrides).toBe(overrides);
  expect(custom.attachments).toBe(attachments);
  expect(custom.runtimeIds).toBe(runtimeIds);
  expect(Object.isFrozen(custom.overrides)).toBe(false);

  const running = stoppedTask('b', { lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
  const before = { overrides: running.overrides, attachments: running.attachments, stoppingAt: running.stoppingAt };
  compactStopped(running);
  expect(running.overrides).toBe(before.overrides);
  expect(running.attachments).toBe(before.attachments);
  expect(running.stoppedAt).not.toBe(before.stoppingAt);
});

test('an overrides object with more than the two empty lists is not shared', () => {
  const t = stoppedTask('a', {
    overrides: {
      containerOverrides: [],
      inferenceAcceleratorOverrides: [],
      taskRoleArn: 'arn:aws:iam::000000000000:role/r',
    },
  });
  compactStopped(t);
  expect(t.overrides!.taskRoleArn).toBe('arn:aws:iam::000000000000:role/r');
  expect(Object.isFrozen(t.overrides)).toBe(false);
});
