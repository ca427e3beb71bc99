import { TASK_STATUSES, applyStatus, pathTo, startOrder, taskHealth } from './lifecycle';

test('the full path from PROVISIONING passes every status', () => {
  expect(pathTo('PROVISIONING', 'STOPPED')).toEqual(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);
  expect(pathTo('PROVISIONING', 'RUNNING')).toEqual(['PENDING', 'ACTIVATING', 'RUNNING']);
  expect(pathTo('RUNNING', 'STOPPED')).toEqual(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);
  expect(pathTo('PENDING', 'STOPPED')).toEqual(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);
  expect(pathTo('STOPPING', 'STOPPED')).toEqual(['DEPROVISIONING', 'STOPPED']);
});

test('never backwards, never again', () => {
  expect(pathTo('RUNNING', 'PENDING')).toEqual([]);
  expect(pathTo('STOPPED', 'STOPPED')).toEqual([]);
  expect(pathTo('RUNNING', 'RUNNING')).toEqual([]);
});

test('each status sets its timestamps and bumps the version', () => {
  const task: Record<string, unknown> = { version: 1, desiredStatus: 'RUNNING' };
  const t = (i: number) => new Date(1000 * i);
  TASK_STATUSES.slice(1).forEach((s, i) => applyStatus(task, s, t(i + 1)));
  expect(task).toMatchObject({
    version: 8,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    connectivity: 'DISCONNECTED',
    connectivityAt: t(1),
    startedAt: t(3),
    stoppingAt: t(4),
    executionStoppedAt: t(6),
    stoppedAt: t(7),
  });
});

test('task health comes from essential containers with checks', () => {
  const c = (essential: boolean, hasHealthCheck: boolean, healthStatus?: string) => ({
    essential,
    hasHealthCheck,
    healthStatus,
  });
  expect(taskHealth([c(true, false)])).toBe('UNKNOWN');
  expect(taskHealth([c(true, true, 'HEALTHY'), c(true, false)])).toBe('HEALTHY');
  expect(taskHealth([c(true, true, 'HEALTHY'), c(true, true, 'UNKNOWN')])).toBe('UNKNOWN');
  expect(taskHealth([c(true, true, 'HEALTHY'), c(true, true, 'UNHEALTHY')])).toBe('UNHEALTHY');
  expect(taskHealth([c(true, true, 'HEALTHY'), c(false, true, 'UNHEALTHY')])).toBe('HEALTHY');
});

test('start waves follow dependsOn and volumesFrom', () => {
  expect(
    startOrder([
      {
        name: 'app',
        dependsOn: [
          { containerName: 'db', condition: 'HEALTHY' },
          { containerName: 'init', condition: 'SUCCESS' },
        ],
      },
      { name: 'db' },
      { name: 'init', volumesFrom: [{ sourceContainer: 'db' }] },
      { name: 'side' },
    ]),
  ).toEqual([['db', 'side'], ['init'], ['app']]);
  expect(() =>
    startOrder([
      { name: 'a', dependsOn: [{ containerName: 'b', condition: 'START' }] },
      { name: 'b', dependsOn: [{ containerName: 'a', condition: 'START' }] },
    ]),
  ).toThrow('cyclic');
});
