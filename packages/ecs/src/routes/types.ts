import type { Tag } from '@aws-sdk/client-ecs';

/** Tags of a resource by ARN. */
export type TagsLookup = (arn: string) => Tag[];
