/**
 * Embedding (Dockside's second kind of user): selected plugins mounted inside another Node HTTP
 * server — another emulator's express app, under a path of its own, and a bare `http` server on
 * its own port — reached with the real SDK clients.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { createGateway } from '@dockside/core';
import { ecs } from '@dockside/ecs';
import { logs } from '@dockside/logs';
import express from 'express';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const listen = async (server: http.Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

test('ecs and logs mounted at /dockside in a host express app that keeps its own routes', async () => {
  const gateway = createGateway({ plugins: [ecs(), logs()], logLevel: 'silent' });
  await gateway.start();
  const app = express();
  app.get('/host/hello', (_req, res) => void res.json({ from: 'host' }));
  app.use('/dockside', gateway.handler);
  const server = http.createServer(app);
  const base = await listen(server);
  try {
    const ecsClient = new ECSClient({ endpoint: `${base}/dockside`, region: 'eu-west-1', credentials, maxAttempts: 1 });
    await ecsClient.send(new CreateClusterCommand({ clusterName: 'embedded' }));
    expect((await ecsClient.send(new ListClustersCommand({}))).clusterArns).toEqual([
      'arn:aws:ecs:eu-west-1:000000000000:cluster/embedded',
    ]);
    const cwl = new CloudWatchLogsClient({
      endpoint: `${base}/dockside`,
      region: 'eu-west-1',
      credentials,
      maxAttempts: 1,
    });
    await cwl.send(new CreateLogGroupCommand({ logGroupName: '/embedded' }));
    expect((await cwl.send(new DescribeLogGroupsCommand({}))).logGroups?.map((g) => g.logGroupName)).toEqual([
      '/embedded',
    ]);
    // The host's own routes and Dockside's introspection both answer, each under its path.
    expect(await (await fetch(`${base}/host/hello`)).json()).toEqual({ from: 'host' });
    const clusters = (await (await fetch(`${base}/dockside/_dockside/ecs/clusters`)).json()) as { clusters: unknown[] };
    expect(clusters.clusters).toHaveLength(1);
  } finally {
    await new Promise((r) => server.close(r));
    await gateway.close();
  }
});

test('a bare node:http server on its own port hands every request to the gateway', async () => {
  const gateway = createGateway({ plugins: [ecs()], logLevel: 'silent' });
  await gateway.start();
  const server = http.createServer((req, res) => gateway.handler(req, res));
  const base = await listen(server);
  try {
    const client = new ECSClient({ endpoint: base, region: 'us-east-1', credentials, maxAttempts: 1 });
    await client.send(new CreateClusterCommand({ clusterName: 'bare' }));
    expect((await client.send(new ListClustersCommand({}))).clusterArns).toHaveLength(1);
  } finally {
    await new Promise((r) => server.close(r));
    await gateway.close();
  }
});
