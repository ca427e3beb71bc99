/**
 * With --data-dir, repositories, images and their blobs survive a restart, and the registry serves them
 * again, to a password issued before the restart (as ECR's 12-hour tokens outlive any one server).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type AuthorizationData,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { ecrRegistry } from '@dockside/ecr-registry';
import { startTestGateway } from '@dockside/testing';
import { digestOf, image, pushViaApi } from './helpers';

test('images and blobs are kept under the data dir across a restart', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-ecr-data-'));
  const built = image('kept');
  let before: AuthorizationData[] | undefined;
  try {
    const first = await startTestGateway({ plugins: [ecrRegistry({ port: 0 })], dataDir: dir });
    try {
      const ecr = first.client(ECRClient);
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'kept/app' }));
      await pushViaApi(ecr, 'kept/app', built, 'v1');
      ({ authorizationData: before } = await ecr.send(new GetAuthorizationTokenCommand({})));
    } finally {
      await first.stop();
    }
    expect(fs.readdirSync(path.join(dir, 'ecr-blobs', 'sha256'))).toEqual(
      expect.arrayContaining([digestOf(built.layer).slice(7), digestOf(built.config).slice(7)]),
    );
    const second = await startTestGateway({ plugins: [ecrRegistry({ port: 0 })], dataDir: dir });
    try {
      const ecr = second.client(ECRClient);
      const got = await ecr.send(
        new BatchGetImageCommand({ repositoryName: 'kept/app', imageIds: [{ imageTag: 'v1' }] }),
      );
      expect(got.images![0].imageManifest).toBe(built.manifest);
      const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
      const blob = (token: string) =>
        fetch(`${authorizationData![0].proxyEndpoint}/v2/kept/app/blobs/${digestOf(built.layer)}`, {
          headers: { Authorization: `Basic ${token}` },
        });
      const res = await blob(authorizationData![0].authorizationToken!);
      expect([res.status, await res.text()]).toEqual([200, 'layer:kept']);
      // The password docker stored before the restart still logs in; the signing key is owner-only.
      const old = await blob(before![0].authorizationToken!);
      expect([old.status, await old.text()]).toEqual([200, 'layer:kept']);
      expect(fs.statSync(path.join(dir, 'ecr-token.key')).mode & 0o777).toBe(0o600);
      const forged = Buffer.from(`AWS:${Buffer.from('{"a":"000000000000"}').toString('base64url')}.x`).toString(
        'base64',
      );
      expect((await blob(forged)).status).toBe(401);
    } finally {
      await second.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
