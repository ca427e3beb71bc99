/** Repository names, tags and digests as ECR and the OCI spec accept them. */
import { invalidParameter } from '../errors';

export const REPO_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
export const DIGEST_REF = /^sha256:[a-f0-9]{64}$/;

export function checkRepositoryName(name: string) {
  if (name.length < 2 || name.length > 256 || !REPO_NAME.test(name)) {
    throw invalidParameter(
      `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*' and length between 2 and 256'`,
    );
  }
}

/** `<account>.dkr.ecr.<region>.amazonaws.com` */
export const awsRegistryHost = (accountId: string, region: string) => `${accountId}.dkr.ecr.${region}.amazonaws.com`;

/** An image reference naming ECR by its AWS host: account, region, repository and tag or digest. */
export function parseEcrImage(
  image: string,
): { accountId: string; region: string; repository: string; reference: string } | undefined {
  const m =
    /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?:(@sha256:[a-f0-9]{64})|:([a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}))?$/.exec(
      image,
    );
  if (!m) return undefined;
  return { accountId: m[1], region: m[2], repository: m[3], reference: m[4] ? m[4].slice(1) : (m[5] ?? 'latest') };
}
