/**
 * AWS's input constraints (length, range, pattern from the published service model), checked
 * before anything is looked up, worded as AWS words them, and never echoing secret values.
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, GetParameterCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { secrets } from '@dockside/secrets';
import { rejection, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [secrets()] }));
const sm = gw.sdk(SecretsManagerClient);
const ssm = gw.sdk(SSMClient);

describe('Secrets Manager', () => {
  test('length constraints, before existence: a too-long id is a validation error, not a missing secret', async () => {
    const err = await rejection(sm.send(new DescribeSecretCommand({ SecretId: 'x'.repeat(2049) })));
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.message).toMatch(
      /^1 validation error detected: Value 'x{256}\.\.\.' at 'secretId' failed to satisfy constraint: Member must have length less than or equal to 2048$/,
    );
    const empty = await rejection(sm.send(new GetSecretValueCommand({ SecretId: '' })));
    expect(empty.message).toBe(
      "1 validation error detected: Value '' at 'secretId' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  test('a secret value is never echoed; every violation is reported', async () => {
    const secret = 's3cr3t-'.repeat(10_000);
    const err = await rejection(
      sm.send(new CreateSecretCommand({ Name: 'n', SecretString: secret, ClientRequestToken: 'short-token' })),
    );
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.message).not.toContain('s3cr3t');
    expect(err.message).toContain('2 validation errors detected: ');
    expect(err.message).toContain(
      "Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536",
    );
    expect(err.message).toContain(
      "Value 'short-token' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32",
    );
  });

  test('numeric range: MaxResults', async () => {
    const err = await rejection(sm.send(new ListSecretsCommand({ MaxResults: 101 })));
    expect(err.message).toBe(
      "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
  });
});

describe('Parameter Store', () => {
  test('list length and item length: GetParameters Names', async () => {
    const names = Array.from({ length: 11 }, (_, i) => `/p${i}`);
    const err = await rejection(ssm.send(new GetParametersCommand({ Names: names })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(
      /at 'names' failed to satisfy constraint: Member must have length less than or equal to 10$/,
    );
    const long = await rejection(ssm.send(new GetParameterCommand({ Name: 'a'.repeat(2049) })));
    expect(long.message).toMatch(
      /at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048$/,
    );
  });

  test('range before anything else: DescribeParameters MaxResults', async () => {
    const err = await rejection(ssm.send(new DescribeParametersCommand({ MaxResults: 51 })));
    expect(err.message).toBe(
      "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
    );
  });
});
