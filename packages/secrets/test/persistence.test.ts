/** Secrets and parameters survive a restart with a data directory (versions, stages, history). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, GetParameterHistoryCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { secrets } from '@dockside/secrets';
import { startTestGateway } from '@dockside/testing';

test('a restart with the same data directory keeps secrets and parameters', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-secrets-'));
  try {
    const first = await startTestGateway({ plugins: [secrets()], dataDir: dir });
    const created = await first
      .client(SecretsManagerClient)
      .send(new CreateSecretCommand({ Name: 'kept', SecretString: 'one' }));
    await first.client(SecretsManagerClient).send(new PutSecretValueCommand({ SecretId: 'kept', SecretString: 'two' }));
    await first.client(SSMClient).send(new PutParameterCommand({ Name: '/kept', Value: 'a', Type: 'SecureString' }));
    await first
      .client(SSMClient)
      .send(new PutParameterCommand({ Name: '/kept', Value: 'b', Type: 'SecureString', Overwrite: true }));
    await first.stop();

    const second = await startTestGateway({ plugins: [secrets()], dataDir: dir });
    try {
      const sm = second.client(SecretsManagerClient);
      expect((await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }))).SecretString).toBe('two');
      expect(
        (await sm.send(new GetSecretValueCommand({ SecretId: 'kept', VersionStage: 'AWSPREVIOUS' }))).SecretString,
      ).toBe('one');
      expect((await sm.send(new DescribeSecretCommand({ SecretId: 'kept' }))).CreatedDate).toBeInstanceOf(Date);
      const ssm = second.client(SSMClient);
      expect(
        (await ssm.send(new GetParameterCommand({ Name: '/kept', WithDecryption: true }))).Parameter,
      ).toMatchObject({ Value: 'b', Version: 2 });
      expect(
        (await ssm.send(new GetParameterHistoryCommand({ Name: '/kept', WithDecryption: true }))).Parameters!.map(
          (p) => p.Value,
        ),
      ).toEqual(['a', 'b']);
    } finally {
      await second.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
