export { createGateway } from './gateway';
export type { Gateway, GatewayOptions } from './gateway';
export { Bus } from './bus';
export type { Call, CallOptions, DocksideEvents, DocksideServices, InputOf, OutputOf, RegionalCall } from './bus';
export {
  ServiceError,
  DocksideError,
  ServiceNotLoadedError,
  isServiceError,
  isServiceNotLoaded,
  notImplemented,
  unknownOperation,
} from './errors';
export type { BootErrorCode } from './errors';
export type {
  DocksidePlugin,
  GatewayConfig,
  OperationHandler,
  OperationMap,
  PluginContext,
  PluginParts,
  PluginRoutes,
  ProtocolDef,
  RequestContext,
  StateStore,
  WireProtocol,
} from './plugin';
export { CORE_PATHS } from './routes';
export { eventStream, isEventStream, encodeEventMessage, crc32 } from './protocols/event-stream';
export type { EventSink, EventStreamOutput } from './protocols/event-stream';
export { Store, encode, decode, writeFileAtomic } from './store';
export { JournalCorrupt } from './journal';
export { clone, unwrap } from './tracking';
export type { JournaledStore } from './plugin';
export { paginate, descendingKey, encodePageToken, decodePageToken, pageSize } from './pagination';
export type { PageRequest } from './pagination';
export { createLogger } from './logger';
export type { Logger } from './logger';
export { loadModel, modelAt } from './model/load';
export {
  ECS_OPTIMIZED_AMIS,
  ECS_OPTIMIZED_AMIS_PUBLISHED,
  INSTANCE_TYPES,
  ecsOptimizedAmiId,
  ecsRegisteredMemory,
} from './aws-catalog';
export type { ServiceModel } from './model/types';
export { shapeToJsonSchema, ModelValidator } from './model/validator';
