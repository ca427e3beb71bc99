/**
 * The ECR plugin's public contract: the operations other plugins call through the bus (the ECS
 * runtime resolves and pulls `<account>.dkr.ecr.<region>.amazonaws.com/…` images with these).
 * Types only.
 */
import type * as ECR from '@aws-sdk/client-ecr';
import type { Call } from '@dockside/core';

export interface EcrRegistryCalls {
  GetAuthorizationToken: Call<ECR.GetAuthorizationTokenRequest, ECR.GetAuthorizationTokenResponse>;
  BatchGetImage: Call<ECR.BatchGetImageRequest, ECR.BatchGetImageResponse>;
}

declare module '@dockside/core' {
  interface DocksideServices {
    ecr: EcrRegistryCalls;
  }
}
