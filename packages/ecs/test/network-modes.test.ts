/** host and none modes, and containers of every mode reaching Dockside (metadata v3/v4). */
import {
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';

import { waitFor } from '@dockside/testing';
import { BUSYBOX, useEcs, waitForTask } from './helpers';

const { gw, client, api } = useEcs();

// busybox has no working HTTP client here, so the probe speaks HTTP/1.0 through nc (its stdin
// is held open for a second: busybox nc quits when stdin ends, before the answer arrives).
const probe = [
  'u=${ECS_CONTAINER_METADATA_URI_V4#http://}',
  'hp=${u%%/*}',
  'p=/${u#*/}',
  `(printf "GET $p/task HTTP/1.0\\r\\n\\r\\n"; sleep 1) | nc \${hp%:*} \${hp#*:} | tail -1 | grep -o '"TaskARN":"[^"]*"'`,
].join('; ');

async function runProbe(
  family: string,
  networkMode: 'host' | 'awsvpc' | 'bridge' | 'none',
  extra: Partial<ContainerDefinition> = {},
) {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode,
      ...(networkMode === 'awsvpc' ? { cpu: '256', memory: '512' } : {}),
      containerDefinitions: [{ name: 'main', image: BUSYBOX, memory: 32, command: ['sh', '-c', probe], ...extra }],
    }),
  );
  const { tasks } = await client.send(
    new RunTaskCommand({
      taskDefinition: family,
      ...(networkMode === 'awsvpc'
        ? { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a0a0a0a'] } } }
        : {}),
    }),
  );
  const done = await waitForTask(client, tasks![0].taskArn!, 'STOPPED');
  return { done, lines: (await api().ecs.logs(done.taskArn!)).containers[0].lines.map((l) => l.line) };
}

test.each(['bridge', 'host', 'awsvpc'] as const)(
  'a %s container reaches Dockside through its metadata URI',
  async (mode) => {
    const { done, lines } = await runProbe(`reach-${mode}`, mode);
    expect(done.containers![0].exitCode).toBe(0);
    // (The task may still be ACTIVATING when its container asks: it answers for this task either way.)
    expect(lines).toEqual([`"TaskARN":"${done.taskArn}"`]);
  },
);

test('none: the container has only loopback (the URIs are still injected, as ECS does)', async () => {
  const { lines } = await runProbe('isolated', 'none', {
    command: ['sh', '-c', 'ip -4 addr | grep -c inet; echo uri=${ECS_CONTAINER_METADATA_URI_V4:+set}'],
  });
  expect(lines).toEqual(['1', 'uri=set']);
});

test('host: ports bind on the machine, reported as ECS does', async () => {
  const port = 18000 + (process.pid % 1000);
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'hostweb',
      networkMode: 'host',
      containerDefinitions: [
        {
          name: 'web',
          image: BUSYBOX,
          memory: 32,
          stopTimeout: 1,
          portMappings: [{ containerPort: port }],
          command: ['sh', '-c', `mkdir -p /w && echo host-mode > /w/index.html && httpd -f -p 127.0.0.1:${port} -h /w`],
        },
      ],
    }),
  );
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'hostweb' }));
  const running = await waitForTask(client, tasks![0].taskArn!, 'RUNNING');
  expect(running.containers![0].networkBindings).toEqual([
    { bindIP: '0.0.0.0', containerPort: port, hostPort: port, protocol: 'tcp' },
  ]);
  expect(await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`)).text(), { what: 'httpd' })).toBe(
    'host-mode\n',
  );
  await client.send(new StopTaskCommand({ task: running.taskArn }));
  await waitForTask(client, running.taskArn!, 'STOPPED');
});

test('metadata v3 paths answer without the v4-only fields', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'v3',
      containerDefinitions: [{ name: 'main', image: BUSYBOX, memory: 32, stopTimeout: 1, command: ['sleep', '3600'] }],
    }),
  );
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'v3' }));
  const running = await waitForTask(client, tasks![0].taskArn!, 'RUNNING');
  const token = running.containers![0].containerArn!.split('/').pop();
  const container = await (await fetch(`${gw.t.endpoint}/v3/${token}`)).json();
  expect(container).toMatchObject({ DockerId: running.containers![0].runtimeId, Name: 'main', KnownStatus: 'RUNNING' });
  expect(container.ContainerARN).toBeUndefined();
  const task = await (await fetch(`${gw.t.endpoint}/v3/${token}/task`)).json();
  expect(task).toMatchObject({ TaskARN: running.taskArn, Family: 'v3', Revision: '1' });
  expect(task.LaunchType).toBeUndefined();
  expect((await fetch(`${gw.t.endpoint}/v3/${token}/taskWithTags`)).status).toBe(404);
  const stats = await (await fetch(`${gw.t.endpoint}/v3/${token}/task/stats`)).json();
  expect(Object.keys(stats)).toEqual([running.containers![0].runtimeId]);
  await client.send(new StopTaskCommand({ task: running.taskArn }));
  await waitForTask(client, running.taskArn!, 'STOPPED');
});
