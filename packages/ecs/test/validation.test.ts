/** ECS's own wording for values outside an enum, and the model's constraints, before any lookup. */
import {
  ECSClient,
  InvalidParameterException,
  RunTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { rejection, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never' })] }));
const client = gw.sdk(ECSClient);

test('a bad enum value is worded "<member> should be one of [A,B,…]", before the cluster is looked up', async () => {
  const err = await rejection(
    client.send(new RunTaskCommand({ cluster: 'no-such-cluster', taskDefinition: 'f', launchType: 'MOON' as never })),
  );
  expect(err).toBeInstanceOf(InvalidParameterException);
  const m = /^launchType should be one of \[([A-Z0-9_,]+)\]$/.exec(err.message);
  expect(m?.[1].split(',')).toEqual(expect.arrayContaining(['EC2', 'FARGATE', 'EXTERNAL']));
});

test("the model's length constraints: more than 50 tags", async () => {
  const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
  const err = await rejection(
    client.send(new TagResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/missing', tags })),
  );
  expect(err).toBeInstanceOf(InvalidParameterException);
  expect(err.message).toMatch(
    /^1 validation error detected: Value '\[.*' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50$/,
  );
  const keys = await rejection(
    client.send(
      new UntagResourceCommand({
        resourceArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/missing',
        tagKeys: ['bad\u0007key'],
      }),
    ),
  );
  expect(keys.message).toContain(
    "at 'tagKeys.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern",
  );
});
