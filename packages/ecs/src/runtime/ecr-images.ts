/**
 * Images named by ECR's AWS host (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` or
 * `@sha256:…`, as CDK and Terraform write them) run from Dockside's registry: the ECR plugin
 * gives a registry password for that account and region, the image is pulled from the registry
 * it serves, and tagged under the AWS name on the engine.
 *
 * The pull acts as the task's execution role (or, on EC2 without one, the container instance's
 * role, which belongs to the cluster's account), so the repository's policy decides pulls across
 * accounts as on ECR.
 */
import type { Bus } from '@dockside/core';
import type {} from '@dockside/ecr-registry';
import type { RegistryAuth } from './engine';
import { PullError } from './engine';
import { parseEcrImage } from '../domain/ecr-image';

export interface EcrSource {
  /** The same image in Dockside's registry (`127.0.0.1:4510/repo@sha256:…`). */
  source: string;
  auth: RegistryAuth;
  digest: string;
}

/** Who pulls: the task's account, and its execution role when it has one. */
export interface Puller {
  accountId: string;
  executionRoleArn?: string;
  /** Fargate pulls only with an execution role; EC2 falls back to the instance role. */
  fargate: boolean;
}

/** Where an ECR-named image really is, or undefined when it is not an ECR name or no ECR plugin is loaded. */
export async function resolveEcrImage(bus: Bus, image: string, puller: Puller): Promise<EcrSource | undefined> {
  const parsed = parseEcrImage(image);
  if (!parsed || !bus.isLoaded('ecr')) return undefined;
  const { host, registryId, region, repository, imageDigest, imageTag } = parsed;
  const reference = imageDigest ? { imageDigest } : { imageTag };
  const ref = imageDigest ?? imageTag;
  if (puller.fargate && !puller.executionRoleArn)
    throw new PullError(
      `Error response from daemon: Head "https://${host}/v2/${repository}/manifests/${ref}": no basic auth credentials`,
    );
  const roleAccount = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(puller.executionRoleArn ?? '')?.[1];
  const caller = {
    accountId: roleAccount ?? puller.accountId,
    region,
    ...(puller.executionRoleArn ? { principal: puller.executionRoleArn } : {}),
  };
  const failed = (why: string) =>
    new PullError(`pull image manifest has been retried 1 time(s): failed to resolve ref ${image}: ${why}`);
  let digest: string | undefined;
  try {
    const got = await bus.call(
      'ecr',
      'BatchGetImage',
      { repositoryName: repository, registryId, imageIds: [reference] },
      caller,
    );
    digest = got.images?.[0]?.imageId?.imageDigest;
  } catch (e) {
    if ((e as { code?: string }).code === 'AccessDeniedException')
      throw failed(`pulling from host ${host} failed with status code [manifests ${ref}]: 403 Forbidden`);
    throw failed(`${image}: not found`);
  }
  if (!digest) throw failed(`${image}: not found`);
  const { authorizationData } = await bus.call('ecr', 'GetAuthorizationToken', { registryIds: [registryId] }, caller);
  const data = authorizationData![0];
  const [username, ...rest] = Buffer.from(data.authorizationToken!, 'base64').toString('utf8').split(':');
  const local = data.proxyEndpoint!.replace(/^https?:\/\//, '');
  return {
    source: `${local}/${repository}@${digest}`,
    auth: { username, password: rest.join(':'), serveraddress: local },
    digest,
  };
}
