export { startTestGateway } from './gateway';
export type { SdkClientConfig, TestGateway, TestGatewayOptions } from './gateway';
export { dockerAvailable, dockerClient } from './docker';
export { TEST_IMAGES, ensureBusyboxImage, ensureNodeImage, ensureTestImages } from './images';
export { GiveUp, waitFor } from './wait';
export { awsCliAvailable } from './aws-cli';
export { startTestRegistry } from './registry';
export type { TestRegistry } from './registry';
