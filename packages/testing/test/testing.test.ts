/** The test kit itself: images that really run, the engine probe, and startTestGateway. */
import Docker from 'dockerode';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import {
  TEST_IMAGES,
  dockerAvailable,
  dockerClient,
  ensureBusyboxImage,
  ensureNodeImage,
  startTestGateway,
} from '@dockside/testing';

async function runOnce(docker: Docker, image: string, cmd: string[]): Promise<{ code: number; out: string }> {
  const c = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    Labels: { 'dockside.test': 'testing' },
    HostConfig: { AutoRemove: false },
  });
  try {
    const stream = await c.attach({ stream: true, stdout: true, stderr: true });
    let out = '';
    stream.on('data', (d: Buffer) => (out += d.toString('utf8')));
    await c.start();
    const { StatusCode } = await c.wait();
    return { code: StatusCode, out };
  } finally {
    await c.remove({ force: true });
  }
}

test('dockerAvailable tells a live engine from a dead socket', async () => {
  expect(await dockerAvailable()).toBe(true);
  expect(await dockerAvailable(500, new Docker({ socketPath: '/nonexistent/docker.sock' }))).toBe(false);
});

test('the busybox image runs shell tools; building it twice is a no-op', async () => {
  const docker = dockerClient();
  const id1 = (await docker.getImage(await ensureBusyboxImage(docker)).inspect()).Id;
  const id2 = (await docker.getImage(await ensureBusyboxImage(docker)).inspect()).Id;
  expect(id2).toBe(id1);
  const r = await runOnce(docker, TEST_IMAGES.busybox, ['sh', '-c', 'echo hello; id -u; exit 3']);
  expect(r.code).toBe(3);
  expect(r.out).toContain('hello');
});

test('the node image runs the host node', async () => {
  const docker = dockerClient();
  await ensureNodeImage(docker);
  const r = await runOnce(docker, TEST_IMAGES.node, ['node', '-e', 'console.log(process.version)']);
  expect(r.code).toBe(0);
  expect(r.out).toContain(process.version);
});

test('startTestGateway serves on a free port and builds pointed SDK clients', async () => {
  const t = await startTestGateway({ plugins: [ecs({ instancesPerCluster: 1 })] });
  try {
    expect(t.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(t.port).toBeGreaterThan(0);
    const c = t.client(ECSClient);
    expect((await c.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
    expect(t.clientConfig().maxAttempts).toBe(1);
  } finally {
    await t.stop();
  }
  await expect(fetch(`${t.endpoint}/_dockside/health`)).rejects.toThrow();
});
