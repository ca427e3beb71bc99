/** Image references that name a private ECR repository by its AWS host, as CDK and Terraform write them. */

const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?:@(sha256:[a-f0-9]{64})|:([a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}))?$/;

export interface EcrImageRef {
  /** `<account>.dkr.ecr.<region>.amazonaws.com` */
  host: string;
  registryId: string;
  region: string;
  repository: string;
  imageDigest?: string;
  imageTag?: string;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<repo>[:<tag>|@sha256:…]`, parsed; undefined for any other image. */
export function parseEcrImage(image: string): EcrImageRef | undefined {
  const m = ECR_IMAGE.exec(image);
  if (!m) return undefined;
  const [, registryId, region, repository, imageDigest, tag] = m;
  const host = image.slice(0, image.indexOf('/'));
  return imageDigest
    ? { host, registryId, region, repository, imageDigest }
    : { host, registryId, region, repository, imageTag: tag ?? 'latest' };
}
