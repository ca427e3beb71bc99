/**
 * Every operation of the pinned ECS model is answered by ECS itself: each command of the SDK,
 * sent with empty input, gets an answer or one of ECS's errors, never NotImplemented or an
 * internal failure, and the gateway keeps serving afterwards.
 */
import * as ECS from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [ecs({ pullPolicy: 'never' })] }));
const client = gw.sdk(ECS.ECSClient);

test('all 88 operations of the ECS model are implemented', async () => {
  const commands = Object.entries(ECS).filter(
    ([k, v]) => k.endsWith('Command') && typeof v === 'function' && 'resolveMiddleware' in v.prototype,
  );
  expect(commands).toHaveLength(88);
  const missing: string[] = [];
  for (const [name, Command] of commands) {
    const err = await client.send(new (Command as new (i: object) => ECS.ListClustersCommand)({})).then(
      () => undefined,
      (e: Error) => e,
    );
    if (err && /NotImplemented|Internal|Server/.test(err.name)) missing.push(`${name}: ${err.name}: ${err.message}`);
  }
  expect(missing).toEqual([]);
  expect((await client.send(new ECS.ListClustersCommand({}))).clusterArns).toBeDefined();
});
