/**
 * Secrets Manager behaviours verified against AWS: members left out when empty, the first
 * version AWSCURRENT, a forced delete of a missing secret succeeding, request checks before
 * lookups, and idempotent retries with a client token.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  InvalidParameterException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { secrets } from '@dockside/secrets';
import { useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [secrets()] }), { resetEach: true });
const sm = gw.sdk(SecretsManagerClient);
const TOKEN = 'a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d';

test('DescribeSecret leaves out RotationEnabled, Tags and VersionIdsToStages when there are none', async () => {
  await sm.send(new CreateSecretCommand({ Name: 'bare' }));
  const bare = await sm.send(new DescribeSecretCommand({ SecretId: 'bare' }));
  expect(bare).not.toHaveProperty('RotationEnabled');
  expect(bare).not.toHaveProperty('Tags');
  expect(bare).not.toHaveProperty('VersionIdsToStages');
  await sm.send(new CreateSecretCommand({ Name: 'full', SecretString: 'v', Tags: [{ Key: 'k', Value: 'v' }] }));
  const full = await sm.send(new DescribeSecretCommand({ SecretId: 'full' }));
  expect(full.Tags).toEqual([{ Key: 'k', Value: 'v' }]);
  // The first version of a secret is AWSCURRENT.
  expect(Object.values(full.VersionIdsToStages!)).toEqual([['AWSCURRENT']]);
});

test('a forced delete of a secret that does not exist succeeds; a recovery-window delete does not', async () => {
  const out = await sm.send(new DeleteSecretCommand({ SecretId: 'never-was', ForceDeleteWithoutRecovery: true }));
  expect(out.Name).toBe('never-was');
  expect(out.DeletionDate).toBeInstanceOf(Date);
  await expect(sm.send(new DeleteSecretCommand({ SecretId: 'never-was' }))).rejects.toBeInstanceOf(
    ResourceNotFoundException,
  );
  // The conflicting options are refused before anything is looked up.
  await expect(
    sm.send(
      new DeleteSecretCommand({ SecretId: 'never-was', ForceDeleteWithoutRecovery: true, RecoveryWindowInDays: 7 }),
    ),
  ).rejects.toBeInstanceOf(InvalidParameterException);
});

test('PutSecretValue and RotateSecret check their parameters before looking the secret up', async () => {
  await expect(sm.send(new PutSecretValueCommand({ SecretId: 'missing' }))).rejects.toMatchObject({
    name: 'InvalidParameterException',
    message: 'You must provide either SecretString or SecretBinary.',
  });
  await expect(
    sm.send(new RotateSecretCommand({ SecretId: 'missing', RotationRules: { AutomaticallyAfterDays: 0 } })),
  ).rejects.toBeInstanceOf(InvalidParameterException);
  await expect(sm.send(new RotateSecretCommand({ SecretId: 'missing' }))).rejects.toBeInstanceOf(
    ResourceNotFoundException,
  );
});

test('a retried request with the same client token answers as the first did; another value is refused', async () => {
  await sm.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'one' }));
  const first = await sm.send(
    new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'two', ClientRequestToken: TOKEN }),
  );
  const again = await sm.send(
    new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'two', ClientRequestToken: TOKEN }),
  );
  const shape = ({ $metadata: _m, ...rest }: typeof first) => rest;
  expect(shape(again)).toEqual(shape(first));
  expect(Object.keys(shape(first)).sort()).toEqual(['ARN', 'Name', 'VersionId', 'VersionStages']);
  await expect(
    sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'three', ClientRequestToken: TOKEN })),
  ).rejects.toMatchObject({
    name: ResourceExistsException.name,
    message: "You can't modify an existing version, you can only create a new version.",
  });
});

test('ListSecrets filters are checked before anything is listed, with AWS messages', async () => {
  await expect(sm.send(new ListSecretsCommand({ Filters: [{ Values: ['x'] }] }))).rejects.toMatchObject({
    name: 'InvalidParameterException',
    message: 'Invalid filter key',
  });
  await expect(sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name' }] }))).rejects.toMatchObject({
    name: 'InvalidParameterException',
    message: 'Invalid filter values for key: name',
  });
  const bad = await sm
    .send(new ListSecretsCommand({ Filters: [{ Key: 'colour' as never, Values: ['x'] }] }))
    .catch((e: Error) => e);
  expect((bad as Error).message).toMatch(
    /^1 validation error detected: Value 'colour' at 'filters\.1\.member\.key' failed to satisfy constraint: Member must satisfy enum value set: \[/,
  );
});
