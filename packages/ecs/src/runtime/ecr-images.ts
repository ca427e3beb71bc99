/**
 * Images named by ECR's AWS host (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` or
 * `@sha256:…`, as CDK and Terraform write them) run from Dockside's registry: the ECR plugin
 * gives a registry password for that account and region, the image is pulled from the registry
 * it serves, and tagged under the AWS name on the engine.
 */
import type { Bus } from '@dockside/core';
import type {} from '@dockside/ecr-registry';
import type { RegistryAuth } from './engine';
import { PullError } from './engine';

const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?:(@sha256:[a-f0-9]{64})|:([a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}))?$/;

export interface EcrSource {
  /** The same image in Dockside's registry (`127.0.0.1:4510/repo@sha256:…`). */
  source: string;
  auth: RegistryAuth;
  digest: string;
}

/** Where an ECR-named image really is, or undefined when it is not an ECR name or no ECR plugin is loaded. */
export async function resolveEcrImage(bus: Bus, image: string): Promise<EcrSource | undefined> {
  const m = ECR_IMAGE.exec(image);
  if (!m || !bus.isLoaded('ecr')) return undefined;
  const [, accountId, region, repository, atDigest, tag] = m;
  const where = { accountId, region };
  const notFound = () =>
    new PullError(
      `pull image manifest has been retried 1 time(s): failed to resolve ref ${image}: ${image}: not found`,
    );
  const reference = atDigest ? { imageDigest: atDigest.slice(1) } : { imageTag: tag ?? 'latest' };
  let digest: string | undefined;
  try {
    const got = await bus.call(
      'ecr',
      'BatchGetImage',
      { repositoryName: repository, registryId: accountId, imageIds: [reference] },
      where,
    );
    digest = got.images?.[0]?.imageId?.imageDigest;
  } catch {
    throw notFound();
  }
  if (!digest) throw notFound();
  const { authorizationData } = await bus.call('ecr', 'GetAuthorizationToken', {}, where);
  const data = authorizationData![0];
  const [username, ...rest] = Buffer.from(data.authorizationToken!, 'base64').toString('utf8').split(':');
  const host = data.proxyEndpoint!.replace(/^https?:\/\//, '');
  return {
    source: `${host}/${repository}@${digest}`,
    auth: { username, password: rest.join(':'), serveraddress: host },
    digest,
  };
}
