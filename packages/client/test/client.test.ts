import { DocksideApiError, DocksideClient } from '@dockside/client';
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [ecs({ instancesPerCluster: 1 })], version: '1.0.0' }));

test('health and reset through the typed client', async () => {
  const api = new DocksideClient(`${gw.t.endpoint}/`);
  expect(await api.health()).toEqual({
    status: 'running',
    version: '1.0.0',
    services: [{ name: 'ecs', plugin: 'ecs', protocol: 'awsJson1_1' }],
  });
  const ecsClient = gw.t.client(ECSClient);
  await ecsClient.send(new CreateClusterCommand({ clusterName: 'x' }));
  await api.reset();
  expect((await ecsClient.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
});

test('an error status becomes DocksideApiError', async () => {
  class Probe extends DocksideClient {
    missing() {
      return this.request('GET', '/_dockside/nope');
    }
  }
  const err = (await new Probe(gw.t.endpoint).missing().catch((e) => e)) as DocksideApiError;
  expect(err).toBeInstanceOf(DocksideApiError);
  expect(err.status).toBe(404);
  expect(JSON.parse(err.body)).toEqual({ __type: 'NotFound', message: 'No Dockside endpoint at GET /_dockside/nope' });
});
