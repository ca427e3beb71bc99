/**
 * Secrets Manager replication between the regions of this Dockside: read-only replicas kept in
 * step with the primary, name conflicts, removal, promotion with StopReplicationToReplica.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RemoveRegionsFromReplicationCommand,
  ReplicateSecretToRegionsCommand,
  SecretsManagerClient,
  StopReplicationToReplicaCommand,
} from '@aws-sdk/client-secrets-manager';
import { secrets } from '@dockside/secrets';
import { rejection, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [secrets()] }), { resetEach: true });
const east = gw.sdk(SecretsManagerClient);
const west = gw.sdk(SecretsManagerClient, { region: 'eu-west-1' });
const north = gw.sdk(SecretsManagerClient, { region: 'eu-north-1' });

test('a replica follows its primary and refuses writes; DescribeSecret shows both sides', async () => {
  await east.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 'v1' }));
  const rep = await east.send(
    new ReplicateSecretToRegionsCommand({ SecretId: 'app/db', AddReplicaRegions: [{ Region: 'eu-west-1' }] }),
  );
  expect(rep.ReplicationStatus).toEqual([
    { Region: 'eu-west-1', Status: 'InSync', StatusMessage: 'Replication succeeded' },
  ]);
  expect((await west.send(new GetSecretValueCommand({ SecretId: 'app/db' }))).SecretString).toBe('v1');

  await east.send(new PutSecretValueCommand({ SecretId: 'app/db', SecretString: 'v2' }));
  const replica = await west.send(new GetSecretValueCommand({ SecretId: 'app/db' }));
  expect(replica.SecretString).toBe('v2');
  expect(replica.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:000000000000:secret:app\/db-/);

  expect(
    await rejection(west.send(new PutSecretValueCommand({ SecretId: 'app/db', SecretString: 'x' }))),
  ).toMatchObject({
    name: 'InvalidRequestException',
    message: "Operation not permitted on a replica secret. Call must be made in primary secret's region.",
  });
  expect(await east.send(new DescribeSecretCommand({ SecretId: 'app/db' }))).toMatchObject({
    PrimaryRegion: 'us-east-1',
    ReplicationStatus: [{ Region: 'eu-west-1', Status: 'InSync' }],
  });
  expect((await west.send(new DescribeSecretCommand({ SecretId: 'app/db' }))).PrimaryRegion).toBe('us-east-1');
  const listed = await west.send(
    new ListSecretsCommand({ Filters: [{ Key: 'primary-region', Values: ['us-east-1'] }] }),
  );
  expect(listed.SecretList?.map((s) => s.Name)).toEqual(['app/db']);
  // A primary with replicas is not deleted out from under them.
  expect(
    (await rejection(east.send(new DeleteSecretCommand({ SecretId: 'app/db', ForceDeleteWithoutRecovery: true }))))
      .name,
  ).toBe('InvalidRequestException');
});

test('a name taken in the destination fails that region; removal deletes the replica', async () => {
  await north.send(new CreateSecretCommand({ Name: 'shared', SecretString: 'north-own' }));
  await east.send(new CreateSecretCommand({ Name: 'shared', SecretString: 'east' }));
  const rep = await east.send(
    new ReplicateSecretToRegionsCommand({
      SecretId: 'shared',
      AddReplicaRegions: [{ Region: 'eu-north-1' }, { Region: 'eu-west-1' }],
    }),
  );
  expect(rep.ReplicationStatus?.map((r) => [r.Region, r.Status])).toEqual([
    ['eu-north-1', 'Failed'],
    ['eu-west-1', 'InSync'],
  ]);
  expect((await north.send(new GetSecretValueCommand({ SecretId: 'shared' }))).SecretString).toBe('north-own');
  await east.send(new RemoveRegionsFromReplicationCommand({ SecretId: 'shared', RemoveReplicaRegions: ['eu-west-1'] }));
  expect((await rejection(west.send(new GetSecretValueCommand({ SecretId: 'shared' })))).name).toBe(
    'ResourceNotFoundException',
  );
});

test('StopReplicationToReplica makes the replica a standalone, writable secret', async () => {
  await east.send(
    new CreateSecretCommand({ Name: 'promote', SecretString: 'p', AddReplicaRegions: [{ Region: 'eu-west-1' }] }),
  );
  await west.send(new StopReplicationToReplicaCommand({ SecretId: 'promote' }));
  await west.send(new PutSecretValueCommand({ SecretId: 'promote', SecretString: 'west-now' }));
  expect((await west.send(new GetSecretValueCommand({ SecretId: 'promote' }))).SecretString).toBe('west-now');
  expect((await east.send(new GetSecretValueCommand({ SecretId: 'promote' }))).SecretString).toBe('p');
  expect(await east.send(new DescribeSecretCommand({ SecretId: 'promote' }))).not.toHaveProperty('ReplicationStatus');
  expect((await rejection(east.send(new StopReplicationToReplicaCommand({ SecretId: 'promote' })))).name).toBe(
    'InvalidRequestException',
  );
});
