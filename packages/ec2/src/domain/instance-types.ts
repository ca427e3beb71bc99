/** The instance types EC2 knows: the catalog in @dockside/core (shared with ECS's agent). */
export { INSTANCE_TYPES, ecsRegisteredMemory } from '@dockside/core';
